/**
 * The job scheduler as a component, on every backend with the BatchRunner power (`paasta up`: SQLite and the
 * executors; `paasta deployd`: Kubernetes Jobs). It sleeps until the next job is due (or one of its attempts
 * ends), then asks the pure decision (decide.ts) about the jobs that need a look and carries it out: record
 * runs, launch and kill attempts, announce finished runs and overdue actions on the event stream, prune old
 * runs. Records come first: whatever crashes, a restarted scheduler sees what was recorded and never runs a
 * scheduled time or an attempt twice.
 */

import { canRunBatch } from "../../backends/backend.js";
import type { BatchStore } from "../../backends/batch.js";
import { byJob, type JobRef, jobKey, NO_RECORDS } from "../../model/jobs/records.js";
import type { JobsApi } from "../../model/jobs/wire.js";
import type { Component, ComponentHealth } from "../component.js";
import type { RuntimeContext } from "../context.js";
import { type Applied, applyIntents } from "./apply.js";
import { JobConfigs } from "./configs.js";
import { decide } from "./decide.js";
import { jobsApi } from "./jobs-api.js";
import { type JobMetrics, registerJobMetrics } from "./metrics.js";
import { emittedTriggers, withUpstreams } from "./triggers.js";

export interface SchedulerOptions {
  /** How often jobs with something running are looked at (ms). */
  readonly pollMs?: number;
  /** How often soa-configs are checked for changes (ms). */
  readonly configEveryMs?: number;
  readonly now?: () => number;
  /**
   * Look at every job this often (ms), for what others record: on Kubernetes `paasta api` records a manual run
   * or a retry that deployd's scheduler must notice. Off by default (`paasta up` is told by its own API).
   */
  readonly resyncMs?: number;
  /** A job's pass failed (the other jobs go on; it is retried at the next poll). */
  readonly onError?: (job: string, e: unknown) => void;
}

const MAX_SLEEP_MS = 60_000;

export class SchedulerComponent implements Component {
  readonly name = "scheduler";
  readonly configs: JobConfigs;
  readonly store: BatchStore | undefined;
  /** Served by the API (`/v1/jobs`, `/v1/remote_run`). */
  readonly jobs: JobsApi | undefined;
  /** On stop, also stop every running attempt (`paasta up` without --keep-running). */
  stopAttempts = false;
  private readonly wake = new Map<string, number>();
  private readonly attention = new Set<string>();
  /** Jobs with something running: looked at as soon as an attempt ends. */
  private readonly busy = new Set<string>();
  private readonly seen = new Set<string>();
  private readonly metrics: JobMetrics;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private closed = false;
  private unsubscribe: (() => void) | undefined;
  private lastConfigCheck = 0;
  private lastResync = 0;
  private lastError: string | null = null;
  /** Jobs whose last pass failed, with why. */
  private readonly failing = new Map<string, string>();
  passes = 0;

  constructor(
    private readonly ctx: RuntimeContext,
    private readonly o: SchedulerOptions = {},
  ) {
    this.configs = new JobConfigs(ctx.soaDir, ctx.system, ctx.cluster);
    this.store = canRunBatch(ctx.backend) ? ctx.backend.batch() : undefined;
    this.metrics = registerJobMetrics(ctx.metrics.registry);
    this.jobs = this.store
      ? jobsApi({ ...ctx, configs: this.configs, store: this.store, poke: (ref) => this.poke(ref), now: o.now })
      : undefined;
  }

  private now(): number {
    return (this.o.now ?? Date.now)();
  }

  async start(): Promise<void> {
    if (!this.store) return;
    for (const k of this.configs.refresh()) this.attention.add(k);
    this.lastConfigCheck = this.now();
    this.unsubscribe = this.store.onChange?.(() => this.poke());
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.unsubscribe?.();
    await this.running;
    if (this.stopAttempts) await this.store?.stopAll?.("stopped with paasta up");
  }

  /** Look at a job now (without one: every job with something running, e.g. after an attempt ended). */
  poke(ref?: JobRef): void {
    if (ref) this.attention.add(jobKey(ref));
    else for (const k of this.busy) this.attention.add(k);
    this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(
      () => {
        this.running = this.tick().finally(() => {
          this.running = undefined;
          const again = this.again;
          this.again = false;
          this.schedule(again ? 0 : this.sleepMs());
        });
      },
      Math.max(0, ms),
    );
  }

  private sleepMs(): number {
    const now = this.now();
    let next = now + Math.min(this.o.configEveryMs ?? 5000, this.o.resyncMs ?? MAX_SLEEP_MS, MAX_SLEEP_MS);
    for (const t of this.wake.values()) if (t < next) next = t;
    return next - now;
  }

  private async tick(): Promise<void> {
    const now = this.now();
    try {
      if (now - this.lastConfigCheck >= (this.o.configEveryMs ?? 5000)) {
        for (const k of this.configs.refresh()) this.attention.add(k);
        this.lastConfigCheck = now;
      }
      for (const [k, t] of this.wake) if (t <= now) this.attention.add(k);
      if (this.o.resyncMs !== undefined && now - this.lastResync >= this.o.resyncMs) {
        for (const j of this.configs.all()) this.attention.add(jobKey(j));
        this.lastResync = now;
      }
      if (this.attention.size > 0) await this.pass();
      this.lastError = null;
    } catch (e) {
      this.lastError = (e as Error).message;
      this.o.onError?.("*", e);
    }
  }

  /** Decides and acts for the jobs that need a look, again for those that changed (new runs start at once). */
  private async pass(): Promise<void> {
    let keys = [...this.attention];
    this.attention.clear();
    for (let round = 0; round < 4 && keys.length > 0; round++) {
      const loaded = keys.map((k) => ({ key: k, l: this.findLoaded(k) }));
      for (const { key, l } of loaded) if (!l?.config) this.wake.delete(key);
      const jobs = loaded.filter((x) => x.l?.config).map((x) => x.l as NonNullable<typeof x.l>);
      if (jobs.length === 0) return;
      const toRead = withUpstreams(this.configs, jobs);
      let records: Awaited<ReturnType<BatchStore["read"]>>;
      try {
        records = await (this.store as BatchStore).read({ jobs: toRead });
      } catch (e) {
        for (const l of jobs) this.wake.set(jobKey(l), this.now() + (this.o.pollMs ?? 1000));
        throw e;
      }
      const changed: string[] = [];
      const grouped = byJob(records);
      const triggers = emittedTriggers(toRead, grouped);
      for (const l of jobs) {
        let applied: Applied;
        try {
          const own = grouped.get(jobKey(l)) ?? NO_RECORDS;
          applied = await applyIntents(this.applyContext(), l, own, this.now(), triggers);
          this.failing.delete(jobKey(l));
        } catch (e) {
          // One job's failure never stops the others; it is looked at again after a poll interval.
          this.failing.set(jobKey(l), (e as Error).message);
          this.o.onError?.(jobKey(l), e);
          applied = { changed: false, busy: false, wakeAt: this.now() + (this.o.pollMs ?? 1000) };
        }
        this.wake.set(jobKey(l), applied.wakeAt);
        if (applied.busy) this.busy.add(jobKey(l));
        else this.busy.delete(jobKey(l));
        if (applied.changed) changed.push(jobKey(l));
      }
      keys = changed;
      this.passes++;
    }
    for (const k of keys) this.attention.add(k);
  }

  private applyContext() {
    return {
      ctx: this.ctx,
      store: this.store as BatchStore,
      metrics: this.metrics,
      seen: this.seen,
      pollMs: this.o.pollMs ?? 1000,
      decide,
    };
  }

  private findLoaded(key: string) {
    const dot = key.indexOf(".");
    return this.configs.get({ service: key.slice(0, dot), job: key.slice(dot + 1) });
  }

  health(): ComponentHealth {
    if (!this.store) return { ok: true, detail: `the ${this.ctx.backend.kind} backend runs no batch work: jobs off` };
    const jobs = this.configs.all();
    const invalid = jobs.filter((j) => j.problems.length > 0).length;
    if (this.lastError) return { ok: false, detail: `last pass failed: ${this.lastError}` };
    const failing = [...this.failing].map(([k, why]) => `${k}: ${why}`);
    return {
      ok: invalid === 0 && failing.length === 0,
      detail: `${jobs.length} job(s), ${invalid} with config problems${failing.length > 0 ? `; failing: ${failing.join("; ")}` : ""}`,
    };
  }
}
