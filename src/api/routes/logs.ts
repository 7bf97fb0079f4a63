/** GET /v1/services/{service}/logs: a service's log lines as NDJSON, optionally followed. */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { stream } from "hono/streaming";
import { canReadLogs } from "../../backends/backend.js";
import { type LogFilter, readLogs, readNew } from "../../logs/reader.js";
import type { LogLine } from "../../logs/writer.js";
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
    200: {
      description:
        "Log lines, one JSON object per line (application/x-ndjson); a followed stream sends a blank line after 10 s without lines",
    },
    ...errorResponses,
  },
});

/** A followed stream quiet this long gets a heartbeat (a blank line, which NDJSON readers skip). */
const HEARTBEAT_MS = 10_000;

/** Lines returned when the request does not say. */
const DEFAULT_LINES = 100;

/** "a, b,,c" → ["a", "b", "c"]; undefined stays undefined (no filter). */
function commaList(v: string | undefined): string[] | undefined {
  return v
    ?.split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Lines in time order (each source is already in order), the last `limit`. */
function merged(sources: ReadonlyArray<readonly LogLine[]>, limit: number): LogLine[] {
  return sources
    .flat()
    .sort((a, b) => a.timestamp.localeCompare(b.timestamp))
    .slice(-limit);
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
    const limit = q.lines ?? DEFAULT_LINES;
    // The backend's output (LogSource power) and the event log's files (deploy events), merged.
    const backend = canReadLogs(ctx.backend)
      ? await ctx.backend.readLogs({ service, filter, limit })
      : { lines: [], next: async () => [] };
    const events = readLogs(ctx.eventLogFiles?.(service) ?? [], filter, limit);
    const follow = q.follow === "1" || q.follow === "true";
    c.header("content-type", "application/x-ndjson");
    return stream(c, async (s) => {
      for (const l of merged([backend.lines, events.lines], limit)) await s.write(`${JSON.stringify(l)}\n`);
      let wrote = Date.now();
      while (follow && !s.aborted) {
        await s.sleep(500);
        const fresh = merged([await backend.next(), readNew(events.offsets, filter)], Number.POSITIVE_INFINITY);
        for (const l of fresh) await s.write(`${JSON.stringify(l)}\n`);
        if (fresh.length > 0) wrote = Date.now();
        else if (Date.now() - wrote >= HEARTBEAT_MS) {
          await s.write("\n"); // a blank line: the client knows the stream is alive, we learn if it is gone
          wrote = Date.now();
        }
      }
    });
  });
  return app;
}
