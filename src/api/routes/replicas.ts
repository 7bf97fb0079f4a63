/** POST …/{instance}/replicas/{replica}/restart: replace one replica (a write: needs the bearer token). */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { appKey, canRestartReplica } from "../../backends/backend.js";
import { PaastaError } from "../../errors.js";
import type { ApiContext } from "../context.js";
import { errorResponses, requireToken, statusOf, unauthorizedResponse } from "../helpers.js";
import { ReplicaParams } from "../schemas.js";

const restart = createRoute({
  method: "post",
  path: "/v1/services/{service}/{instance}/replicas/{replica}/restart",
  request: { params: ReplicaParams },
  security: [{ bearer: [] }],
  responses: {
    202: {
      description: "The replica is replaced",
      content: {
        "application/json": {
          schema: z.object({
            message: z.string(),
            service: z.string(),
            instance: z.string(),
            replica_name: z.string(),
          }),
        },
      },
    },
    ...unauthorizedResponse,
    ...errorResponses,
  },
});

export function replicaRoutes(ctx: ApiContext): OpenAPIHono {
  const app = new OpenAPIHono();
  app.openapi(restart, async (c) => {
    requireToken(ctx, c.req.header("authorization"));
    const { service, instance, replica } = c.req.valid("param");
    await statusOf(ctx, service, instance);
    if (!canRestartReplica(ctx.backend) || !(await ctx.backend.restartReplica({ service, instance }, replica))) {
      throw new PaastaError("PAASTA_INSTANCE_NOT_FOUND", {
        service,
        instance: `${instance} replica ${replica}`,
        cluster: ctx.cluster,
      });
    }
    const message = `Replica ${replica} of ${appKey({ service, instance })} is being replaced`;
    return c.json({ message, service, instance, replica_name: replica }, 202);
  });
  return app;
}
