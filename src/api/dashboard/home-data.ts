/**
 * The home page's data: every service of this cluster with its instances' status (what the status route
 * answers, read in one sweep where the backend can), the active alerts (alerts route, in-process), the counts
 * at the top, the jobs when the cluster runs any, and links to the other clusters' dashboards.
 */
import { z } from "@hono/zod-openapi";
import { canListStatuses } from "../../backends/powers.js";
import { isPaastaError } from "../../errors.js";
import { type ActiveAlert, AlertList } from "../../model/alerts.js";
import type { InstanceStatus } from "../../model/status.js";
import type { ApiContext } from "../context.js";
import { statusOf } from "../helpers.js";
import { type CatalogInstance, type CatalogService, catalog } from "./catalog.js";
import { type Glance, glance } from "./problems.js";
import { type InProcessApi, optional, type Read } from "./reads.js";

export interface HomeRow {
  readonly service: string;
  readonly instance: string;
  readonly deployGroup: string | null;
  readonly team: string | null;
  readonly status?: InstanceStatus;
  /** Why there is no status (the API's message). */
  readonly error?: string;
  readonly glance: Glance;
}

export interface HomeService {
  readonly name: string;
  readonly description: string | null;
  readonly externalLink: string | null;
  readonly team: string | null;
  readonly rows: readonly HomeRow[];
  readonly jobs: readonly string[];
  readonly problems: readonly string[];
}

export interface Counts {
  readonly services: number;
  readonly instances: number;
  readonly running: number;
  readonly deploying: number;
  readonly stopped: number;
  readonly problems: number;
  readonly firing: number;
}

export interface HomeModel {
  readonly cluster: string;
  readonly services: readonly HomeService[];
  readonly counts: Counts;
  readonly otherClusters: ReadonlyArray<{ name: string; url: string }>;
  /** How many jobs the cluster schedules, when it serves jobs. */
  readonly jobs?: number;
  readonly now: number;
}

/** Jobs as the home page needs them (the jobs route's full shape is read on the jobs pages). */
const JobNames = z.object({ jobs: z.array(z.object({ service: z.string(), job: z.string() }).passthrough()) });

/** An instance's status, or why there is none (the status route's catalogue message). */
export type StatusSource = (service: string, instance: string) => Promise<Read<InstanceStatus>>;

/**
 * Statuses for pages that list many instances: what the status route returns (`statusOf`, the backend's
 * status through the contract), read with one sweep where the backend can list them all (StatusLister),
 * without a request per instance through the app.
 */
export async function statusSource(ctx: ApiContext): Promise<StatusSource> {
  const swept = canListStatuses(ctx.backend)
    ? new Map((await ctx.backend.listStatuses()).map((s) => [`${s.service}.${s.instance}`, s]))
    : undefined;
  return async (service, instance) => {
    const hit = swept?.get(`${service}.${instance}`);
    if (hit) return { status: 200, value: hit };
    try {
      return { status: 200, value: await statusOf(ctx, service, instance) };
    } catch (e) {
      if (!isPaastaError(e)) return { status: 500, error: (e as Error).message };
      return { status: e.httpStatus, error: e.message };
    }
  };
}

export async function rowOf(
  status: StatusSource,
  i: CatalogInstance,
  alerts: readonly ActiveAlert[],
): Promise<HomeRow> {
  const mine = alerts.filter((a) => a.service === i.service && a.instance === i.instance);
  const r = await status(i.service, i.instance);
  const deployed = i.app !== undefined || r.value !== undefined;
  return {
    service: i.service,
    instance: i.instance,
    deployGroup: i.deployGroup,
    team: i.config?.monitoring.team ?? null,
    status: r.value,
    error: r.value || !deployed ? undefined : r.error,
    glance: glance(r.value, mine, deployed),
  };
}

export function countsOf(services: readonly HomeService[], alerts: readonly ActiveAlert[]): Counts {
  const rows = services.flatMap((s) => s.rows);
  const state = (...states: string[]) => rows.filter((r) => states.includes(r.glance.state)).length;
  return {
    services: services.length,
    instances: rows.length,
    running: state("Running"),
    deploying: state("Deploying", "Waiting", "Stuck"),
    stopped: state("Stopped"),
    problems: rows.filter((r) => r.glance.badges.length > 0).length + services.filter((s) => s.problems.length).length,
    firing: alerts.filter((a) => a.state === "firing").length,
  };
}

function otherClusters(ctx: ApiContext): Array<{ name: string; url: string }> {
  const endpoints = ctx.system?.get("api_endpoints") ?? {};
  return Object.entries(endpoints)
    .filter(([name]) => name !== ctx.cluster)
    .map(([name, url]) => ({ name, url: `${url.replace(/\/+$/, "")}/` }));
}

export async function homeModel(ctx: ApiContext, api: InProcessApi, now = Date.now()): Promise<HomeModel> {
  const [alerts, jobs] = await Promise.all([
    optional(api, "/v1/alerts", AlertList).then((l) => l?.alerts ?? []),
    optional(api, "/v1/jobs", JobNames),
  ]);
  const status = await statusSource(ctx);
  const services = await Promise.all(
    catalog(ctx.soaDir, ctx.system, ctx.cluster).map(async (s: CatalogService): Promise<HomeService> => {
      const rows = await Promise.all(s.instances.map((i) => rowOf(status, i, alerts)));
      return { ...s, rows };
    }),
  );
  return {
    cluster: ctx.cluster,
    services,
    counts: countsOf(services, alerts),
    otherClusters: otherClusters(ctx),
    jobs: jobs?.jobs.length,
    now,
  };
}

/** Services whose name, team, description or an instance name contains `q` (case-insensitive). */
export function filterServices(services: readonly HomeService[], q: string | undefined): readonly HomeService[] {
  const needle = q?.trim().toLowerCase();
  if (!needle) return services;
  return services.filter((s) =>
    [s.name, s.team ?? "", s.description ?? "", ...s.rows.map((r) => r.instance)].some((t) =>
      t.toLowerCase().includes(needle),
    ),
  );
}
