/**
 * Live pages over Server-Sent Events. A page's stream re-reads its data every second and sends each fragment
 * whose HTML changed (`swap`: the page's script replaces the element with the same id); the instance page's
 * stream also appends new log lines as the log route yields them (`append`). Nothing is sent while nothing
 * changes but a comment now and then, so an idle page costs one render a second on the server. The stream ends
 * when the browser goes away or the server stops.
 */
import type { SSEStreamingApi } from "hono/streaming";
import type { LogLine } from "../../logs/writer.js";
import type { Html } from "./html.js";
import { logLine } from "./logs-view.js";
import type { InProcessApi } from "./reads.js";

export const LIVE_INTERVAL_MS = 1000;
const PING_MS = 15_000;
/** A page that takes long to render is re-rendered less often: at most this share of the time is rendering. */
const MAX_RENDER_SHARE = 0.2;

/** The id of a fragment's root element (`<section id="versions" …>`). Pure. */
export function fragmentId(h: Html): string | undefined {
  return /^\s*<[a-z0-9]+\s+id="([^"]+)"/i.exec(h.text)?.[1];
}

/** The fragments that differ from what was last sent, remembering what is sent now. Pure but for `sent`. */
export function changedFragments(sent: Map<string, string>, fragments: readonly Html[]): Html[] {
  const out: Html[] = [];
  for (const f of fragments) {
    const id = fragmentId(f);
    if (!id || sent.get(id) === f.text) continue;
    sent.set(id, f.text);
    out.push(f);
  }
  return out;
}

/** The pause before the next render: a second, longer when rendering is slow (a big home page). Pure. */
export function nextDelay(renderMs: number): number {
  return Math.max(LIVE_INTERVAL_MS, Math.round(renderMs / MAX_RENDER_SHARE));
}

export type Share = (key: string, render: () => Promise<Html[]>) => () => Promise<Html[]>;

/**
 * Renders shared by the streams of the same page (`key`) that ask within half an interval of each other, so
 * ten open tabs of the home page cost one render a second, not ten. One per dashboard (API app).
 */
export function sharer(): Share {
  const recent = new Map<string, { at: number; fragments: Promise<Html[]> }>();
  return (key, render) => () => {
    const now = Date.now();
    for (const [k, v] of recent) if (now - v.at >= LIVE_INTERVAL_MS) recent.delete(k);
    const hit = recent.get(key);
    if (hit && now - hit.at < LIVE_INTERVAL_MS / 2) return hit.fragments;
    const fragments = render();
    recent.set(key, { at: now, fragments });
    return fragments;
  };
}

/** Sends changed fragments about every second until the stream is aborted. */
export async function streamFragments(s: SSEStreamingApi, render: () => Promise<Html[]>): Promise<void> {
  const sent = new Map<string, string>();
  let pinged = Date.now();
  while (!s.aborted && !s.closed) {
    const started = Date.now();
    try {
      for (const f of changedFragments(sent, await render())) await s.writeSSE({ event: "swap", data: f.text });
    } catch (e) {
      await s.writeSSE({ event: "problem", data: `live update failed: ${(e as Error).message}` });
    }
    if (Date.now() - pinged > PING_MS) {
      await s.write(": ping\n\n");
      pinged = Date.now();
    }
    await s.sleep(nextDelay(Date.now() - started));
  }
}

/** Parses NDJSON chunks into log lines, keeping a partial last line for the next chunk. Pure but for `rest`. */
export function ndjsonLines(rest: { text: string }, chunk: string): LogLine[] {
  const text = rest.text + chunk;
  const end = text.lastIndexOf("\n");
  rest.text = end === -1 ? text : text.slice(end + 1);
  if (end === -1) return [];
  const out: LogLine[] = [];
  for (const l of text.slice(0, end).split("\n")) {
    try {
      if (l) out.push(JSON.parse(l) as LogLine);
    } catch {
      // not a log line
    }
  }
  return out;
}

/**
 * Follows the log route (in-process, `follow=1`) and appends each new line to the page's `#logs`; lines at or
 * before `after` (the newest the page already shows) are skipped. Stops with the stream.
 */
export async function streamLogs(s: SSEStreamingApi, api: InProcessApi, path: string, after?: string): Promise<void> {
  const res = await api(path);
  const reader = res.body?.getReader();
  if (res.status !== 200 || !reader) return;
  s.onAbort(() => void reader.cancel().catch(() => undefined));
  const decoder = new TextDecoder();
  const rest = { text: "" };
  while (!s.aborted && !s.closed) {
    const { done, value } = await reader.read();
    if (done) break;
    const lines = ndjsonLines(rest, decoder.decode(value, { stream: true })).filter(
      (l) => !after || l.timestamp > after,
    );
    if (lines.length) await s.writeSSE({ event: "append", data: lines.map((l) => logLine(l).text).join("") });
  }
  await reader.cancel().catch(() => undefined);
}
