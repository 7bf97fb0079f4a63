/**
 * One-off runs of an instance (`paasta remote-run`, PaaSTA's /v1/remote_run): start one (a task locally, a Job
 * on Kubernetes), list them, read one's state and output since an offset, stop one. Starting and stopping are
 * writes (bearer token).
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { OneOffOutputWire, OneOffWire } from "../../model/jobs/wire.js";
import type { ApiContext } from "../context.js";
import { errorResponses, requireToken, unauthorizedResponse } from "../helpers.js";
import { ErrorBody, InstanceParams } from "../schemas.js";
import { jobsOf } from "./jobs.js";

const IdParams = z.object({
  id: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/)
    .openapi({ param: { name: "id", in: "path" } }),
});

const start = createRoute({
  method: "post",
  path: "/v1/remote_run/{service}/{instance}/start",
  request: {
    params: InstanceParams,
    query: z.object({
      cmd: z.string().max(4000).optional(),
      user: z.string().max(100).optional(),
      max_duration: z.coerce
        .number()
        .int()
        .min(1)
        .max(7 * 86400)
        .optional(),
    }),
  },
  security: [{ bearer: [] }],
  responses: {
    202: { description: "Started", content: { "application/json": { schema: OneOffWire } } },
    422: { description: "Cannot run it", content: { "application/json": { schema: ErrorBody } } },
    ...unauthorizedResponse,
    ...errorResponses,
  },
});

const list = createRoute({
  method: "get",
  path: "/v1/remote_run",
  request: { query: z.object({ service: z.string().max(100).optional() }) },
  responses: {
    200: {
      description: "One-off runs, newest first",
      content: { "application/json": { schema: z.object({ runs: z.array(OneOffWire) }) } },
    },
    ...errorResponses,
  },
});

const read = createRoute({
  method: "get",
  path: "/v1/remote_run/runs/{id}",
  request: { params: IdParams, query: z.object({ offset: z.coerce.number().int().min(0).optional() }) },
  responses: {
    200: {
      description: "Its state and the output lines after `offset`",
      content: { "application/json": { schema: OneOffOutputWire } },
    },
    ...errorResponses,
  },
});

const stop = createRoute({
  method: "post",
  path: "/v1/remote_run/runs/{id}/stop",
  request: { params: IdParams },
  security: [{ bearer: [] }],
  responses: {
    200: { description: "Stopped", content: { "application/json": { schema: OneOffWire } } },
    ...unauthorizedResponse,
    ...errorResponses,
  },
});

export function remoteRunRoutes(ctx: ApiContext): OpenAPIHono {
  const app = new OpenAPIHono();
  app.openapi(start, async (c) => {
    requireToken(ctx, c.req.header("authorization"));
    const { service, instance } = c.req.valid("param");
    const q = c.req.valid("query");
    const run = await jobsOf(ctx).startOneOff({
      service,
      instance,
      cmd: q.cmd,
      user: q.user ?? "api",
      maxDurationSeconds: q.max_duration,
    });
    return c.json(run, 202);
  });
  app.openapi(list, async (c) => c.json({ runs: await jobsOf(ctx).oneOffs(c.req.valid("query").service) }, 200));
  app.openapi(read, async (c) => {
    const { id } = c.req.valid("param");
    return c.json(await jobsOf(ctx).oneOff(id, c.req.valid("query").offset ?? 0), 200);
  });
  app.openapi(stop, async (c) => {
    requireToken(ctx, c.req.header("authorization"));
    return c.json(await jobsOf(ctx).stopOneOff(c.req.valid("param").id), 200);
  });
  return app;
}
