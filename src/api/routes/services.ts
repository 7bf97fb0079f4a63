/** GET /v1/services and /v1/services/{service}: what soa-configs declares for this cluster. */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { listServiceNames } from "../../config/soa.js";
import type { ApiContext } from "../context.js";
import { errorResponses, instancesOf } from "../helpers.js";
import { ServiceParams } from "../schemas.js";

const list = createRoute({
  method: "get",
  path: "/v1/services",
  responses: {
    200: {
      description: "Every service.instance of this cluster",
      content: {
        "application/json": { schema: z.object({ services: z.array(z.tuple([z.string(), z.string()])) }) },
      },
    },
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
  },
});

export function servicesRoutes(ctx: ApiContext): OpenAPIHono {
  const app = new OpenAPIHono();
  app.openapi(list, (c) => {
    const services: Array<[string, string]> = [];
    for (const name of listServiceNames(ctx.soaDir)) for (const i of instancesOf(ctx, name)) services.push([name, i]);
    return c.json({ services }, 200);
  });
  app.openapi(one, (c) => c.json({ instances: instancesOf(ctx, c.req.valid("param").service) }, 200));
  return app;
}
