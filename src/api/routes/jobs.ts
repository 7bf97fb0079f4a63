/**
 * Scheduled jobs (tron-CLUSTER.yaml) and their runs: the list (schedule in words, next and last runs), one job
 * with its recent runs (each action's state, duration, exit code, retries), one run, and tronctl's verbs on a
 * job, a run or an action (writes: need the bearer token). Served where the cluster's backend runs batch work.
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { PaastaError } from "../../errors.js";
import {
  JobDetailWire,
  JobSummaryWire,
  type JobsApi,
  type JobTarget,
  JobVerb,
  RunWire,
  VerbResultWire,
} from "../../model/jobs/wire.js";
import type { ApiContext } from "../context.js";
import { errorResponses, requireToken, unauthorizedResponse } from "../helpers.js";
import { ErrorBody } from "../schemas.js";

const name = (param: string) =>
  z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_-]*$/)
    .openapi({ param: { name: param, in: "path" } });

const JobParams = z.object({
  service: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .openapi({ param: { name: "service", in: "path" } }),
  job: name("job"),
});
const RunParams = JobParams.extend({
  run: z.coerce
    .number()
    .int()
    .min(0)
    .openapi({ param: { name: "run", in: "path" }, type: "integer" }),
});
const ActionParams = RunParams.extend({ action: name("action") });
const verbParam = { verb: JobVerb.openapi({ param: { name: "verb", in: "path" } }) };

const conflict = {
  409: {
    description: "The verb does not apply to it now (e.g. retry of an action that did not fail)",
    content: { "application/json": { schema: ErrorBody } },
  },
} as const;

const list = createRoute({
  method: "get",
  path: "/v1/jobs",
  responses: {
    200: {
      description: "Every job of the cluster",
      content: { "application/json": { schema: z.object({ jobs: z.array(JobSummaryWire) }) } },
    },
    ...errorResponses,
  },
});

const one = createRoute({
  method: "get",
  path: "/v1/jobs/{service}/{job}",
  request: { params: JobParams },
  responses: {
    200: { description: "The job and its recent runs", content: { "application/json": { schema: JobDetailWire } } },
    ...errorResponses,
  },
});

const oneRun = createRoute({
  method: "get",
  path: "/v1/jobs/{service}/{job}/runs/{run}",
  request: { params: RunParams },
  responses: {
    200: { description: "One run, each action's state", content: { "application/json": { schema: RunWire } } },
    ...errorResponses,
  },
});

const verbRoute = <S extends z.ZodRawShape>(path: string, params: z.ZodObject<S>, what: string) =>
  createRoute({
    method: "post",
    path,
    request: { params: params.extend(verbParam) },
    security: [{ bearer: [] }],
    description: what,
    responses: {
      200: { description: "Done (or recorded)", content: { "application/json": { schema: VerbResultWire } } },
      ...conflict,
      ...unauthorizedResponse,
      ...errorResponses,
    },
  });

const jobVerb = verbRoute("/v1/jobs/{service}/{job}/{verb}", JobParams, "start (a manual run now), disable, enable");
const runVerb = verbRoute("/v1/jobs/{service}/{job}/runs/{run}/{verb}", RunParams, "rerun, cancel, kill");
const actionVerb = verbRoute(
  "/v1/jobs/{service}/{job}/runs/{run}/actions/{action}/{verb}",
  ActionParams,
  "retry (a failed action), kill",
);

export function jobsOf(ctx: ApiContext): JobsApi {
  if (!ctx.jobs) throw new PaastaError("PAASTA_JOBS_UNSUPPORTED", { backend: ctx.backend.kind, cluster: ctx.cluster });
  return ctx.jobs;
}

export function jobRoutes(ctx: ApiContext): OpenAPIHono {
  const app = new OpenAPIHono();
  app.openapi(list, async (c) => c.json({ jobs: await jobsOf(ctx).list() }, 200));
  app.openapi(one, async (c) => {
    const { service, job } = c.req.valid("param");
    return c.json(await jobsOf(ctx).job(service, job), 200);
  });
  app.openapi(oneRun, async (c) => {
    const { service, job, run } = c.req.valid("param");
    return c.json(await jobsOf(ctx).run(service, job, run), 200);
  });
  const act = async (header: string | undefined, t: JobTarget & { verb: JobVerb }) => {
    requireToken(ctx, header);
    const { verb, ...target } = t;
    return jobsOf(ctx).verb(target, verb);
  };
  app.openapi(jobVerb, async (c) => c.json(await act(c.req.header("authorization"), c.req.valid("param")), 200));
  app.openapi(runVerb, async (c) => c.json(await act(c.req.header("authorization"), c.req.valid("param")), 200));
  app.openapi(actionVerb, async (c) => c.json(await act(c.req.header("authorization"), c.req.valid("param")), 200));
  return app;
}
