/** GET /v1/deploy_queue: what the reconcile loop of this cluster still has to do (reconcile/queue.ts). */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { PaastaError } from "../../errors.js";
import type { ApiContext } from "../context.js";
import { ErrorBody } from "../schemas.js";

const Entry = z
  .object({ service: z.string(), instance: z.string(), action: z.string(), reason: z.string() })
  .openapi("DeployQueueEntry");

const DeployQueueBody = z
  .object({
    cluster: z.string(),
    last_pass_at: z.string().nullable(),
    pass_pending: z.boolean(),
    available_service_instances: z.array(Entry),
    unavailable_service_instances: z.array(Entry),
  })
  .openapi("DeployQueue");

const route = createRoute({
  method: "get",
  path: "/v1/deploy_queue",
  responses: {
    200: { description: "The reconcile loop's queue", content: { "application/json": { schema: DeployQueueBody } } },
    501: {
      description: "This API runs without the reconcile loop (paasta api beside paasta deployd)",
      content: { "application/json": { schema: ErrorBody } },
    },
  },
});

export function deployQueueRoutes(ctx: ApiContext): OpenAPIHono {
  const app = new OpenAPIHono();
  app.openapi(route, (c) => {
    if (!ctx.deployQueue)
      throw new PaastaError("PAASTA_API_NOT_HERE", {
        what: "the deploy queue",
        detail: "the reconcile loop runs in `paasta deployd`, not in this process",
      });
    return c.json(ctx.deployQueue(), 200);
  });
  return app;
}
