/**
 * How the dashboard reads: through the same HTTP API the CLI uses, called in-process (`app.request` on the
 * composed app, no socket), so a page shows exactly what `paasta status`, `alerts`, `logs` … show, on every
 * backend. Capabilities that a cluster may not have (mesh, autoscaling, jobs) are read the same way: a route
 * that is absent or answers an error gives `undefined`, and the page leaves that section out.
 */
import type { z } from "@hono/zod-openapi";

/** `app.request` of the composed API app. */
export type InProcessApi = (path: string, init?: RequestInit) => Response | Promise<Response>;

export interface Read<T> {
  readonly value?: T;
  /** The catalogue message when the API answered an error (e.g. "hello.main on dev is not deployed"). */
  readonly error?: string;
  readonly status: number;
}

/** GET `path`, validated with `schema`; never throws (a broken or absent route is an error value). */
export async function read<S extends z.ZodType>(api: InProcessApi, path: string, schema: S): Promise<Read<z.infer<S>>> {
  try {
    const res = await api(path);
    const body = (await res.json().catch(() => undefined)) as unknown;
    if (res.status !== 200) {
      const message = (body as { message?: unknown } | undefined)?.message;
      return { status: res.status, error: typeof message === "string" ? message : `HTTP ${res.status}` };
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) return { status: 502, error: `unexpected answer from ${path}` };
    return { status: 200, value: parsed.data };
  } catch (e) {
    return { status: 500, error: (e as Error).message };
  }
}

/** The value of a capability's route, or undefined when this cluster does not serve it (or it failed). */
export async function optional<S extends z.ZodType>(
  api: InProcessApi,
  path: string,
  schema: S,
): Promise<z.infer<S> | undefined> {
  return (await read(api, path, schema)).value;
}

export function apiPath(...segments: string[]): string {
  return `/${segments.map((s) => encodeURIComponent(s)).join("/")}`;
}
