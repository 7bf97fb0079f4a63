/**
 * The instance page's data, all through the API in-process: the status (versions, tasks), the active alerts,
 * recent events (deploy and task lifecycle lines of the log route), and the capabilities a cluster may have
 * (mesh membership, autoscaling: present only when their route answers). The config that matters comes from
 * the resolver; the deploy history from the git record.
 */
import { z } from "@hono/zod-openapi";
import { canRestartReplica } from "../../backends/powers.js";
import { loadServiceDir } from "../../config/file-check.js";
import { LONG_RUNNING_TYPES } from "../../config/kinds.js";
import { formatProblem } from "../../config/problem.js";
import { instanceNames, resolveInstance } from "../../config/resolve/index.js";
import { fileValue } from "../../config/soa.js";
import type { ResolvedInstanceConfig } from "../../config/types.js";
import type { LogLine } from "../../logs/writer.js";
import { type ActiveAlert, AlertList } from "../../model/alerts.js";
import type { ApiContext } from "../context.js";
import { InstanceStatusBody } from "../schemas.js";
import { logLines } from "./history.js";
import { type Glance, glance } from "./problems.js";
import { apiPath, type InProcessApi, optional, read } from "./reads.js";

/** mesh_status as the page reads it (only what it shows; the route's schema has more). */
export const MeshView = z.object({
  proxy: z.object({ available: z.boolean(), detail: z.string() }).partial().optional(),
  namespaces: z.array(
    z.object({
      name: z.string(),
      proxy_port: z.number().nullable(),
      address: z.string().nullable().optional(),
      served: z.boolean().optional(),
      backends: z.array(
        z.object({
          task: z.string(),
          address: z.string(),
          state: z.string(),
          healthy: z.boolean(),
          sessions: z.number().nullable(),
        }),
      ),
    }),
  ),
});
export type MeshView = z.infer<typeof MeshView>;

/** The autoscaler's answer: whatever fields it reports (desired, calculated, utilization …). */
export const AutoscalerView = z.record(z.string(), z.unknown());
export type AutoscalerView = z.infer<typeof AutoscalerView>;

export type StatusBody = z.infer<typeof InstanceStatusBody>;

export interface InstanceLive {
  readonly status?: StatusBody;
  readonly statusError?: string;
  readonly alerts: readonly ActiveAlert[];
  readonly mesh?: MeshView;
  readonly autoscaler?: AutoscalerView;
  readonly events: readonly LogLine[];
  readonly glance: Glance;
}

export interface InstanceModel extends InstanceLive {
  readonly cluster: string;
  readonly service: string;
  readonly instance: string;
  readonly description: string | null;
  readonly config?: ResolvedInstanceConfig;
  readonly configProblems: readonly string[];
  readonly canRestart: boolean;
  readonly now: number;
}

const EVENT_COMPONENTS = "deploy,task_lifecycle";
export const EVENT_LINES = 12;

/** What the live stream refreshes: everything but the config and the history. */
export async function instanceLive(api: InProcessApi, service: string, instance: string): Promise<InstanceLive> {
  const base = apiPath("v1", "services", service, instance);
  const [status, alerts, mesh, autoscaler, events] = await Promise.all([
    read(api, `${base}/status?verbose=1`, InstanceStatusBody),
    optional(api, `${base}/alerts`, AlertList),
    optional(api, `${base}/mesh_status`, MeshView),
    optional(api, `${base}/autoscaler`, AutoscalerView),
    logLines(
      api,
      `${apiPath("v1", "services", service, "logs")}?instances=${encodeURIComponent(instance)}&components=${EVENT_COMPONENTS}&lines=${EVENT_LINES}`,
    ),
  ]);
  const list = alerts?.alerts ?? [];
  return {
    status: status.value,
    statusError: status.error,
    alerts: list,
    mesh: mesh && mesh.namespaces.length > 0 ? mesh : undefined,
    autoscaler,
    events: [...events].reverse(),
    glance: glance(status.value, list, status.value !== undefined || status.status !== 404),
  };
}

/** The resolved config of a long-running instance (with every default), or the problems that prevent it. */
export function resolvedConfig(
  ctx: ApiContext,
  service: string,
  instance: string,
): { config?: ResolvedInstanceConfig; problems: string[]; description: string | null } {
  const svc = loadServiceDir(ctx.soaDir, service);
  const d = fileValue(svc, "service").description;
  const description = typeof d === "string" ? d : null;
  for (const kind of LONG_RUNNING_TYPES) {
    if (!instanceNames(svc, kind, ctx.cluster).includes(instance)) continue;
    const r = resolveInstance(svc, ctx.system, ctx.cluster, instance, kind);
    return r.ok
      ? { config: r.config, problems: [], description }
      : { problems: r.problems.map(formatProblem), description };
  }
  return { problems: [], description };
}

export async function instanceModel(
  ctx: ApiContext,
  api: InProcessApi,
  service: string,
  instance: string,
  now = Date.now(),
): Promise<InstanceModel> {
  const live = await instanceLive(api, service, instance);
  const { config, problems, description } = resolvedConfig(ctx, service, instance);
  return {
    ...live,
    cluster: ctx.cluster,
    service,
    instance,
    description,
    config,
    configProblems: problems,
    canRestart: canRestartReplica(ctx.backend),
    now,
  };
}
