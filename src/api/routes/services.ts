/** GET /v1/services and /v1/services/{service}: what soa-configs declares for this cluster. */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { ApiContext } from "../context.js";
import { errorResponses, unavailableResponse, visibleInstances } from "../helpers.js";
import { ServiceParams } from "../schemas.js";

const list = createRoute({
  method: "get",
  path: "/v1/services",
  responses: {
    200: {
      description:
        "Every service.instance of this cluster: what soa-configs declares, and what still runs of a service whose config is broken",
      content: {
        "application/json": { schema: z.object({ services: z.array(z.tuple([z.string(), z.string()])) }) },
      },
    },
    ...unavailableResponse,
  },
});

const one = createRoute({
  method: "get",
  path: "/v1/services/{service}",
  request: { params: ServiceParams },
  responses: {
    200: {
      description: "The service's instances on this cluster",
      content: { "application/json": { schema: z.object({ instances: z.array(z.string()) }) } },
    },
    ...errorResponses,
    ...unavailableResponse,
  },
});

export function servicesRoutes(ctx: ApiContext): OpenAPIHono {
  const app = new OpenAPIHono();
  app.openapi(list, async (c) => c.json({ services: await visibleInstances(ctx) }, 200));
  app.openapi(one, async (c) => {
    const found = await visibleInstances(ctx, [c.req.valid("param").service]);
    return c.json({ instances: found.map(([, instance]) => instance) }, 200);
  });
  return app;
}
