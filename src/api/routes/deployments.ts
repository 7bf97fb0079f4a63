/** GET /v1/services/{service}/deployments/{deploy_group}: what deployments.json says the group runs. */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { deploymentFor, readDeployments } from "../../deploy/deployments-file.js";
import { PaastaError } from "../../errors.js";
import type { ApiContext } from "../context.js";
import { errorResponses, instancesOf } from "../helpers.js";
import { ServiceParams } from "../schemas.js";

const DeploymentBody = z
  .object({
    docker_image: z.string(),
    git_sha: z.string(),
    image_version: z.string().nullable(),
    /** REGISTRY/docker_image; null when no docker_registry is configured. */
    image_url: z.string().nullable(),
  })
  .openapi("Deployment");

const route = createRoute({
  method: "get",
  path: "/v1/services/{service}/deployments/{deploy_group}",
  request: {
    params: ServiceParams.extend({
      deploy_group: z
        .string()
        .regex(/^[A-Za-z0-9_.-]+$/)
        .openapi({ param: { name: "deploy_group", in: "path" } }),
    }),
  },
  responses: {
    200: { description: "The deploy group's deployment", content: { "application/json": { schema: DeploymentBody } } },
    ...errorResponses,
  },
});

export function deploymentRoutes(ctx: ApiContext): OpenAPIHono {
  const app = new OpenAPIHono();
  app.openapi(route, async (c) => {
    const { service, deploy_group } = c.req.valid("param");
    instancesOf(ctx, service); // 404 for an unknown service
    const d = deploymentFor(readDeployments(ctx.soaDir, service), deploy_group);
    if (!d)
      throw new PaastaError("PAASTA_NOT_DEPLOYED", { what: `${service} in ${deploy_group}`, group: deploy_group });
    const { registryFor } = await import("../../image/target.js");
    const registry = await registryFor(service, ctx.soaDir, ctx.system).catch(() => null);
    return c.json(
      {
        docker_image: d.docker_image,
        git_sha: d.git_sha,
        image_version: d.image_version ?? null,
        image_url: registry ? `${registry.replace(/\/+$/, "")}/${d.docker_image}` : null,
      },
      200,
    );
  });
  return app;
}
