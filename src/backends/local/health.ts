/** Health checks of local tasks (healthcheck_mode http, https, tcp, cmd), with a timeout. */
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { connect } from "node:net";

export interface HealthResult {
  readonly ok: boolean;
  /** What was seen: "HTTP 200", "HTTP 500", "connection refused", "timed out after 1s", "exit 1". */
  readonly detail: string;
}

export function checkHttp(
  scheme: "http" | "https",
  host: string,
  port: number,
  uri: string,
  timeoutMs: number,
): Promise<HealthResult> {
  return new Promise((resolve) => {
    const request = scheme === "https" ? httpsRequest : httpRequest;
    const req = request(
      { host, port, path: uri, method: "GET", timeout: timeoutMs, rejectUnauthorized: false, agent: false },
      (res) => {
        res.resume();
        const code = res.statusCode ?? 0;
        resolve({ ok: code >= 200 && code < 400, detail: `HTTP ${code} from ${uri}` });
      },
    );
    req.on("timeout", () => {
      req.destroy();
      resolve({ ok: false, detail: `timed out after ${timeoutMs / 1000}s on ${uri}` });
    });
    req.on("error", (e: NodeJS.ErrnoException) => resolve({ ok: false, detail: describeNetError(e) }));
    req.end();
  });
}

export function checkTcp(host: string, port: number, timeoutMs: number): Promise<HealthResult> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    const timer = setTimeout(() => {
      sock.destroy();
      resolve({ ok: false, detail: `timed out after ${timeoutMs / 1000}s connecting to port ${port}` });
    }, timeoutMs);
    sock.once("connect", () => {
      clearTimeout(timer);
      sock.destroy();
      resolve({ ok: true, detail: `port ${port} accepts connections` });
    });
    sock.once("error", (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ ok: false, detail: describeNetError(e) });
    });
  });
}

function describeNetError(e: NodeJS.ErrnoException): string {
  if (e.code === "ECONNREFUSED") return "connection refused";
  if (e.code === "ECONNRESET") return "connection reset";
  return e.message;
}
