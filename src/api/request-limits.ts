/**
 * `paasta api --max-request-seconds N` and `-D/--debug`: a request that takes longer than N seconds is
 * answered with the catalogue's 504 (streams are exempt once their head is sent: a followed log may run for
 * hours), and with debug every request is logged as `METHOD PATH STATUS MSs`.
 */
import type { MiddlewareHandler } from "hono";
import { PaastaError } from "../errors.js";

export function requestDeadline(seconds: number): MiddlewareHandler {
  return async (_c, next) => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new PaastaError("PAASTA_API_TIMEOUT", { seconds })), seconds * 1000);
    });
    try {
      await Promise.race([next(), late]);
    } finally {
      clearTimeout(timer);
    }
  };
}

export function requestLog(write: (line: string) => void): MiddlewareHandler {
  return async (c, next) => {
    const t0 = performance.now();
    await next();
    write(`${c.req.method} ${c.req.path} ${c.res.status} ${Math.round(performance.now() - t0)}ms`);
  };
}
