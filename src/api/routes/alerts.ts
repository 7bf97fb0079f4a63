/**
 * GET /v1/alerts (query service, instance) and GET /v1/services/{service}/{instance}/alerts: the cluster's
 * active alerts (failing checks: firing, or pending until alert_after), from the monitor (docs/monitoring.md).
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { type ActiveAlert, AlertList } from "../../model/alerts.js";
import type { ApiContext } from "../context.js";
import { errorResponses } from "../helpers.js";
import { InstanceParams } from "../schemas.js";

const name = z.string().regex(/^[A-Za-z0-9_.-]+$/);

const list = createRoute({
  method: "get",
  path: "/v1/alerts",
  request: { query: z.object({ service: name.optional(), instance: name.optional() }) },
  responses: {
    200: { description: "Active alerts, newest first", content: { "application/json": { schema: AlertList } } },
    ...errorResponses,
  },
});

const perInstance = createRoute({
  method: "get",
  path: "/v1/services/{service}/{instance}/alerts",
  request: { params: InstanceParams },
  responses: {
    200: { description: "The instance's active alerts", content: { "application/json": { schema: AlertList } } },
    ...errorResponses,
  },
});

async function alertsOf(ctx: ApiContext, service?: string, instance?: string): Promise<ActiveAlert[]> {
  const all = ctx.alerts ? await ctx.alerts() : [];
  return all.filter((a) => (!service || a.service === service) && (!instance || a.instance === instance));
}

export function alertRoutes(ctx: ApiContext): OpenAPIHono {
  const app = new OpenAPIHono();
  app.openapi(list, async (c) => {
    const { service, instance } = c.req.valid("query");
    return c.json({ alerts: await alertsOf(ctx, service, instance) }, 200);
  });
  app.openapi(perInstance, async (c) => {
    const { service, instance } = c.req.valid("param");
    return c.json({ alerts: await alertsOf(ctx, service, instance) }, 200);
  });
  return app;
}
