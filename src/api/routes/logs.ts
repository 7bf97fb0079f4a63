/** GET /v1/services/{service}/logs: a service's log lines as NDJSON, optionally followed. */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { stream } from "hono/streaming";
import { type LogFilter, readLogs, readNew } from "../../logs/reader.js";
import type { ApiContext } from "../context.js";
import { errorResponses, instancesOf } from "../helpers.js";
import { ServiceParams } from "../schemas.js";

const logs = createRoute({
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
});

/** "a, b,,c" → ["a", "b", "c"]; undefined stays undefined (no filter). */
function commaList(v: string | undefined): string[] | undefined {
  return v
    ?.split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

export function logRoutes(ctx: ApiContext): OpenAPIHono {
  const app = new OpenAPIHono();
  app.openapi(logs, async (c) => {
    const { service } = c.req.valid("param");
    instancesOf(ctx, service);
    const q = c.req.valid("query");
    const filter: LogFilter = {
      instances: commaList(q.instances),
      components: commaList(q.components) ?? ["stdout", "stderr"],
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
  });
  return app;
}
