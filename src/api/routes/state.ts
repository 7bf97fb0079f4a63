/**
 * POST /v1/services/{service}/{instance}/state/{desired_state}: start, stop or restart an instance (a write:
 * needs the bearer token). PaaSTA answers it for operator-managed instances; here it does for every instance
 * what `paasta start/stop/restart` does: a control tag in the service's git repository, which the reconcile
 * loop turns into the new desired state.
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { PaastaError } from "../../errors.js";
import type { ApiContext } from "../context.js";
import { errorResponses, instancesOf, requireToken, unauthorizedResponse } from "../helpers.js";
import { InstanceParams } from "../schemas.js";

const route = createRoute({
  method: "post",
  path: "/v1/services/{service}/{instance}/state/{desired_state}",
  request: {
    params: InstanceParams.extend({
      desired_state: z.enum(["start", "stop", "restart"]).openapi({ param: { name: "desired_state", in: "path" } }),
    }),
  },
  security: [{ bearer: [] }],
  responses: {
    202: {
      description: "The control tag is pushed; the instance follows at the next reconcile pass",
      content: {
        "application/json": {
          schema: z.object({
            service: z.string(),
            instance: z.string(),
            desired_state: z.string(),
            tag: z.string(),
            message: z.string(),
          }),
        },
      },
    },
    ...unauthorizedResponse,
    ...errorResponses,
  },
});

export function stateRoutes(ctx: ApiContext): OpenAPIHono {
  const app = new OpenAPIHono();
  app.openapi(route, async (c) => {
    requireToken(ctx, c.req.header("authorization"));
    const { service, instance, desired_state } = c.req.valid("param");
    if (!instancesOf(ctx, service).includes(instance))
      throw new PaastaError("PAASTA_INSTANCE_NOT_FOUND", { service, instance, cluster: ctx.cluster });
    const { setDesiredState } = await import("../../deploy/record.js");
    const { createLogWriter } = await import("../../logs/writer.js");
    const r = await setDesiredState(
      { soaDir: ctx.soaDir, system: ctx.system, log: createLogWriter(ctx.system?.logWriter()) },
      { service, state: desired_state === "stop" ? "stop" : "start", clusters: [ctx.cluster], instances: [instance] },
    );
    const changed = r.changed[0];
    if (!changed) {
      throw new PaastaError("PAASTA_NOT_DEPLOYED", {
        what: `${service}.${instance} on ${ctx.cluster}`,
        group: r.notDeployed[0]?.deployGroup ?? "its deploy group",
      });
    }
    const message = `${desired_state} requested for ${service}.${instance} on ${ctx.cluster} (tag ${changed.tag})`;
    return c.json({ service, instance, desired_state, tag: changed.tag, message }, 202);
  });
  return app;
}
