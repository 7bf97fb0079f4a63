/**
 * The rollout window: how many workload writes (Deployments, StatefulSets) may be waiting on the cluster's
 * controllers at once. A write is "waiting" until the watched copy shows that the controllers acted on it: the
 * workload's controller observed its generation and the new version has its first replica (created, not
 * necessarily Ready: a crashing new version must not hold the window). An entry older than `maxAgeMs` leaves the
 * window anyway (controllers down, a quota refusing pods): the window paces, it never stops a pass.
 *
 * Why (docs/design/0004-rollout-window.md): the API server accepting our writes quickly says nothing about the
 * controllers keeping up. 1,000 Deployments written in a few seconds leave the deployment controller (5
 * workers) with 1,000 rollouts queued; the whole control plane slows under the backlog (writes 10× slower),
 * so every pod is Ready later than when the same writes reach the controllers at the pace they can take.
 * The adaptive write gate (gate.ts) still bounds the writes in flight; this bounds the rollouts in flight.
 */
import { type KubeStateReader, WORKLOAD_KINDS } from "./cache/index.js";
import type { KubeObject } from "./render/types.js";

/** The kinds whose writes take a place: the workloads (Deployments, StatefulSets). */
export const isWorkload = (kind: string): boolean => (WORKLOAD_KINDS as readonly string[]).includes(kind);

export interface WindowSettings {
  /** Rollouts waiting on the controllers at once. */
  readonly size: number;
  /** An entry older than this (ms) stops counting. */
  readonly maxAgeMs: number;
}

export const WINDOW_DEFAULTS: WindowSettings = { size: 32, maxAgeMs: 30_000 };

interface Entry {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** The generation our write produced. */
  readonly generation: number;
  readonly at: number;
}

/** Whether the controllers acted on generation `generation` of `live` (pure; absent = gone = acted on). */
export function rolloutStarted(live: KubeObject | undefined, generation: number): boolean {
  if (!live) return true;
  const status = (live.status ?? {}) as { observedGeneration?: number; updatedReplicas?: number };
  const replicas = Number((live.spec as { replicas?: number } | undefined)?.replicas ?? 1);
  if ((status.observedGeneration ?? 0) < generation) return false;
  return (status.updatedReplicas ?? 0) >= Math.min(1, replicas);
}

/** Entries still waiting on the controllers at `now` (pure). */
export function waiting(
  entries: readonly Entry[],
  now: number,
  read: (e: Entry) => KubeObject | undefined,
  s: WindowSettings,
): Entry[] {
  return entries.filter((e) => now - e.at < s.maxAgeMs && !rolloutStarted(read(e), e.generation));
}

/** A reserved place in the window: `started` with the server's answer, or `cancel` if the write failed. */
export interface WindowSlot {
  started(answer: KubeObject): void;
  cancel(): void;
}

export class RolloutWindow {
  private entries: Entry[] = [];
  private reserved = 0;
  private readonly waiters: Array<() => void> = [];
  private unsubscribe: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly cache: KubeStateReader,
    private readonly settings: WindowSettings = WINDOW_DEFAULTS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Rollouts counted now (waiting on the controllers, plus places reserved for writes in flight). */
  get inFlight(): number {
    return this.entries.length + this.reserved;
  }

  /** Resolves with a place once fewer than `size` rollouts wait on the controllers. */
  enter(): Promise<WindowSlot> {
    this.unsubscribe ??= this.cache.onChange((c) => {
      if (isWorkload(c.kind)) this.pump();
    });
    return new Promise((resolve) => {
      this.waiters.push(() => resolve(this.slot()));
      this.pump();
    });
  }

  /** Stops watching; writes still waiting go on (they fail against a closed client rather than hang a stop). */
  close(): void {
    this.closed = true;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    clearTimeout(this.timer);
    for (const admit of this.waiters.splice(0)) admit();
  }

  private slot(): WindowSlot {
    this.reserved++;
    let done = false;
    const release = () => {
      if (done) return false;
      done = true;
      this.reserved--;
      return true;
    };
    return {
      started: (answer) => {
        if (!release()) return;
        const m = answer.metadata;
        const entry = { kind: answer.kind, namespace: m.namespace ?? "", name: m.name, at: this.now() };
        const generation = Number((m as { generation?: number }).generation ?? 0);
        this.entries.push({ ...entry, generation });
        this.pump();
      },
      cancel: () => {
        if (release()) this.pump();
      },
    };
  }

  private pump(): void {
    // Nothing waits: nothing to decide (entries are pruned when a write asks for a place).
    if (this.waiters.length === 0) return;
    const now = this.now();
    this.entries = waiting(this.entries, now, (e) => this.cache.get(e.kind, e.namespace, e.name), this.settings);
    while (this.waiters.length > 0 && (this.closed || this.inFlight < this.settings.size)) this.waiters.shift()?.();
    clearTimeout(this.timer);
    this.timer = undefined;
    // Ageing needs no event: wake when the oldest entry stops counting.
    if (this.waiters.length > 0 && this.entries.length > 0) {
      const oldest = Math.min(...this.entries.map((e) => e.at));
      this.timer = setTimeout(() => this.pump(), Math.max(1, oldest + this.settings.maxAgeMs - now));
      this.timer.unref();
    }
  }
}
