/**
 * The web dashboard, served by the API process itself: server-rendered pages (escaped templates), htmx and a
 * small script for actions and live updates over Server-Sent Events. Every read goes through this API's own
 * routes in-process (reads.ts), so the pages show what the CLI shows, on every backend. Not part of the
 * OpenAPI document. URLs:
 *
 *   /                                   services of the cluster (home)        /ui/assets/FILE     htmx, css, js
 *   /services/S                         one service: instances, history        /ui/live/…          the pages' SSE
 *   /services/S/I                       one instance                          /ui/actions/…       writes (token)
 *   /jobs, /jobs/S/J                    scheduled jobs (when the cluster has them)
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import { canRestartReplica } from "../../backends/powers.js";
import { isPaastaError } from "../../errors.js";
import type { ApiContext } from "../context.js";
import { changeState, restartTask } from "./actions.js";
import { asset } from "./assets.js";
import { groupHistories, logLines } from "./history.js";
import { homeModel } from "./home-data.js";
import { countsFragment, homePage, servicesFragment } from "./home-view.js";
import { type Html, html, seg } from "./html.js";
import { instanceLive, instanceModel } from "./instance-data.js";
import { instancePage, liveFragments } from "./instance-view.js";
import { jobFragment, jobPage, jobsFragment, jobsPage, readJob, readJobs } from "./jobs.js";
import { CONTENT_SECURITY_POLICY, page } from "./layout.js";
import { sharer, streamFragments, streamLogs } from "./live.js";
import { LOG_COMPONENTS, TAIL_LINES } from "./logs-view.js";
import { apiPath, type InProcessApi } from "./reads.js";
import { serviceModel, serviceRows } from "./service-data.js";
import { serviceInstancesFragment, servicePage } from "./service-view.js";

/** The composed API, as the dashboard reads it. */
export interface DashboardApi {
  readonly request: InProcessApi;
}

const NAME = /^[A-Za-z0-9_.-]+$/;

const param = (c: Context, name: string): string => c.req.param(name) ?? "";

function securityHeaders(c: Context): void {
  c.header("content-security-policy", CONTENT_SECURITY_POLICY);
  c.header("x-content-type-options", "nosniff");
  c.header("referrer-policy", "same-origin");
  c.header("cache-control", "no-store");
}

function send(c: Context, body: Html, status = 200): Response {
  securityHeaders(c);
  return c.html(body.text, status as 200);
}

function errorPage(ctx: ApiContext, status: number, message: string, fix?: string): Html {
  return page(
    { title: "Error", cluster: ctx.cluster, version: ctx.version },
    html`<h1>${status === 404 ? "Not found" : "Something went wrong"}</h1><p>${message}</p>${fix ? html`<p class="small muted">${fix}</p>` : ""}<p><a href="/">All services</a></p>`,
  );
}

/** Runs a page handler; a catalogue error becomes an HTML page with its status, names must be plain. */
function pageRoute(ctx: ApiContext, fn: (c: Context) => Promise<Response>) {
  return async (c: Context): Promise<Response> => {
    if (!Object.values(c.req.param()).every((v) => NAME.test(v)))
      return send(c, errorPage(ctx, 404, "No such page."), 404);
    try {
      return await fn(c);
    } catch (e) {
      if (isPaastaError(e)) return send(c, errorPage(ctx, e.httpStatus, e.message, e.fix), e.httpStatus);
      return send(c, errorPage(ctx, 500, (e as Error).message), 500);
    }
  };
}

function logsPath(service: string, instance: string, extra: string): string {
  const q = `instances=${encodeURIComponent(instance)}&components=${LOG_COMPONENTS.join(",")}`;
  return `${apiPath("v1", "services", service, "logs")}?${q}&${extra}`;
}

function pages(app: OpenAPIHono, ctx: ApiContext, api: DashboardApi): void {
  // The jobs routes answer where the host runs a scheduler or reads one (ctx.jobs).
  const jobs = () => ctx.jobs !== undefined;
  app.get(
    "/",
    pageRoute(ctx, async (c) => {
      const m = await homeModel(ctx, api.request);
      return send(c, homePage(m, { version: ctx.version, q: c.req.query("q"), live: "/ui/live/home" }));
    }),
  );
  app.get(
    "/services/:service",
    pageRoute(ctx, async (c) => {
      const name = param(c, "service");
      const m = await serviceModel(ctx, api.request, name);
      if (!m) return send(c, errorPage(ctx, 404, `No service ${name} in ${ctx.soaDir}.`), 404);
      return send(c, servicePage(m, { version: ctx.version, live: `/ui/live/services/${seg(name)}`, jobs: jobs() }));
    }),
  );
  app.get(
    "/services/:service/:instance",
    pageRoute(ctx, async (c) => {
      const [service, instance] = [param(c, "service"), param(c, "instance")];
      const m = await instanceModel(ctx, api.request, service, instance);
      if (!m.config && m.configProblems.length === 0 && !m.status)
        return send(c, errorPage(ctx, 404, `${service} has no instance ${instance} on ${ctx.cluster}.`), 404);
      const [history, logs] = await Promise.all([
        m.config ? groupHistories(ctx, api.request, service, [m.config.deploy_group]) : Promise.resolve([]),
        logLines(api.request, logsPath(service, instance, `lines=${TAIL_LINES}`)),
      ]);
      const live = `/ui/live/services/${seg(service)}/${seg(instance)}`;
      return send(c, instancePage(m, history, logs, { version: ctx.version, live, jobs: jobs() }));
    }),
  );
  app.get(
    "/jobs",
    pageRoute(ctx, async (c) => {
      const list = await readJobs(api.request);
      if (!list)
        return send(c, errorPage(ctx, 404, `The cluster ${ctx.cluster} does not run scheduled jobs here.`), 404);
      return send(c, jobsPage(ctx.cluster, ctx.version, list.jobs, Date.now()));
    }),
  );
  app.get(
    "/jobs/:service/:job",
    pageRoute(ctx, async (c) => {
      const [service, job] = [param(c, "service"), param(c, "job")];
      const j = await readJob(api.request, service, job);
      if (!j) return send(c, errorPage(ctx, 404, `No job ${service}.${job} on ${ctx.cluster}.`), 404);
      return send(c, jobPage(ctx.cluster, ctx.version, j, Date.now()));
    }),
  );
}

function live(app: OpenAPIHono, ctx: ApiContext, api: DashboardApi): void {
  const share = sharer();
  const key = (c: Context) => new URL(c.req.url).pathname;
  const sse = (c: Context, render: () => Promise<Html[]>) =>
    streamSSE(c, (s) => streamFragments(s, share(key(c), render)));
  app.get("/ui/live/home", (c) =>
    sse(c, async () => {
      const m = await homeModel(ctx, api.request);
      return [countsFragment(m), servicesFragment(m)];
    }),
  );
  app.get("/ui/live/services/:service", (c) =>
    sse(c, async () => {
      const s = await serviceRows(ctx, api.request, param(c, "service"));
      return s ? [serviceInstancesFragment(s)] : [];
    }),
  );
  app.get("/ui/live/services/:service/:instance", (c) => {
    const [service, instance] = [param(c, "service"), param(c, "instance")];
    const names = { service, instance, canRestart: canRestartReplica(ctx.backend) };
    const after = c.req.query("after");
    const from = after && !Number.isNaN(Date.parse(after)) ? after : new Date().toISOString();
    return streamSSE(c, async (s) => {
      await Promise.all([
        streamFragments(
          s,
          share(key(c), async () =>
            liveFragments(names, await instanceLive(api.request, service, instance), Date.now()),
          ),
        ),
        streamLogs(
          s,
          api.request,
          logsPath(service, instance, `lines=${TAIL_LINES}&follow=1&from=${encodeURIComponent(from)}`),
          from,
        ),
      ]);
    });
  });
  app.get("/ui/live/jobs", (c) =>
    sse(c, async () => {
      const list = await readJobs(api.request);
      return list ? [jobsFragment(list.jobs, Date.now())] : [];
    }),
  );
  app.get("/ui/live/jobs/:service/:job", (c) =>
    sse(c, async () => {
      const j = await readJob(api.request, param(c, "service"), param(c, "job"));
      return j ? [jobFragment(j, Date.now())] : [];
    }),
  );
}

function actions(app: OpenAPIHono, api: DashboardApi): void {
  app.post("/ui/actions/services/:service/:instance/replicas/:replica/restart", async (c) => {
    const t = { service: param(c, "service"), instance: param(c, "instance"), replica: param(c, "replica") };
    const r = await restartTask(api.request, t, c.req.header("authorization"));
    return send(c, r.body, r.status);
  });
  app.post("/ui/actions/services/:service/:instance/state/:state", async (c) => {
    const [service, instance, state] = [param(c, "service"), param(c, "instance"), param(c, "state")];
    if (state !== "start" && state !== "stop")
      return send(c, html`<p class="flash bad">Unknown action ${state}</p>`, 404);
    const r = await changeState(api.request, { service, instance, state }, c.req.header("authorization"));
    return send(c, r.body, r.status);
  });
}

export function dashboardRoutes(ctx: ApiContext, api: DashboardApi): OpenAPIHono {
  const app = new OpenAPIHono();
  app.get("/ui/assets/:file", (c) => {
    const a = asset(param(c, "file"));
    if (!a) return c.text("not found", 404);
    c.header("etag", a.etag);
    c.header("cache-control", "no-cache");
    c.header("x-content-type-options", "nosniff");
    if (c.req.header("if-none-match") === a.etag) return c.body(null, 304);
    return c.body(a.body, 200, { "content-type": a.type });
  });
  pages(app, ctx, api);
  live(app, ctx, api);
  actions(app, api);
  return app;
}
