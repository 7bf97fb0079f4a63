/**
 * Listening: the API of `buildApi` on a host and port (from api_endpoints).
 *
 * Requests Node's HTTP parser refuses never reach the app (a head over MAX_HEADER_BYTES, a malformed request):
 * they are answered here with a catalogue body (414 when the request line is what overflowed, else 431; 400
 * for malformed input), and the connection is closed gracefully: we stop writing, keep reading what the client
 * still sends for a moment, then close. Closing at once, with unread bytes, makes the kernel reset the
 * connection and most clients then report "connection reset" instead of the answer.
 */
import { STATUS_CODES } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { createAdaptorServer } from "@hono/node-server";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { PaastaError } from "../errors.js";
import { MAX_HEADER_BYTES, MAX_URL_BYTES } from "./edges.js";

/** How long a refused connection may keep sending before we close it anyway. */
const LINGER_MS = 2000;

/** How long an idle keep-alive connection stays open on the server side. */
const KEEP_ALIVE_MS = 65_000;

export interface RunningServer {
  readonly url: string;
  close(): Promise<void>;
}

export function listen(app: OpenAPIHono, host: string, port: number): Promise<RunningServer> {
  const server = createAdaptorServer({ fetch: app.fetch, serverOptions: { maxHeaderSize: MAX_HEADER_BYTES } });
  // Idle keep-alive connections stay open longer than any client keeps them (undici: 4 s, but a client whose
  // event loop was busy may reuse one later): a server closing first makes a request fail with "other side closed".
  const http = server as import("node:http").Server;
  http.keepAliveTimeout = KEEP_ALIVE_MS;
  http.headersTimeout = KEEP_ALIVE_MS + 1000;
  const refused = new WeakSet<Socket>();
  server.on("clientError", (err: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Socket) => {
    if (refused.has(socket)) return; // the parser reports its error again for each further chunk
    refused.add(socket);
    if (err.code === "ECONNRESET" || !socket.writable || answering(socket)) return void socket.destroy();
    socket.end(refusal(err.code, err.rawPacket));
    socket.resume();
    socket.setTimeout(LINGER_MS, () => socket.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const addr = server.address() as AddressInfo;
      resolve({
        url: `http://${host}:${addr.port}`,
        close: () =>
          new Promise((r) => {
            (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
            server.close(() => r());
          }),
      });
    });
  });
}

/** Whether a response is already being written on the socket: a refusal would corrupt it (Node's own rule). */
function answering(socket: Socket): boolean {
  return (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
}

/** The raw HTTP response for a request the parser refused (pure: tested by value). */
export function refusal(parserCode: string | undefined, rawPacket: Buffer | undefined): string {
  const error = refusalError(parserCode, rawPacket);
  const status = parserCode === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : error.httpStatus;
  const body = JSON.stringify(error.toJSON());
  return [
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
    "Content-Type: application/json",
    `Content-Length: ${Buffer.byteLength(body)}`,
    "Connection: close",
    "",
    body,
  ].join("\r\n");
}

function refusalError(parserCode: string | undefined, rawPacket: Buffer | undefined): PaastaError {
  if (parserCode === "HPE_HEADER_OVERFLOW") {
    return requestLineTooLong(rawPacket)
      ? new PaastaError("PAASTA_API_URI_TOO_LONG", { limit: MAX_URL_BYTES })
      : new PaastaError("PAASTA_API_HEADERS_TOO_LARGE", { limit: MAX_HEADER_BYTES });
  }
  if (parserCode === "ERR_HTTP_REQUEST_TIMEOUT") {
    return new PaastaError("PAASTA_USAGE", { detail: "the request was not received in time" });
  }
  return new PaastaError("PAASTA_USAGE", { detail: `malformed HTTP request (${parserCode ?? "unknown"})` });
}

/**
 * Whether the chunk the parser choked on starts a request whose request line is over the URL limit. The
 * parser hands over only that chunk: when it is not the start of the request (a long head that arrived in
 * small pieces) we cannot tell, and say 431. URLs between MAX_URL_BYTES and MAX_HEADER_BYTES always get
 * their 414 from the app (edges.ts `limitUrl`).
 */
function requestLineTooLong(rawPacket: Buffer | undefined): boolean {
  if (!rawPacket || !/^[A-Z]+ /.test(rawPacket.subarray(0, 16).toString("latin1"))) return false;
  const end = rawPacket.indexOf("\r\n");
  return (end === -1 ? rawPacket.length : end) > MAX_URL_BYTES;
}
