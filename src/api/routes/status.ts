/** GET …/{instance}/status and …/bounce_status: what the backend runs for one instance. */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { ApiContext } from "../context.js";
import { configProblems, errorResponses, statusOf, unavailableResponse } from "../helpers.js";
import { BounceStatus, InstanceParams, InstanceStatusBody } from "../schemas.js";

const status = createRoute({
  method: "get",
  path: "/v1/services/{service}/{instance}/status",
  request: {
    params: InstanceParams,
    query: z.object({ verbose: z.coerce.number().int().min(0).max(3).optional() }),
  },
  responses: {
    200: { description: "Versions, tasks, health", content: { "application/json": { schema: InstanceStatusBody } } },
    ...errorResponses,
    ...unavailableResponse,
  },
});

const bounceStatus = createRoute({
  method: "get",
  path: "/v1/services/{service}/{instance}/bounce_status",
  request: { params: InstanceParams },
  responses: {
    200: {
      description: "PaaSTA's bounce_status (drives wait-for-deployment)",
      content: { "application/json": { schema: BounceStatus } },
    },
    ...errorResponses,
  },
});

export function statusRoutes(ctx: ApiContext): OpenAPIHono {
  const app = new OpenAPIHono();
  app.openapi(status, async (c) => {
    const { service, instance } = c.req.valid("param");
    const s = await statusOf(ctx, service, instance);
    const desired = s.versions.find((v) => v.desired);
    const versions = s.versions.map((v) => ({ ...v, tasks: [...v.tasks] }));
    const problems = configProblems(ctx, service);
    return c.json(
      {
        ...s,
        versions,
        backend: ctx.backend.kind,
        git_sha: desired?.git_sha ?? null,
        ...(problems.length > 0 ? { config_problems: problems } : {}),
      },
      200,
    );
  });
  app.openapi(bounceStatus, async (c) => {
    const { service, instance } = c.req.valid("param");
    const s = await statusOf(ctx, service, instance);
    const active = s.versions.filter((v) => v.replicas > 0);
    return c.json(
      {
        expected_instance_count: s.desired_instances,
        running_instance_count: s.versions.reduce((n, v) => n + v.ready_replicas, 0),
        desired_state: s.desired_state,
        deploy_status: s.deploy_status,
        active_shas: active.map((v) => [v.git_sha, v.config_hash] as [string, string]),
        active_versions: active.map(
          (v) => [v.git_sha, v.image_version, v.config_hash] as [string, string | null, string],
        ),
        app_count: active.length,
      },
      200,
    );
  });
  return app;
}
