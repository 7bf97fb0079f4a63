/**
 * The HTTP edge of the API, the same for every route: bad input is a catalogue 400, thrown catalogue errors
 * keep their status, an unknown method on a known path is a 405 with `Allow`, an over-long URL a 414. Limits
 * the listening server enforces before a request reaches the app (header size) are here too (server.ts).
 */
import type { Hook } from "@hono/zod-openapi";
import type { Env, ErrorHandler, MiddlewareHandler, NotFoundHandler } from "hono";
import { isPaastaError, PaastaError } from "../errors.js";

/** Longest request target (path and query) we accept, in bytes: the common 8 KiB of nginx and Apache. */
export const MAX_URL_BYTES = 8192;
/** Largest request head (request line and headers) we accept, in bytes: Node's default, made explicit. */
export const MAX_HEADER_BYTES = 16384;

/** The `defaultHook` of the API: a failed validation becomes PAASTA_USAGE (400). */
export const validationHook: Hook<unknown, Env, string, Response | undefined> = (result, c) => {
  if (result.success) return undefined;
  const detail = result.error.issues.map((i) => `${i.path.join(".") || "input"}: ${i.message}`).join("; ");
  return c.json(new PaastaError("PAASTA_USAGE", { detail }).toJSON(), 400);
};

export const onError: ErrorHandler = (e, c) => {
  if (isPaastaError(e)) return c.json(e.toJSON(), e.httpStatus as 500);
  return c.json(new PaastaError("PAASTA_INTERNAL", { detail: e.message }).toJSON(), 500);
};

/** Refuses a request whose target is longer than MAX_URL_BYTES (414). */
export const limitUrl: MiddlewareHandler = async (c, next) => {
  const url = c.req.url;
  const target = url.slice(url.indexOf("/", url.indexOf("//") + 2));
  if (Buffer.byteLength(target) > MAX_URL_BYTES) {
    throw new PaastaError("PAASTA_API_URI_TOO_LONG", { limit: MAX_URL_BYTES });
  }
  await next();
};

/** 404 for an unknown path; 405 with `Allow` when the path exists for other methods. */
export function notFound(routes: () => readonly RouteEntry[]): NotFoundHandler {
  return (c) => {
    const allowed = allowedMethods(routes(), c.req.path);
    if (allowed.length === 0) {
      return c.json(
        new PaastaError("PAASTA_USAGE", { detail: `no route ${c.req.method} ${c.req.path}` }).toJSON(),
        404,
      );
    }
    c.header("allow", allowed.join(", "));
    const e = new PaastaError("PAASTA_API_METHOD_NOT_ALLOWED", {
      method: c.req.method,
      path: c.req.path,
      allowed: allowed.join(", "),
    });
    return c.json(e.toJSON(), 405);
  };
}

export interface RouteEntry {
  readonly method: string;
  readonly path: string;
}

/** The methods registered for `path` (hono patterns: `:param` segments, `*`), plus HEAD wherever GET is. */
export function allowedMethods(routes: readonly RouteEntry[], path: string): string[] {
  const methods = new Set<string>();
  for (const r of routes) if (r.method !== "ALL" && routePattern(r.path).test(path)) methods.add(r.method);
  if (methods.has("GET")) methods.add("HEAD");
  return [...methods].sort();
}

function routePattern(route: string): RegExp {
  const segments = route.split("/").map((s) => {
    if (s.startsWith(":")) return "[^/]+";
    if (s === "*") return ".*";
    return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  });
  return new RegExp(`^${segments.join("/")}$`);
}
