/** Health checks of local tasks (healthcheck_mode http, https, tcp, cmd), with a timeout. */
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { connect } from "node:net";
import type { ResolvedHealthcheck } from "../../config/types.js";
import { redactText } from "../../model/redact.js";

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

/**
 * One check of `hc` against a task at host:port; `runCmd` runs a cmd check where the task runs (a shell, a
 * container) and returns its exit code (124: timed out). No health check mode passes.
 */
export async function probe(
  hc: ResolvedHealthcheck,
  host: string,
  port: number | null,
  runCmd: (cmd: string, timeoutMs: number) => Promise<number>,
): Promise<HealthResult> {
  const timeoutMs = hc.timeout_seconds * 1000;
  switch (hc.mode) {
    case null:
      return { ok: true, detail: "no health check" };
    case "cmd": {
      const code = await runCmd(hc.cmd, timeoutMs);
      return {
        ok: code === 0,
        // The command may carry a credential (curl -u …): the detail ends up in status and logs, so redact it.
        detail: code === 124 ? `timed out after ${hc.timeout_seconds}s` : `${redactText(hc.cmd)} exited ${code}`,
      };
    }
  }
  if (port === null) return { ok: false, detail: "no port published" };
  return hc.mode === "tcp" ? checkTcp(host, port, timeoutMs) : checkHttp(hc.mode, host, port, hc.uri, timeoutMs);
}

function describeNetError(e: NodeJS.ErrnoException): string {
  if (e.code === "ECONNREFUSED") return "connection refused";
  if (e.code === "ECONNRESET") return "connection reset";
  return e.message;
}
