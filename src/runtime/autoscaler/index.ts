/**
 * The autoscaler as a component. Which half runs depends on the backend's powers, never its kind:
 *
 * - where the backend measures its replicas and sets counts (UsageReader + ReplicaScaler: `paasta up`), it is
 *   the cluster's autoscaler: every `autoscaler_interval_seconds` it reads usage, decides per autoscaled app
 *   (local.ts, decide.ts) within the overrides, and sets the counts (no bounce);
 * - elsewhere (Kubernetes, inside deployd) the cluster has its own autoscaler (the HPA): this component reads
 *   the overrides and the pause at that interval and, whenever they change or expire, asks for a reconcile pass
 *   (`onControlsChanged`), which renders them into the HPAs.
 *
 * Either way it holds the current record for the reconcile (`record()`) and the API, and `poke()` makes it look
 * again at once (after the API changed an override in this process).
 */
import type * as Prom from "prom-client";
import { promClient } from "../../api/metrics.js";
import { canReadUsage, canScaleReplicas } from "../../backends/backend.js";
import { type AppRef, appKey, type DesiredApp } from "../../model/app.js";
import {
  type AutoscalingRecord,
  activePause,
  emptyAutoscalingRecord,
  nextExpiry,
  withoutExpired,
} from "../../model/autoscaling.js";
import { stableJson } from "../../model/stable-json.js";
import type { Component, ComponentHealth } from "../component.js";
import type { RuntimeContext } from "../context.js";
import { type AppScaling, LocalDecisions, type RoundInput, type ScaleChange } from "./local.js";
import type { ActiveRequestsSource } from "./metrics.js";
import { type AutoscalingStore, autoscalingStore } from "./store.js";

export interface AutoscalerOptions {
  readonly intervalSeconds?: number;
  /** The apps the reconcile applies (the local half needs their configs). */
  readonly desiredApps?: () => readonly DesiredApp[] | undefined;
  /** The proxy's sessions per instance (active-requests); without it that provider reports "not available". */
  readonly activeRequests?: ActiveRequestsSource;
  /** The cluster half: overrides or the pause changed or expired. */
  readonly onControlsChanged?: () => void;
  readonly store?: AutoscalingStore;
  readonly now?: () => number;
  readonly onError?: (e: unknown) => void;
}

export class AutoscalerComponent implements Component {
  readonly name = "autoscaler";
  readonly store: AutoscalingStore;
  private readonly decisions = new LocalDecisions();
  private current: AutoscalingRecord = emptyAutoscalingRecord();
  private controls = "";
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private lastError: string | undefined;
  private roundSeconds: Prom.Histogram | undefined;
  private scalings: Prom.Counter<"direction"> | undefined;
  readonly now: () => number;
  rounds = 0;

  constructor(
    private readonly ctx: RuntimeContext,
    private readonly o: AutoscalerOptions = {},
  ) {
    this.store = o.store ?? autoscalingStore(ctx.backend, ctx.cluster);
    this.now = o.now ?? Date.now;
  }

  /** Whether this process decides counts itself (the backend measures and scales its replicas). */
  get decidesLocally(): boolean {
    return canReadUsage(this.ctx.backend) && canScaleReplicas(this.ctx.backend);
  }

  get intervalSeconds(): number {
    return this.o.intervalSeconds ?? this.ctx.system.autoscalerIntervalSeconds();
  }

  /** The overrides and pause as last read. */
  record(): AutoscalingRecord {
    return this.current;
  }

  /** What the last round saw and decided for an app (local half). */
  scaling(ref: AppRef): AppScaling | undefined {
    return this.decisions.last.get(appKey(ref));
  }

  async start(): Promise<void> {
    const prom = promClient();
    const registers = [this.ctx.metrics.registry];
    this.roundSeconds = new prom.Histogram({
      name: "paasta_autoscaler_round_seconds",
      help: "Duration of the autoscaler's rounds (reading usage and overrides, deciding, scaling)",
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1],
      registers,
    });
    this.scalings = new prom.Counter({
      name: "paasta_autoscaler_scalings_total",
      help: "Replica counts changed by the local autoscaler, by direction (up, down)",
      labelNames: ["direction"] as const,
      registers,
    });
    this.current = await this.store.load().catch(() => emptyAutoscalingRecord());
    this.controls = controlsOf(this.current, this.now());
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  health(): ComponentHealth {
    const now = this.now();
    const paused = activePause(this.current, now);
    const overrides = Object.keys(withoutExpired(this.current, now).overrides).length;
    const mode = this.decidesLocally
      ? `deciding every ${this.intervalSeconds}s for ${this.decisions.last.size} autoscaled instance(s)`
      : "the cluster's HPAs decide; overrides are rendered into them";
    const detail = `${mode}; ${overrides} override(s)${paused ? `; paused until ${paused}` : ""}`;
    return this.lastError
      ? { ok: false, detail: `${detail}; last round failed: ${this.lastError}` }
      : { ok: true, detail };
  }

  /** Another round soon (an override or the pause was just changed in this process). */
  poke(): void {
    if (!this.stopped) this.schedule(20);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
  }

  private async tick(): Promise<void> {
    if (this.running) return this.poke();
    this.running = this.round().then(
      () => {
        this.running = undefined;
      },
      () => {
        this.running = undefined;
      },
    );
    await this.running;
    const now = this.now();
    const expiry = nextExpiry(this.current, now);
    const next = Math.min(
      this.intervalSeconds * 1000,
      expiry === undefined ? Number.POSITIVE_INFINITY : expiry - now + 5,
    );
    this.schedule(Math.max(10, next));
  }

  /** One round now (tests and the bench call it directly). */
  async round(): Promise<ScaleChange[]> {
    const started = performance.now();
    try {
      this.current = await this.store.load();
      const changes = this.decidesLocally ? await this.decideLocally() : [];
      const controls = controlsOf(this.current, this.now());
      if (controls !== this.controls) {
        this.controls = controls;
        this.o.onControlsChanged?.();
      }
      this.lastError = undefined;
      this.rounds++;
      return changes;
    } catch (e) {
      this.lastError = (e as Error).message;
      this.o.onError?.(e);
      return [];
    } finally {
      this.roundSeconds?.observe((performance.now() - started) / 1000);
    }
  }

  private async decideLocally(): Promise<ScaleChange[]> {
    const backend = this.ctx.backend;
    if (!canReadUsage(backend) || !canScaleReplicas(backend)) return [];
    const apps = (this.o.desiredApps?.() ?? []).filter((a) => a.config.autoscaled);
    if (apps.length === 0) return this.decisions.round(this.input([], [], new Map()));
    const [observed, usage] = await Promise.all([backend.observe(), backend.readUsage()]);
    const current = new Map(observed.map((o) => [appKey(o), o.desired_replicas]));
    const sessions = new Map<string, number | null>();
    const source = this.o.activeRequests;
    if (source)
      for (const a of apps)
        if (a.config.metrics_providers.some((p) => p.type === "active-requests"))
          sessions.set(appKey(a), await source.activeRequests(a).catch(() => null));
    const views = apps.flatMap((app) => {
      const n = current.get(appKey(app));
      return n === undefined ? [] : [{ app, current: n }];
    });
    const changes = this.decisions.round(this.input(views, usage, sessions));
    for (const c of changes) {
      if (!(await backend.scaleReplicas(c.ref, c.to))) continue;
      this.scalings?.inc({ direction: c.to > c.from ? "up" : "down" });
      this.ctx.log.write({
        timestamp: new Date(this.now()).toISOString(),
        level: "event",
        cluster: this.ctx.cluster,
        ...c.ref,
        component: "deploy",
        message: `Autoscaled ${appKey(c.ref)} from ${c.from} to ${c.to} replicas: ${c.why}`,
      });
      this.ctx.events.emit("autoscaler.scaled", {
        at: new Date(this.now()).toISOString(),
        ...c.ref,
        cluster: this.ctx.cluster,
        from: c.from,
        to: c.to,
        why: c.why,
      });
    }
    return changes;
  }

  private input(
    apps: RoundInput["apps"],
    usage: RoundInput["usage"],
    sessions: ReadonlyMap<string, number | null>,
  ): RoundInput {
    return {
      now: this.now(),
      apps,
      usage,
      sessions,
      record: this.current,
      defaultWindowSeconds: this.ctx.system.autoscalerWindowSeconds(),
    };
  }
}

/** What of the record a backend renders (active overrides and pause), as comparable text. */
function controlsOf(r: AutoscalingRecord, now: number): string {
  const live = withoutExpired(r, now);
  return stableJson({
    overrides: Object.keys(live.overrides)
      .sort()
      .map((k) => [k, live.overrides[k]]),
    paused: live.paused_until,
  });
}
