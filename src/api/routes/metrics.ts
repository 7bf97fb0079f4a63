/** GET /metrics: the control plane's Prometheus metrics (not a /v1 route, so not in the OpenAPI document). */
import { OpenAPIHono } from "@hono/zod-openapi";
import type { ApiContext } from "../context.js";

export function metricsRoutes(ctx: ApiContext): OpenAPIHono {
  const app = new OpenAPIHono();
  app.get("/metrics", async (c) => {
    if (!ctx.metrics) return c.text("", 200);
    c.header("content-type", ctx.metrics.registry.contentType);
    return c.body(await ctx.metrics.registry.metrics(), 200);
  });
  return app;
}
