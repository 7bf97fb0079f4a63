/**
 * What route modules share: the error responses they declare in the OpenAPI document, the write-token check,
 * and the lookups that turn "service, instance" into configured instances or a backend status (else a
 * catalogue 404 saying why).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { InstanceStatus } from "../backends/backend.js";
import { listInstances } from "../config/instances.js";
import { LONG_RUNNING_TYPES } from "../config/kinds.js";
import { formatProblem } from "../config/problem.js";
import { instanceNames, resolveInstance } from "../config/resolve/index.js";
import { assertSoaDir, listServiceNames, readServiceDir } from "../config/soa.js";
import { PaastaError } from "../errors.js";
import { frozenProblems } from "../reconcile/desired.js";
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

/** soa-configs cannot be read (missing, permissions): the catalogue's 503, never a 500. */
export const unavailableResponse = {
  503: {
    description: "soa-configs cannot be read right now",
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
  return listInstances(readService(ctx, service), [ctx.cluster]).map((i) => i.instance);
}

/** The service's directory; 404 when there is none, 503 (catalogued) when soa-configs cannot be read. */
function readService(ctx: ApiContext, service: string): ReturnType<typeof readServiceDir> {
  try {
    return readServiceDir(ctx.soaDir, service);
  } catch (e) {
    if (e instanceof PaastaError && e.code === "PAASTA_SOA_UNREADABLE") throw e;
    assertSoaDir(ctx.soaDir);
    throw new PaastaError("PAASTA_SERVICE_NOT_FOUND", { service, dir: ctx.soaDir });
  }
}

/** The located problems that freeze the service on this cluster (empty when its config is fine). */
export function configProblems(ctx: ApiContext, service: string): string[] {
  if (!existsSync(join(ctx.soaDir, service))) return []; // a removed service: nothing left to fix
  return frozenProblems(ctx.soaDir, ctx.system, ctx.cluster, service).map(formatProblem);
}

/**
 * What soa-configs declares, plus what the backend still runs of services whose config is broken: a frozen
 * service is left running, and must stay visible while it is. `services` limits the answer (default: all).
 */
export async function visibleInstances(
  ctx: ApiContext,
  services?: readonly string[],
): Promise<Array<[string, string]>> {
  const names = services ?? listServiceNames(ctx.soaDir);
  const out = new Set<string>();
  let broken = false;
  for (const name of names) {
    try {
      for (const i of instancesOf(ctx, name)) out.add(`${name}\0${i}`);
    } catch (e) {
      // One unreadable service does not hide the others: what it runs is listed below.
      if (services || !(e instanceof PaastaError && e.code === "PAASTA_SOA_UNREADABLE")) throw e;
    }
    if (configProblems(ctx, name).length > 0) broken = true;
  }
  if (broken) {
    const wanted = new Set(names);
    for (const app of await ctx.backend.observe())
      if (wanted.has(app.service)) out.add(`${app.service}\0${app.instance}`);
  }
  return [...out].sort().map((k) => k.split("\0") as [string, string]);
}

/** What the backend runs (even when the service's config cannot be read right now), else 404 with why. */
export async function statusOf(ctx: ApiContext, service: string, instance: string): Promise<InstanceStatus> {
  const s = await ctx.backend.status({ service, instance });
  if (s) return s;
  const svc = readService(ctx, service);
  if (!instancesOf(ctx, service).includes(instance)) {
    throw new PaastaError("PAASTA_INSTANCE_NOT_FOUND", { service, instance, cluster: ctx.cluster });
  }
  throw new PaastaError("PAASTA_NOT_DEPLOYED", {
    what: `${service}.${instance} on ${ctx.cluster}`,
    group: deployGroupOf(ctx, svc, instance),
  });
}

/** The instance's deploy group, as the resolver reads it (best effort: a broken file still names its group). */
function deployGroupOf(ctx: ApiContext, svc: ReturnType<typeof readServiceDir>, instance: string): string {
  for (const kind of LONG_RUNNING_TYPES) {
    if (!instanceNames(svc, kind, ctx.cluster).includes(instance)) continue;
    const r = resolveInstance(svc, ctx.system, ctx.cluster, instance, kind, { bestEffort: true });
    const cfg = r.ok ? r.config : r.partial;
    if (cfg) return cfg.deploy_group;
  }
  return `${ctx.cluster}.${instance}`;
}
