/**
 * Crash-loop bookkeeping: consecutive failures of one app version (service, instance, config hash) and when
 * its next task may start. The wait doubles from 1 s to at most 5 min; a task healthy for 30 s resets it.
 * `paasta status` shows it (see status.ts).
 */
import type { TaskRecord } from "./store.js";

export interface Backoff {
  failures: number;
  nextStartAt: number;
  lastReason: string | null;
}

const BACKOFF_BASE_MS = 1000;
const BACKOFF_MAX_MS = 5 * 60_000;
/** A version is considered recovered (backoff reset) once a task has been healthy this long. */
const BACKOFF_RESET_MS = 30_000;

/** The wait before the next start after `failures` consecutive failures (pure). */
export function backoffDelayMs(failures: number): number {
  return Math.min(BACKOFF_BASE_MS * 2 ** (failures - 1), BACKOFF_MAX_MS);
}

/** Whether a task healthy since `healthySince` proves its version recovered (pure). */
export function hasRecovered(healthySince: number | null, now: number): boolean {
  return healthySince !== null && now - healthySince >= BACKOFF_RESET_MS;
}

const keyOf = (service: string, instance: string, configHash: string) => `${service}.${instance}.${configHash}`;

/** The crash-loop state of every app version that failed since the runtime started. */
export class Backoffs {
  private readonly byVersion = new Map<string, Backoff>();

  /** Counts a failure of `t`'s version and pushes its next start back. */
  record(t: TaskRecord, reason: string, now: number): void {
    const key = keyOf(t.service, t.instance, t.config_hash);
    const b = this.byVersion.get(key) ?? { failures: 0, nextStartAt: 0, lastReason: null };
    b.failures++;
    b.lastReason = reason;
    b.nextStartAt = now + backoffDelayMs(b.failures);
    this.byVersion.set(key, b);
  }

  /** Clears the version of `t`, which has recovered. */
  reset(t: TaskRecord): void {
    this.byVersion.delete(keyOf(t.service, t.instance, t.config_hash));
  }

  /** The crash-loop state of an app version and how long until its next start, for status and converge. */
  of(service: string, instance: string, configHash: string, now: number): (Backoff & { waitMs: number }) | undefined {
    if (this.byVersion.size === 0) return undefined; // the usual case, asked for every app on every tick
    const b = this.byVersion.get(keyOf(service, instance, configHash));
    return b ? { ...b, waitMs: Math.max(0, b.nextStartAt - now) } : undefined;
  }
}
