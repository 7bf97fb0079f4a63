/**
 * Reading a cluster's log stream for `paasta logs`: once, or followed until Ctrl-C. A followed stream survives
 * a dropped connection or a restarted API (it reconnects, asking for lines from the newest one printed, and
 * prints no line twice), and quiet periods (the server sends a heartbeat; a stream silent for longer than a few
 * heartbeats is treated as dropped).
 */
import type { ApiClient } from "../api/client.js";
import { PaastaError } from "../errors.js";
import { LogCursor } from "../logs/cursor.js";
import type { LogLine } from "../logs/writer.js";

/** How long a followed stream may be silent (the server's heartbeat is every 10 s) before reconnecting. */
const IDLE_MS = 35_000;
const RETRY_FIRST_MS = 500;
const RETRY_MAX_MS = 5000;
/** Lines asked for on a reconnect: everything since the cursor (the API's maximum). */
const CATCH_UP_LINES = "100000";

export interface StreamOptions {
  readonly follow: boolean;
  /** Called when a followed connection drops, and when it is back. */
  readonly onDrop?: (reason: string) => void;
  readonly onResume?: () => void;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Prints every line of `path` through `print`; when following, never returns (Ctrl-C ends the process). */
export async function readLogStream(
  client: ApiClient,
  path: string,
  query: URLSearchParams,
  print: (line: LogLine) => void,
  o: StreamOptions,
): Promise<void> {
  const cursor = new LogCursor();
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let delay = RETRY_FIRST_MS;
  let dropped = false;
  for (let attempt = 0; ; attempt++) {
    const q = new URLSearchParams(query);
    if (attempt > 0 && cursor.from !== undefined) {
      q.set("from", cursor.from);
      q.set("lines", CATCH_UP_LINES);
    }
    try {
      const body = await client.stream(`${path}?${q}`, o.follow ? { idleTimeoutMs: IDLE_MS } : {});
      if (dropped) o.onResume?.();
      dropped = false;
      delay = RETRY_FIRST_MS;
      await readLines(body, (line) => {
        if (cursor.accept(line)) print(line);
      });
      if (!o.follow) return;
      throw new Error("the server ended the stream");
    } catch (e) {
      // Errors the API answered (unknown service, bad query) are final; a lost connection is retried.
      if (!o.follow || (e instanceof PaastaError && e.code !== "PAASTA_API_UNREACHABLE")) throw e;
      if (!dropped) o.onDrop?.((e as Error).message);
      dropped = true;
      await sleep(delay);
      delay = Math.min(delay * 2, RETRY_MAX_MS);
    }
  }
}

/** NDJSON lines of a body; blank lines (the server's heartbeat) are skipped. */
async function readLines(body: AsyncIterable<Buffer>, onLine: (line: LogLine) => void): Promise<void> {
  let rest = "";
  for await (const chunk of body) {
    rest += chunk.toString("utf8");
    const lines = rest.split("\n");
    rest = lines.pop() ?? "";
    for (const text of lines) if (text.trim()) onLine(JSON.parse(text) as LogLine);
  }
}
