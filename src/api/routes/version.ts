/** GET /v1/version: the paasta version serving this API. */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { ApiContext } from "../context.js";

export function versionRoutes(ctx: ApiContext): OpenAPIHono {
  const app = new OpenAPIHono();
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/version",
      responses: { 200: { description: "paasta version", content: { "application/json": { schema: z.string() } } } },
    }),
    (c) => c.json(ctx.version, 200),
  );
  return app;
}
