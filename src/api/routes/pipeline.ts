/**
 * A service's deploy pipeline (`paasta pipeline`, deploy.yaml): read the recorded state of a commit's run, and
 * press the button of a paused one (a write: needs the bearer token), e.g. from a chat-ops bot or the dashboard.
 * The state lives in the service's git repository (docs/design/0003-pipeline-state.md), so any API can serve it.
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { continuePipeline, findPipeline } from "../../pipeline/continue.js";
import type { ApiContext } from "../context.js";
import { errorResponses, requireToken, unauthorizedResponse } from "../helpers.js";
import { ErrorBody, ServiceParams } from "../schemas.js";

/** The recorded run of one commit: each step's status, times and log (shape in docs/pipeline.md). */
const PipelineState = z.record(z.string(), z.unknown()).openapi("PipelineState");

const query = z.object({
  sha: z
    .string()
    .regex(/^[0-9a-f]{4,40}$/)
    .optional(),
});

const read = createRoute({
  method: "get",
  path: "/v1/services/{service}/pipeline",
  request: { params: ServiceParams, query },
  responses: {
    200: {
      description: "The commit's pipeline (the newest without sha)",
      content: { "application/json": { schema: PipelineState } },
    },
    ...errorResponses,
  },
});

const resume = createRoute({
  method: "post",
  path: "/v1/services/{service}/pipeline/continue",
  request: { params: ServiceParams, query },
  security: [{ bearer: [] }],
  responses: {
    202: {
      description: "The gate is approved; the rest runs in the API's process",
      content: { "application/json": { schema: PipelineState } },
    },
    409: {
      description: "Not paused, or another runner holds it",
      content: { "application/json": { schema: ErrorBody } },
    },
    ...unauthorizedResponse,
    ...errorResponses,
  },
});

export function pipelineRoutes(ctx: ApiContext): OpenAPIHono {
  const app = new OpenAPIHono();
  app.openapi(read, async (c) => {
    const { service } = c.req.valid("param");
    const { sha } = c.req.valid("query");
    const { state } = await findPipeline({ soaDir: ctx.soaDir, service, sha });
    return c.json(state as unknown as Record<string, unknown>, 200);
  });
  app.openapi(resume, async (c) => {
    requireToken(ctx, c.req.header("authorization"));
    const { service } = c.req.valid("param");
    const { sha } = c.req.valid("query");
    const { state, done } = await continuePipeline({
      soaDir: ctx.soaDir,
      service,
      sha,
      system: ctx.system,
      user: "api",
    });
    // The outcome is recorded in the pipeline state and the deploy log.
    done.catch(() => undefined);
    return c.json(state as unknown as Record<string, unknown>, 202);
  });
  return app;
}
