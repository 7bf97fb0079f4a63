/** A client of a cluster's paasta API (for status, logs, wait-for-deployment, replica restarts). */
import type { SystemConfig } from "../config/system.js";
import { PaastaError } from "../errors.js";

export interface ApiClient {
  readonly cluster: string;
  readonly url: string;
  get<T>(path: string): Promise<{ status: number; body: T }>;
  post<T>(path: string, token?: string): Promise<{ status: number; body: T }>;
  stream(path: string, signal?: AbortSignal): Promise<ReadableStream<Uint8Array>>;
}

export function apiClient(system: SystemConfig, cluster: string, timeoutMs = 10_000): ApiClient {
  const url = system.apiEndpoint(cluster).replace(/\/+$/, "");
  const call = async <T>(method: string, path: string, token?: string): Promise<{ status: number; body: T }> => {
    let res: Response;
    try {
      res = await fetch(`${url}${path}`, {
        method,
        headers: token ? { authorization: `Bearer ${token}` } : {},
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new PaastaError("PAASTA_API_UNREACHABLE", {
        cluster,
        url,
        detail: cause?.code ?? cause?.message ?? (e as Error).message,
      });
    }
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
    return { status: res.status, body: body as T };
  };
  return {
    cluster,
    url,
    get: (path) => call("GET", path),
    post: (path, token) => call("POST", path, token),
    async stream(path, signal) {
      let res: Response;
      try {
        res = await fetch(`${url}${path}`, { signal });
      } catch (e) {
        const cause = (e as { cause?: { code?: string } }).cause;
        throw new PaastaError("PAASTA_API_UNREACHABLE", { cluster, url, detail: cause?.code ?? (e as Error).message });
      }
      if (!res.ok || !res.body) {
        const body = (await res.json().catch(() => ({}))) as { message?: string; code?: string };
        throw new PaastaError("PAASTA_API_ERROR", {
          cluster,
          status: res.status,
          detail: body.message ?? res.statusText,
        });
      }
      return res.body;
    },
  };
}

/** Turns an API error body into the catalogue error it carries. */
export function apiError(cluster: string, status: number, body: unknown): PaastaError {
  const b = body as { code?: string; message?: string };
  return new PaastaError("PAASTA_API_ERROR", { cluster, status, detail: b?.message ?? String(body) });
}
