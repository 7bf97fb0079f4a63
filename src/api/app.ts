/**
 * The HTTP API of one cluster, PaaSTA's /v1 paths. `buildApi` never listens (tests use `app.request`);
 * `server.ts` does. Reads need no token; writes need `Authorization: Bearer TOKEN`. Every error is a
 * catalogue error `{code, message, fix}` with the catalogue's HTTP status; bad input is 4xx, never 5xx.
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { stream } from "hono/streaming";
import { appKey, type Backend, canRestartReplica, type InstanceStatus as Status } from "../backends/backend.js";
import { listInstances } from "../config/instances.js";
import { readServiceDir } from "../config/soa.js";
import type { SystemConfig } from "../config/system.js";
import { isPaastaError, PaastaError } from "../errors.js";
import { type LogFilter, readLogs, readNew } from "../logs/reader.js";
import type { Metrics } from "./metrics.js";
import { BounceStatus, ErrorBody, InstanceParams, InstanceStatus, ReplicaParams, ServiceParams } from "./schemas.js";

export interface ApiContext {
  readonly cluster: string;
  readonly backend: Backend;
  readonly soaDir: string;
  readonly system?: SystemConfig;
  /** Bearer token for writes; writes are refused when undefined. */
  readonly token: string | undefined;
  readonly metrics?: Metrics;
  readonly version: string;
  /** Log files that may hold a service's lines (the runtime stream, the log writer's deploy file). */
  readonly logFiles?: (service: string) => string[];
}

const errorResponses = {
  400: { description: "Bad input", content: { "application/json": { schema: ErrorBody } } },
  404: {
    description: "Unknown service or instance, or not deployed",
    content: { "application/json": { schema: ErrorBody } },
  },
} as const;

export function buildApi(ctx: ApiContext): OpenAPIHono {
  const app = new OpenAPIHono({
    defaultHook: (result, c) => {
      if (!result.success) {
        const detail = result.error.issues.map((i) => `${i.path.join(".") || "input"}: ${i.message}`).join("; ");
        return c.json(new PaastaError("PAASTA_USAGE", { detail }).toJSON(), 400);
      }
    },
  });
  app.onError((e, c) => {
    if (isPaastaError(e)) return c.json(e.toJSON(), e.httpStatus as 500);
    return c.json(new PaastaError("PAASTA_INTERNAL", { detail: e.message }).toJSON(), 500);
  });
  app.notFound((c) =>
    c.json(new PaastaError("PAASTA_USAGE", { detail: `no route ${c.req.method} ${c.req.path}` }).toJSON(), 404),
  );

  const instancesOf = (service: string) => {
    let svc: ReturnType<typeof readServiceDir>;
    try {
      svc = readServiceDir(ctx.soaDir, service);
    } catch {
      throw new PaastaError("PAASTA_SERVICE_NOT_FOUND", { service, dir: ctx.soaDir });
    }
    return listInstances(svc, [ctx.cluster]).map((i) => i.instance);
  };

  /** What the backend runs (even when the service's config cannot be read right now), else 404 with why. */
  const statusOf = async (service: string, instance: string): Promise<Status> => {
    const s = await ctx.backend.status({ service, instance });
    if (s) return s;
    if (!instancesOf(service).includes(instance)) {
      throw new PaastaError("PAASTA_INSTANCE_NOT_FOUND", { service, instance, cluster: ctx.cluster });
    }
    throw new PaastaError("PAASTA_NOT_DEPLOYED", {
      what: `${service}.${instance} on ${ctx.cluster}`,
      group: "its deploy group",
    });
  };

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/version",
      responses: { 200: { description: "paasta version", content: { "application/json": { schema: z.string() } } } },
    }),
    (c) => c.json(ctx.version, 200),
  );

  app.openapi(
    createRoute({
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
    }),
    async (c) => {
      const { listServiceNames } = await import("../config/soa.js");
      const services: Array<[string, string]> = [];
      for (const name of listServiceNames(ctx.soaDir)) for (const i of instancesOf(name)) services.push([name, i]);
      return c.json({ services }, 200);
    },
  );

  app.openapi(
    createRoute({
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
    }),
    (c) => c.json({ instances: instancesOf(c.req.valid("param").service) }, 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/services/{service}/{instance}/status",
      request: {
        params: InstanceParams,
        query: z.object({ verbose: z.coerce.number().int().min(0).max(3).optional() }),
      },
      responses: {
        200: { description: "Versions, tasks, health", content: { "application/json": { schema: InstanceStatus } } },
        ...errorResponses,
      },
    }),
    async (c) => {
      const { service, instance } = c.req.valid("param");
      const s = await statusOf(service, instance);
      const desired = s.versions.find((v) => v.desired);
      const versions = s.versions.map((v) => ({ ...v, tasks: [...v.tasks] }));
      return c.json({ ...s, versions, backend: ctx.backend.kind, git_sha: desired?.git_sha ?? null }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/services/{service}/{instance}/bounce_status",
      request: { params: InstanceParams },
      responses: {
        200: {
          description: "PaaSTA's bounce_status (drives wait-for-deployment)",
          content: { "application/json": { schema: BounceStatus } },
        },
        ...errorResponses,
      },
    }),
    async (c) => {
      const { service, instance } = c.req.valid("param");
      const s = await statusOf(service, instance);
      const active = s.versions.filter((v) => v.replicas > 0);
      return c.json(
        {
          expected_instance_count: s.desired_instances,
          running_instance_count: s.versions.reduce((n, v) => n + v.ready_replicas, 0),
          desired_state: s.desired_state,
          deploy_status: s.deploy_status,
          active_shas: active.map((v) => [v.git_sha, v.config_hash] as [string, string]),
          active_versions: active.map(
            (v) => [v.git_sha, v.image_version, v.config_hash] as [string, string | null, string],
          ),
          app_count: active.length,
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
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
        401: { description: "Missing or wrong token", content: { "application/json": { schema: ErrorBody } } },
        ...errorResponses,
      },
    }),
    async (c) => {
      const auth = checkToken(ctx, c.req.header("authorization"));
      if (auth) throw auth;
      const { service, instance, replica } = c.req.valid("param");
      await statusOf(service, instance);
      if (!canRestartReplica(ctx.backend) || !(await ctx.backend.restartReplica({ service, instance }, replica))) {
        throw new PaastaError("PAASTA_INSTANCE_NOT_FOUND", {
          service,
          instance: `${instance} replica ${replica}`,
          cluster: ctx.cluster,
        });
      }
      return c.json(
        {
          message: `Replica ${replica} of ${appKey({ service, instance })} is being replaced`,
          service,
          instance,
          replica_name: replica,
        },
        202,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/services/{service}/logs",
      request: {
        params: ServiceParams,
        query: z.object({
          instances: z.string().optional(),
          components: z.string().optional(),
          lines: z.coerce.number().int().min(0).max(100000).optional(),
          from: z.string().datetime({ offset: true }).optional(),
          to: z.string().datetime({ offset: true }).optional(),
          follow: z.enum(["0", "1", "true", "false"]).optional(),
        }),
      },
      responses: {
        200: { description: "Log lines, one JSON object per line (application/x-ndjson)" },
        ...errorResponses,
      },
    }),
    async (c) => {
      const { service } = c.req.valid("param");
      instancesOf(service);
      const q = c.req.valid("query");
      const split = (v?: string) =>
        v
          ?.split(",")
          .map((s) => s.trim())
          .filter(Boolean);
      const filter: LogFilter = {
        instances: split(q.instances),
        components: split(q.components) ?? ["stdout", "stderr"],
        from: q.from ? new Date(q.from) : undefined,
        to: q.to ? new Date(q.to) : undefined,
      };
      const files = ctx.logFiles?.(service) ?? [];
      const { lines, offsets } = readLogs(files, filter, q.lines ?? 100);
      const follow = q.follow === "1" || q.follow === "true";
      c.header("content-type", "application/x-ndjson");
      return stream(c, async (s) => {
        for (const l of lines) await s.write(`${JSON.stringify(l)}\n`);
        while (follow && !s.aborted) {
          await s.sleep(500);
          for (const l of readNew(offsets, filter)) await s.write(`${JSON.stringify(l)}\n`);
        }
      });
    },
  );

  app.get("/metrics", async (c) => {
    if (!ctx.metrics) return c.text("", 200);
    c.header("content-type", ctx.metrics.registry.contentType);
    return c.body(await ctx.metrics.registry.metrics(), 200);
  });

  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer" });
  app.doc31("/openapi.json", { openapi: "3.1.0", info: { title: "paasta API", version: ctx.version } });
  return app;
}

function checkToken(ctx: ApiContext, header: string | undefined): PaastaError | undefined {
  if (!ctx.token)
    return new PaastaError("PAASTA_API_UNAUTHORIZED", {
      detail: "this API has no token configured, so it accepts no writes",
    });
  const given = /^Bearer\s+(.+)$/i.exec(header ?? "")?.[1];
  if (given !== ctx.token)
    return new PaastaError("PAASTA_API_UNAUTHORIZED", { detail: given ? "wrong bearer token" : "no bearer token" });
  return undefined;
}
