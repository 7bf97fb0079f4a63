/**
 * A service's page: its instances on this cluster (as on the home page), its deploy history per deploy group
 * of deploy.yaml (git record), and its deploy pipeline's latest run (the pipeline route, when it has one).
 */
import { z } from "@hono/zod-openapi";
import { pipelineDeployGroups } from "../../config/rules/deploy-groups.js";
import { fileValue, readServiceDir } from "../../config/soa.js";
import { AlertList } from "../../model/alerts.js";
import type { ApiContext } from "../context.js";
import { catalog } from "./catalog.js";
import { type GroupHistory, groupHistories } from "./history.js";
import { type HomeService, rowOf, statusSource } from "./home-data.js";
import { apiPath, type InProcessApi, optional } from "./reads.js";

/** The pipeline state as the page shows it (docs/pipeline.md has the whole shape). */
export const PipelineView = z.object({
  git_sha: z.string(),
  status: z.string(),
  reason: z.string().nullable().optional(),
  paused_before: z.string().nullable().optional(),
  updated_at: z.string().optional(),
  steps: z.array(
    z.object({
      name: z.string(),
      kind: z.string().optional(),
      status: z.string(),
      started_at: z.string().nullable().optional(),
      ended_at: z.string().nullable().optional(),
      detail: z.string().nullable().optional(),
    }),
  ),
});
export type PipelineView = z.infer<typeof PipelineView>;

export interface ServiceModel {
  readonly cluster: string;
  readonly service: HomeService;
  readonly histories: readonly GroupHistory[];
  readonly pipeline?: PipelineView;
  readonly now: number;
}

/** The service's instance rows (status and alerts through the API); undefined when the service is unknown. */
export async function serviceRows(ctx: ApiContext, api: InProcessApi, name: string): Promise<HomeService | undefined> {
  const s = catalog(ctx.soaDir, ctx.system, ctx.cluster).find((c) => c.name === name);
  if (!s) return undefined;
  const alerts = (await optional(api, `/v1/alerts?service=${encodeURIComponent(name)}`, AlertList))?.alerts ?? [];
  const status = await statusSource(ctx);
  const rows = await Promise.all(s.instances.map((i) => rowOf(status, i, alerts)));
  return { ...s, rows };
}

export async function serviceModel(
  ctx: ApiContext,
  api: InProcessApi,
  name: string,
  now = Date.now(),
): Promise<ServiceModel | undefined> {
  const service = await serviceRows(ctx, api, name);
  if (!service) return undefined;
  const groups = pipelineDeployGroups(fileValue(readServiceDir(ctx.soaDir, name), "deploy"));
  const [histories, pipeline] = await Promise.all([
    groupHistories(ctx, api, name, groups),
    optional(api, `${apiPath("v1", "services", name, "pipeline")}`, PipelineView),
  ]);
  return { cluster: ctx.cluster, service, histories, pipeline, now };
}
