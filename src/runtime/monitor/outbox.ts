/**
 * The outbox: every notification is queued per sink before it is sent, kept (and persisted with the alert
 * state) until the sink takes it, and retried with a doubling delay while the sink is down, in order. So a
 * sink that is down loses nothing: it gets everything when it returns. A newer notification about a check
 * replaces an undelivered one only where the sink says so (Alertmanager's refreshes; Sensu's results).
 */
import type { Notification, Sink } from "./sinks/index.js";

export interface OutboxEntry {
  readonly id: number;
  readonly sink: string;
  readonly n: Notification;
  readonly attempts: number;
  /** Epoch ms of the next try. */
  readonly nextAt: number;
  readonly lastError: string | null;
}

export interface FlushResult {
  readonly delivered: OutboxEntry[];
  readonly failed: Array<{ readonly sink: string; readonly error: string }>;
}

/** More than this many undelivered entries: the oldest replaceable ones (then the oldest) are dropped. */
export const MAX_ENTRIES = 20_000;
const BATCH = 500;

export function retryDelayMs(attempts: number, maxMs: number): number {
  return Math.min(maxMs, 30_000, 1000 * 2 ** Math.max(0, attempts - 1));
}

export class Outbox {
  private entries: OutboxEntry[];
  private nextId: number;
  private flushing = false;

  constructor(saved: readonly OutboxEntry[] = []) {
    this.entries = [...saved];
    this.nextId = Math.max(0, ...saved.map((e) => e.id)) + 1;
  }

  get all(): readonly OutboxEntry[] {
    return this.entries;
  }

  /** Queues `n` for every sink that takes its kind; returns the ids of those sinks. */
  enqueue(sinks: readonly Sink[], n: Notification): string[] {
    const to: string[] = [];
    for (const s of sinks) {
      if (!s.kinds.has(n.kind)) continue;
      this.entries = this.entries.filter(
        (e) => !(e.sink === s.id && e.n.event.name === n.event.name && s.supersedes.has(e.n.kind)),
      );
      this.entries.push({ id: this.nextId++, sink: s.id, n, attempts: 0, nextAt: 0, lastError: null });
      to.push(s.id);
    }
    if (this.entries.length > MAX_ENTRIES) this.trim(sinks);
    return to;
  }

  private trim(sinks: readonly Sink[]): void {
    const replaceable = new Set(sinks.flatMap((s) => [...s.supersedes].map((k) => `${s.id}|${k}`)));
    let excess = this.entries.length - MAX_ENTRIES;
    this.entries = this.entries.filter((e) => {
      if (excess > 0 && replaceable.has(`${e.sink}|${e.n.kind}`)) {
        excess--;
        return false;
      }
      return true;
    });
    if (excess > 0) this.entries = this.entries.slice(excess);
  }

  pending(sinkId: string): number {
    return this.entries.filter((e) => e.sink === sinkId).length;
  }

  /** When the earliest waiting entry is due (epoch ms), or undefined when nothing waits. */
  nextDue(): number | undefined {
    return this.entries.length === 0 ? undefined : Math.min(...this.entries.map((e) => e.nextAt));
  }

  /**
   * Sends what is due, per sink in order (a sink's batch waits while its oldest entry waits). Returns what was
   * delivered and which sinks failed (the caller persists when either is non-empty).
   */
  async flush(sinks: readonly Sink[], now: number, maxDelayMs: number): Promise<FlushResult> {
    const result: FlushResult = { delivered: [], failed: [] };
    if (this.flushing) return result;
    this.flushing = true;
    try {
      await Promise.all(
        sinks.map(async (s) => {
          const mine = this.entries.filter((e) => e.sink === s.id);
          const first = mine[0];
          if (!first || first.nextAt > now) return;
          const batch = mine.slice(0, BATCH);
          const ids = new Set(batch.map((e) => e.id));
          try {
            await s.deliver(batch.map((e) => e.n));
            this.entries = this.entries.filter((e) => !ids.has(e.id));
            result.delivered.push(...batch);
          } catch (err) {
            const lastError = (err as Error).message;
            result.failed.push({ sink: s.id, error: lastError });
            this.entries = this.entries.map((e) =>
              ids.has(e.id)
                ? { ...e, attempts: e.attempts + 1, nextAt: now + retryDelayMs(e.attempts + 1, maxDelayMs), lastError }
                : e,
            );
          }
        }),
      );
    } finally {
      this.flushing = false;
    }
    return result;
  }
}
