/**
 * The HTTP API of one cluster, PaaSTA's /v1 paths. `buildApi` never listens (tests use `app.request`);
 * `server.ts` does. Reads need no token; writes need `Authorization: Bearer TOKEN`. Every error is a
 * catalogue error `{code, message, fix}` with the catalogue's HTTP status; bad input is 4xx, never 5xx.
 *
 * This file only composes. The routes live in `routes/`, one module per resource; what they share (the token
 * check, `statusOf`, the declared error responses) is in `helpers.ts`; the edge behaviour (validation → 400,
 * 405 with Allow, 414) in `edges.ts`; wire shapes in `schemas.ts` and `../model/status.ts`.
 *
 * How to add a route module (e.g. `routes/jobs.ts`):
 *   1. Write `export function jobRoutes(ctx: ApiContext): OpenAPIHono` that creates `new OpenAPIHono()`, adds
 *      each route with `app.openapi(createRoute({...}), handler)` and returns it. Declare request params/query
 *      and every response with zod schemas (from `schemas.ts` or `model/`): they validate the input and become
 *      /openapi.json. Spread `errorResponses` into `responses`; a write calls `requireToken(ctx, header)`
 *      first, declares `security: [{ bearer: [] }]` and spreads `unauthorizedResponse`.
 *   2. Throw `PaastaError`s from the catalogue (src/errors.ts); the shared error handler renders them.
 *   3. Add `jobRoutes` to ROUTES below, and a case to test/api/app.test.ts.
 * Sub-apps inherit the validation hook and the error handlers from this app, and `app.route()` merges their
 * OpenAPI definitions into the one document.
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import type { ApiContext } from "./context.js";
import { dashboardRoutes } from "./dashboard/index.js";
import { limitUrl, notFound, onError, validationHook } from "./edges.js";
import { requestDeadline, requestLog } from "./request-limits.js";
import { alertRoutes } from "./routes/alerts.js";
import { autoscalerRoutes } from "./routes/autoscaler.js";
import { deployQueueRoutes } from "./routes/deploy-queue.js";
import { deploymentRoutes } from "./routes/deployments.js";
import { jobRoutes } from "./routes/jobs.js";
import { logRoutes } from "./routes/logs.js";
import { meshRoutes } from "./routes/mesh.js";
import { metricsRoutes } from "./routes/metrics.js";
import { pipelineRoutes } from "./routes/pipeline.js";
import { remoteRunRoutes } from "./routes/remote-run.js";
import { replicaRoutes } from "./routes/replicas.js";
import { servicesRoutes } from "./routes/services.js";
import { stateRoutes } from "./routes/state.js";
import { statusRoutes } from "./routes/status.js";
import { versionRoutes } from "./routes/version.js";

export type { ApiContext } from "./context.js";

/** Every route module, in the order their routes appear in /openapi.json. */
const ROUTES: ReadonlyArray<(ctx: ApiContext) => OpenAPIHono> = [
  versionRoutes,
  servicesRoutes,
  deploymentRoutes,
  statusRoutes,
  stateRoutes,
  replicaRoutes,
  autoscalerRoutes,
  meshRoutes,
  logRoutes,
  pipelineRoutes,
  jobRoutes,
  remoteRunRoutes,
  deployQueueRoutes,
  alertRoutes,
  metricsRoutes,
];

export function buildApi(ctx: ApiContext): OpenAPIHono {
  const app = new OpenAPIHono({ defaultHook: validationHook });
  app.onError(onError);
  app.notFound(notFound(() => app.routes));
  app.use(limitUrl);
  if (ctx.requestLog) app.use(requestLog(ctx.requestLog));
  if (ctx.maxRequestSeconds) app.use(requestDeadline(ctx.maxRequestSeconds));
  for (const routes of ROUTES) app.route("/", routes(ctx));
  // The web dashboard reads through the routes above, in-process (not in the OpenAPI document).
  app.route("/", dashboardRoutes(ctx, { request: (path, init) => app.request(path, init) }));

  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer" });
  // OpenAPI 3.0, not 3.1: 3.0 tools (schemathesis, most client generators) read it, and tuples render as
  // arrays with items/minItems/maxItems instead of 3.1's prefixItems. The JSON on the wire is the same.
  app.doc("/openapi.json", { openapi: "3.0.3", info: { title: "paasta API", version: ctx.version } });
  return app;
}
