/**
 * The monitor as a component (`paasta up`, `paasta deployd`, `paasta monitor`): every
 * `monitoring_check_interval_seconds` it reads every instance's status, runs the checks (evaluate.ts), steps
 * the alert states, queues notifications in the outbox, sends them to the sinks and persists the record.
 * Job runs and OOM kills arrive on the runtime's event stream and are kept in the record until the next pass.
 */
import type { ActiveAlert } from "../../model/alerts.js";
import type { Component, ComponentHealth } from "../component.js";
import type { RuntimeContext } from "../context.js";
import { evaluate, type PassOutput } from "./evaluate.js";
import { EventIntake } from "./intake.js";
import { type MonitorMetrics, registerMonitorMetrics } from "./metrics.js";
import { Outbox } from "./outbox.js";
import { backendReader, type InstanceReader, jobMonitoring } from "./reader.js";
import { createSinks, type Sink } from "./sinks/index.js";
import { activeAlerts, emptyRecord, type MonitorRecord, type StateStore, stateStore } from "./state.js";

export interface MonitorOptions {
  /** Overrides `monitoring_check_interval_seconds` (tests, bench). */
  readonly intervalSeconds?: number;
  readonly reader?: InstanceReader;
  readonly store?: StateStore;
  readonly sinks?: readonly Sink[];
  readonly now?: () => Date;
  /** Register metrics (off for a second monitor on one registry, e.g. in the bench). */
  readonly metrics?: boolean;
  readonly onPass?: (p: PassOutput) => void;
  readonly onError?: (e: unknown) => void;
}

export class MonitorComponent implements Component {
  readonly name = "monitor";
  private record: MonitorRecord = emptyRecord();
  private outbox = new Outbox();
  private readonly sinks: readonly Sink[];
  private readonly store: StateStore;
  private readonly reader: InstanceReader;
  private readonly now: () => Date;
  private readonly intake: EventIntake;
  private metrics: MonitorMetrics | undefined;
  private timer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private savedText = "";
  private lastError: string | undefined;
  private lastPassAt: Date | undefined;
  passes = 0;

  constructor(
    private readonly ctx: RuntimeContext,
    private readonly o: MonitorOptions = {},
  ) {
    this.now = o.now ?? (() => new Date());
    this.sinks = o.sinks ?? createSinks(ctx.system.monitoringSinks(), ctx.log, () => this.ttlSeconds());
    this.store = o.store ?? stateStore(ctx.backend, ctx.cluster);
    this.reader = o.reader ?? backendReader(ctx);
    this.intake = new EventIntake(ctx, {
      record: () => this.record,
      monitoring: (service, job) => jobMonitoring(ctx.soaDir, ctx.system, ctx.cluster, service, job),
      changed: () => this.soon(),
    });
  }

  get intervalSeconds(): number {
    return this.o.intervalSeconds ?? this.ctx.system.monitoringCheckIntervalSeconds();
  }

  /** How long Alertmanager keeps a firing alert that is not re-posted: several passes, at least 5 minutes. */
  private ttlSeconds(): number {
    return Math.max(300, 4 * this.intervalSeconds);
  }

  async start(): Promise<void> {
    const saved = await this.store.load();
    if (saved) {
      this.record = saved;
      this.outbox = new Outbox(saved.outbox);
      this.savedText = JSON.stringify(saved);
    }
    if (this.o.metrics !== false) {
      this.metrics = registerMonitorMetrics(
        this.ctx.metrics.registry,
        () => this.firingByTeam(),
        () => Object.fromEntries(this.sinks.map((s) => [s.id, this.outbox.pending(s.id)])),
      );
    }
    this.intake.start();
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.retryTimer);
    this.intake.stop();
    await this.running;
    await this.persist().catch(() => {});
  }

  health(): ComponentHealth {
    const durable = this.store.durable ? "" : "; alert state in memory only (the backend cannot store records)";
    if (this.lastError) return { ok: false, detail: `last pass failed: ${this.lastError}${durable}` };
    const firing = Object.values(this.record.alerts).filter((a) => a.fired).length;
    const sinks = this.sinks.map((s) => s.id).join(", ") || "no sinks";
    return { ok: true, detail: `${firing} alert(s) firing; every ${this.intervalSeconds}s to ${sinks}${durable}` };
  }

  alerts(): ActiveAlert[] {
    return activeAlerts(this.record);
  }

  private firingByTeam(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const a of Object.values(this.record.alerts)) if (a.fired) out[a.event.team] = (out[a.event.team] ?? 0) + 1;
    return out;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
  }

  /** A pass soon (a job report arrived), without waiting for the interval. */
  private soon(): void {
    if (!this.stopped && this.lastPassAt) this.schedule(50);
  }

  private async tick(): Promise<void> {
    await this.pass().catch(() => undefined);
    this.schedule(this.intervalSeconds * 1000);
  }

  /** One pass now (waits for a running one first). Throws what the read threw; the state is then unchanged. */
  async pass(): Promise<PassOutput> {
    while (this.running) await this.running;
    let out: PassOutput | undefined;
    this.running = this.runPass().then((o) => {
      out = o;
    });
    try {
      await this.running;
    } finally {
      this.running = undefined;
    }
    return out as PassOutput;
  }

  private async runPass(): Promise<PassOutput> {
    const started = performance.now();
    try {
      const snap = await this.reader.read();
      const now = this.now();
      const out = evaluate(
        this.record,
        {
          cluster: this.ctx.cluster,
          apps: snap.apps,
          statuses: snap.statuses,
          frozen: snap.frozen,
          intervalSeconds: this.intervalSeconds,
          bounceStuckSeconds: this.ctx.system.monitoringBounceStuckSeconds(),
        },
        now,
      );
      this.record = out.record;
      for (const n of out.notifications) this.outbox.enqueue(this.sinks, n);
      for (const e of out.events) this.metrics?.checks.inc({ check: e.check, status: String(e.status) });
      this.lastError = undefined;
      this.lastPassAt = now;
      this.passes++;
      await this.deliver();
      this.o.onPass?.(out);
      return out;
    } catch (e) {
      this.lastError = (e as Error).message;
      this.o.onError?.(e);
      throw e;
    } finally {
      this.metrics?.passDuration.observe((performance.now() - started) / 1000);
    }
  }

  /** Sends what the outbox holds, records where it went, persists, and schedules the next retry. */
  async deliver(): Promise<void> {
    const r = await this.outbox.flush(this.sinks, this.now().getTime(), this.intervalSeconds * 1000);
    for (const e of r.delivered) {
      const name = e.n.event.name;
      if (e.n.kind === "result" || e.n.kind === "resolve" || !this.record.alerts[name]) continue;
      const to = this.record.sentTo[name] ?? [];
      if (!to.includes(e.sink)) this.record.sentTo[name] = [...to, e.sink];
    }
    for (const sink of new Set(r.delivered.map((e) => e.sink)))
      this.metrics?.deliveries.inc({ sink, result: "delivered" });
    for (const f of r.failed) this.metrics?.deliveries.inc({ sink: f.sink, result: "failed" });
    await this.persist();
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    clearTimeout(this.retryTimer);
    const due = this.outbox.nextDue();
    if (due === undefined || this.stopped) return;
    const wait = Math.max(100, due - this.now().getTime());
    this.retryTimer = setTimeout(() => void this.deliver().catch(() => undefined), wait);
  }

  private async persist(): Promise<void> {
    this.record.outbox = [...this.outbox.all];
    const text = JSON.stringify(this.record);
    if (text === this.savedText) return;
    await this.store.save(this.record);
    this.savedText = text;
  }
}
