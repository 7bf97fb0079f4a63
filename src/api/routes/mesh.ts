/** GET …/{instance}/mesh_status: the namespaces an instance registers in, with their backends (PaaSTA's path). */
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { PaastaError } from "../../errors.js";
import { MeshStatus } from "../../model/mesh.js";
import type { ApiContext } from "../context.js";
import { errorResponses, statusOf } from "../helpers.js";
import { InstanceParams } from "../schemas.js";

const meshStatus = createRoute({
  method: "get",
  path: "/v1/services/{service}/{instance}/mesh_status",
  request: { params: InstanceParams },
  responses: {
    200: {
      description: "Each namespace the instance registers in: its proxy port, whether it is served, its backends",
      content: { "application/json": { schema: MeshStatus } },
    },
    ...errorResponses,
  },
});

export function meshRoutes(ctx: ApiContext): OpenAPIHono {
  const app = new OpenAPIHono();
  app.openapi(meshStatus, async (c) => {
    const { service, instance } = c.req.valid("param");
    if (!ctx.mesh)
      throw new PaastaError("PAASTA_MESH_UNSUPPORTED", { cluster: ctx.cluster, what: `${service}.${instance}` });
    const s = await ctx.mesh.meshStatus({ service, instance });
    if (s) return c.json({ ...s, namespaces: s.namespaces.map((n) => ({ ...n, backends: [...n.backends] })) }, 200);
    await statusOf(ctx, service, instance); // 404 with why (unknown instance, not deployed)
    throw new PaastaError("PAASTA_INSTANCE_NOT_FOUND", { service, instance, cluster: ctx.cluster });
  });
  return app;
}
