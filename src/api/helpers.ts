/**
 * What route modules share: the error responses they declare in the OpenAPI document, the write-token check,
 * and the lookups that turn "service, instance" into configured instances or a backend status (else a
 * catalogue 404 saying why).
 */
import type { InstanceStatus } from "../backends/backend.js";
import { listInstances } from "../config/instances.js";
import { readServiceDir } from "../config/soa.js";
import { PaastaError } from "../errors.js";
import type { ApiContext } from "./context.js";
import { ErrorBody } from "./schemas.js";

/** The 4xx every route with a service in its path can answer; spread into a route's `responses`. */
export const errorResponses = {
  400: { description: "Bad input", content: { "application/json": { schema: ErrorBody } } },
  404: {
    description: "Unknown service or instance, or not deployed",
    content: { "application/json": { schema: ErrorBody } },
  },
} as const;

/** The extra response of a write route (one that calls `requireToken`). */
export const unauthorizedResponse = {
  401: { description: "Missing or wrong token", content: { "application/json": { schema: ErrorBody } } },
} as const;

/** Writes need `Authorization: Bearer TOKEN`; throws the catalogue's 401 otherwise. */
export function requireToken(ctx: ApiContext, header: string | undefined): void {
  if (!ctx.token) {
    throw new PaastaError("PAASTA_API_UNAUTHORIZED", {
      detail: "this API has no token configured, so it accepts no writes",
    });
  }
  const given = /^Bearer\s+(.+)$/i.exec(header ?? "")?.[1];
  if (given !== ctx.token) {
    throw new PaastaError("PAASTA_API_UNAUTHORIZED", { detail: given ? "wrong bearer token" : "no bearer token" });
  }
}

/** The service's instances on this cluster, from soa-configs; 404 when the service is unknown. */
export function instancesOf(ctx: ApiContext, service: string): string[] {
  let svc: ReturnType<typeof readServiceDir>;
  try {
    svc = readServiceDir(ctx.soaDir, service);
  } catch {
    throw new PaastaError("PAASTA_SERVICE_NOT_FOUND", { service, dir: ctx.soaDir });
  }
  return listInstances(svc, [ctx.cluster]).map((i) => i.instance);
}

/** What the backend runs (even when the service's config cannot be read right now), else 404 with why. */
export async function statusOf(ctx: ApiContext, service: string, instance: string): Promise<InstanceStatus> {
  const s = await ctx.backend.status({ service, instance });
  if (s) return s;
  if (!instancesOf(ctx, service).includes(instance)) {
    throw new PaastaError("PAASTA_INSTANCE_NOT_FOUND", { service, instance, cluster: ctx.cluster });
  }
  throw new PaastaError("PAASTA_NOT_DEPLOYED", {
    what: `${service}.${instance} on ${ctx.cluster}`,
    group: "its deploy group",
  });
}
