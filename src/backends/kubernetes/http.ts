/**
 * Raw HTTP(S) to the API server over one keep-alive agent, with the kubeconfig's credentials: requests whose
 * answer is read whole (status, headers, body, latency), and streams of lines (watches). Nothing here knows
 * Kubernetes semantics; client.ts maps answers to results and errors.
 */
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest, type RequestOptions } from "node:https";

export interface HttpAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  /** From sending the request to the end of the answer. */
  readonly ms: number;
}

export interface RequestInit {
  readonly accept?: string;
  readonly body?: string;
  readonly contentType?: string;
  /** Abort (a transport error) when the answer takes longer. */
  readonly timeoutMs?: number;
}

export interface Transport {
  readonly server: string;
  /** Resolves with any HTTP status; rejects only when there is no answer (connection refused, reset, timeout). */
  request(method: string, path: string, init?: RequestInit): Promise<HttpAnswer>;
  /**
   * A GET whose body is a stream of newline-separated lines (a watch). `onEnd` is called once: with undefined
   * when the server closed the stream, with an error (carrying `code` = HTTP status when there was one) else.
   * Returns a function that closes the stream (then `onEnd` is not called).
   */
  stream(path: string, onLine: (line: string) => void, onEnd: (err?: unknown) => void): () => void;
  close(): void;
}

export interface Credentials {
  readonly tls: RequestOptions;
  readonly headers: Record<string, string>;
}

export function transport(server: string, cred: Credentials, maxSockets = 64): Transport {
  const https = server.startsWith("https:");
  const agent = https
    ? new HttpsAgent({
        keepAlive: true,
        maxSockets,
        ca: cred.tls.ca,
        cert: cred.tls.cert,
        key: cred.tls.key,
        rejectUnauthorized: cred.tls.rejectUnauthorized,
      })
    : new HttpAgent({ keepAlive: true, maxSockets });
  // Watches hold a connection each for minutes: their own agent, so they never take the writes' sockets.
  const watchAgent = https
    ? new HttpsAgent({
        keepAlive: false,
        ca: cred.tls.ca,
        cert: cred.tls.cert,
        key: cred.tls.key,
        rejectUnauthorized: cred.tls.rejectUnauthorized,
      })
    : new HttpAgent({ keepAlive: false });
  const send = https ? httpsRequest : httpRequest;
  const open = (
    method: string,
    path: string,
    init: RequestInit,
    streaming: boolean,
    onResponse: (res: IncomingMessage) => void,
    onError: (e: unknown) => void,
  ) => {
    const headers: Record<string, string> = { ...cred.headers, accept: init.accept ?? "application/json" };
    if (init.body !== undefined) {
      headers["content-type"] = init.contentType ?? "application/json";
      headers["content-length"] = String(Buffer.byteLength(init.body));
    }
    const req = send(new URL(path, server), { method, headers, agent: streaming ? watchAgent : agent }, onResponse);
    req.on("error", onError);
    if (init.timeoutMs) req.setTimeout(init.timeoutMs, () => req.destroy(timeoutError(init.timeoutMs ?? 0)));
    req.end(init.body);
    return req;
  };
  return {
    server,
    request(method, path, init = {}) {
      const t0 = performance.now();
      return new Promise((resolve, reject) => {
        open(
          method,
          path,
          init,
          false,
          (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () =>
              resolve({
                status: res.statusCode ?? 0,
                headers: res.headers,
                text: Buffer.concat(chunks).toString("utf8"),
                ms: performance.now() - t0,
              }),
            );
            res.on("error", reject);
          },
          reject,
        );
      });
    },
    stream(path, onLine, onEnd) {
      let done = false;
      const end = (err?: unknown) => {
        if (done) return;
        done = true;
        onEnd(err);
      };
      const req = open(
        "GET",
        path,
        {},
        true,
        (res) => {
          if ((res.statusCode ?? 0) >= 400) {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () => {
              const text = Buffer.concat(chunks).toString("utf8");
              end(Object.assign(new Error(text), { code: res.statusCode, body: text }));
            });
            return;
          }
          let rest = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => {
            rest += chunk;
            let nl = rest.indexOf("\n");
            while (nl >= 0) {
              const line = rest.slice(0, nl);
              rest = rest.slice(nl + 1);
              if (line.trim() && !done) onLine(line);
              nl = rest.indexOf("\n");
            }
          });
          res.on("end", () => end());
          res.on("error", (e) => end(e));
        },
        (e) => end(e),
      );
      return () => {
        done = true;
        req.destroy();
      };
    },
    close() {
      agent.destroy();
      watchAgent.destroy();
    },
  };
}

function timeoutError(ms: number): Error {
  return Object.assign(new Error(`no answer within ${ms} ms`), { code: "ETIMEDOUT" });
}
