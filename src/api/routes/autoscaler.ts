/**
 * PaaSTA's autoscaler routes (reference §9): an instance's autoscaler (GET: metric vs setpoint, current and
 * desired count, bounds, override, pause; POST: set the count, PaaSTA's bespoke autoscaling), a temporary
 * override of its bounds, and the cluster-wide pause. Writes need the bearer token. The work is the host's
 * (model/autoscaling.ts AutoscalingApi): the local autoscaler of `paasta up`, or the HPAs of a Kubernetes
 * cluster; see docs/autoscaling.md.
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { PaastaError } from "../../errors.js";
import { AutoscalerStatus, type AutoscalingApi, AutoscalingOverride } from "../../model/autoscaling.js";
import type { ApiContext } from "../context.js";
import { errorResponses, requireToken, unauthorizedResponse } from "../helpers.js";
import { ErrorBody, InstanceParams } from "../schemas.js";

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
const notSupported = { 501: json(ErrorBody, "This cluster's API has no autoscaler to steer") };
const body = <T extends z.ZodType>(schema: T) => ({
  body: { content: { "application/json": { schema } }, required: true },
});

const Paused = z.object({ paused_until: z.string().nullable() }).openapi("AutoscalerPause");

const get = createRoute({
  method: "get",
  path: "/v1/services/{service}/{instance}/autoscaler",
  request: { params: InstanceParams },
  responses: { 200: json(AutoscalerStatus, "The instance's autoscaler"), ...errorResponses, ...notSupported },
});

const set = createRoute({
  method: "post",
  path: "/v1/services/{service}/{instance}/autoscaler",
  request: { params: InstanceParams, ...body(z.object({ desired_instances: z.number().int().min(0) })) },
  security: [{ bearer: [] }],
  responses: {
    202: json(z.object({ desired_instances: z.number().int(), status: z.string() }), "The count is being set"),
    ...unauthorizedResponse,
    ...errorResponses,
    ...notSupported,
  },
});

const override = createRoute({
  method: "post",
  path: "/v1/service_autoscaler/{service}/{instance}/autoscaling_override",
  request: {
    params: InstanceParams,
    ...body(
      z.object({
        min_instances: z.number().int().nullable().optional(),
        max_instances: z.number().int().nullable().optional(),
        /** Unix time (seconds) the override ends, PaaSTA's field. */
        expire_after: z.number(),
      }),
    ),
  },
  security: [{ bearer: [] }],
  responses: {
    202: json(
      z.object({
        service: z.string(),
        instance: z.string(),
        min_instances: z.number().int().nullable(),
        max_instances: z.number().int().nullable(),
        expire_after: z.number(),
        status: z.string(),
        override: AutoscalingOverride,
      }),
      "The override applies until expire_after",
    ),
    ...unauthorizedResponse,
    ...errorResponses,
    ...notSupported,
  },
});

const pauseGet = createRoute({
  method: "get",
  path: "/v1/service_autoscaler/pause",
  responses: { 200: json(Paused, "Until when autoscaling is paused (null: it is not)"), ...notSupported },
});

const pauseSet = createRoute({
  method: "post",
  path: "/v1/service_autoscaler/pause",
  request: body(z.object({ minutes: z.number().positive() })),
  security: [{ bearer: [] }],
  responses: {
    200: json(Paused, "Autoscaling is paused"),
    ...unauthorizedResponse,
    400: errorResponses[400],
    ...notSupported,
  },
});

const pauseClear = createRoute({
  method: "delete",
  path: "/v1/service_autoscaler/pause",
  security: [{ bearer: [] }],
  responses: { 200: json(Paused, "Autoscaling resumes"), ...unauthorizedResponse, ...notSupported },
});

function api(ctx: ApiContext): AutoscalingApi {
  if (!ctx.autoscaling)
    throw new PaastaError("PAASTA_AUTOSCALING_UNSUPPORTED", { backend: ctx.backend.kind, what: "autoscale here" });
  return ctx.autoscaling;
}

export function autoscalerRoutes(ctx: ApiContext): OpenAPIHono {
  const app = new OpenAPIHono();
  app.openapi(get, async (c) => {
    const { service, instance } = c.req.valid("param");
    return c.json(await api(ctx).status({ service, instance }), 200);
  });
  app.openapi(set, async (c) => {
    requireToken(ctx, c.req.header("authorization"));
    const { service, instance } = c.req.valid("param");
    const { desired_instances } = c.req.valid("json");
    return c.json(await api(ctx).setDesired({ service, instance }, desired_instances), 202);
  });
  app.openapi(override, async (c) => {
    requireToken(ctx, c.req.header("authorization"));
    const { service, instance } = c.req.valid("param");
    const b = c.req.valid("json");
    const o = await api(ctx).setOverride(
      { service, instance },
      {
        min_instances: b.min_instances ?? null,
        max_instances: b.max_instances ?? null,
        expires_at: new Date(b.expire_after * 1000),
      },
    );
    const { min_instances, max_instances } = o;
    return c.json(
      { service, instance, min_instances, max_instances, expire_after: b.expire_after, status: "SUCCESS", override: o },
      202,
    );
  });
  app.openapi(pauseGet, async (c) => c.json({ paused_until: await api(ctx).pausedUntil() }, 200));
  app.openapi(pauseSet, async (c) => {
    requireToken(ctx, c.req.header("authorization"));
    const { minutes } = c.req.valid("json");
    return c.json({ paused_until: await api(ctx).pause(new Date(Date.now() + minutes * 60_000)) }, 200);
  });
  app.openapi(pauseClear, async (c) => {
    requireToken(ctx, c.req.header("authorization"));
    return c.json({ paused_until: await api(ctx).pause(null) }, 200);
  });
  return app;
}
