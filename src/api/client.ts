/**
 * A client of a cluster's paasta API (for status, logs, wait-for-deployment, replica restarts). Built on
 * node:http rather than fetch: the CLI's start-up time matters (`paasta status` < 0.5 s) and fetch's first use
 * costs tens of milliseconds.
 */
import { request } from "node:http";
import { request as httpsRequest } from "node:https";
import type { SystemConfig } from "../config/system.js";
import { PaastaError } from "../errors.js";

export interface ApiClient {
  readonly cluster: string;
  readonly url: string;
  get<T>(path: string): Promise<{ status: number; body: T }>;
  post<T>(path: string, token?: string, body?: unknown): Promise<{ status: number; body: T }>;
  delete<T>(path: string, token?: string): Promise<{ status: number; body: T }>;
  /**
   * The response body as it arrives (for long-lived streams such as `logs --follow`), on a connection of its own
   * (no agent: an agent's idle timeout would cut a quiet stream). With `idleTimeoutMs`, a stream silent that long
   * (no line, no heartbeat) fails with ETIMEDOUT, so that a follower can reconnect.
   */
  stream(path: string, opts?: { idleTimeoutMs?: number }): Promise<AsyncIterable<Buffer>>;
}

export function apiClient(system: SystemConfig, cluster: string, timeoutMs = 10_000): ApiClient {
  const base = new URL(system.apiEndpoint(cluster));
  const url = base.toString().replace(/\/+$/, "");
  const unreachable = (e: NodeJS.ErrnoException) =>
    new PaastaError("PAASTA_API_UNREACHABLE", { cluster, url, detail: e.code ?? e.message });
  const open = (
    method: string,
    path: string,
    headers: Record<string, string>,
    timeout: number | undefined,
    own = false,
    payload?: string,
  ) =>
    new Promise<import("node:http").IncomingMessage>((resolve, reject) => {
      const target = new URL(path, `${url}/`);
      const req = (target.protocol === "https:" ? httpsRequest : request)(
        target,
        { method, headers, timeout, ...(own ? { agent: false } : {}) },
        resolve,
      );
      req.on("timeout", () =>
        req.destroy(Object.assign(new Error(`timed out after ${timeout} ms`), { code: "ETIMEDOUT" })),
      );
      req.on("error", (e: NodeJS.ErrnoException) => reject(unreachable(e)));
      req.end(payload);
    });
  const call = async <T>(
    method: string,
    path: string,
    token?: string,
    payload?: unknown,
  ): Promise<{ status: number; body: T }> => {
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    if (payload !== undefined) headers["content-type"] = "application/json";
    const text = payload === undefined ? undefined : JSON.stringify(payload);
    const res = await open(method, path, headers, timeoutMs, false, text);
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    const answer = Buffer.concat(chunks).toString("utf8");
    let body: unknown;
    try {
      body = JSON.parse(answer);
    } catch {
      body = answer;
    }
    return { status: res.statusCode ?? 0, body: body as T };
  };
  return {
    cluster,
    url,
    get: (path) => call("GET", path),
    post: (path, token, body) => call("POST", path, token, body),
    delete: (path, token) => call("DELETE", path, token),
    async stream(path, opts = {}) {
      const res = await open("GET", path, {}, opts.idleTimeoutMs, true);
      if ((res.statusCode ?? 0) !== 200) {
        const chunks: Buffer[] = [];
        for await (const c of res) chunks.push(c as Buffer);
        const body = (() => {
          try {
            return JSON.parse(Buffer.concat(chunks).toString("utf8")) as { message?: string };
          } catch {
            return {};
          }
        })();
        throw new PaastaError("PAASTA_API_ERROR", {
          cluster,
          status: res.statusCode ?? 0,
          detail: body.message ?? res.statusMessage ?? "",
        });
      }
      return res;
    },
  };
}
