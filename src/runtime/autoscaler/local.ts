/**
 * One round of the local autoscaler over every autoscaled app, given what was measured: samples into each
 * metric's moving-average window, each metric's proposal, the decision (decide.ts) within the bounds (an
 * override's where one applies), and the counts to set. Synchronous and clock-driven, so a test feeds it usage
 * and reads the decisions by value. Nothing changes while autoscaling is paused; bespoke instances are left to
 * whoever POSTs their count.
 */
import type { ReplicaUsage } from "../../backends/backend.js";
import type { ResolvedInstanceConfig, ResolvedMetricsProvider } from "../../config/types.js";
import { type AppRef, appKey, type DesiredApp } from "../../model/app.js";
import {
  type AutoscalerMetric,
  type AutoscalingRecord,
  activeOverride,
  activePause,
  boundsOf,
} from "../../model/autoscaling.js";
import { behaviorOf, decide, NEW_STATE, proportional, type ScalerState } from "./decide.js";
import {
  activeRequestsSample,
  CpuRates,
  LOCAL_PROVIDERS,
  NOT_LOCAL,
  resourceSample,
  setpointOf,
  Window,
} from "./metrics.js";

export interface AppView {
  readonly app: DesiredApp;
  /** Replicas the backend runs for it now. */
  readonly current: number;
}

/** What the last round saw and decided for an app (status and the API read it). */
export interface AppScaling {
  readonly at: number;
  readonly current: number;
  readonly desired: number;
  readonly calculated: number | null;
  readonly reason: string;
  readonly metrics: readonly AutoscalerMetric[];
}

export interface RoundInput {
  readonly now: number;
  readonly apps: readonly AppView[];
  readonly usage: readonly ReplicaUsage[];
  /** Sessions in flight per app key (the proxy's), for active-requests; absent: not available. */
  readonly sessions?: ReadonlyMap<string, number | null>;
  readonly record: AutoscalingRecord;
  /** The window of providers that set none (cpu, memory), seconds. */
  readonly defaultWindowSeconds: number;
}

export interface ScaleChange {
  readonly ref: AppRef;
  readonly from: number;
  readonly to: number;
  readonly why: string;
}

/** Bespoke autoscaling: no autoscaler of ours; an outside controller POSTs the count. */
export function isBespoke(config: Pick<ResolvedInstanceConfig, "metrics_providers">): boolean {
  return config.metrics_providers.some((p) => p.decision_policy === "bespoke");
}

export class LocalDecisions {
  private readonly windows = new Map<string, Window>();
  private readonly states = new Map<string, ScalerState>();
  private readonly cpu = new CpuRates();
  readonly last = new Map<string, AppScaling>();

  round(i: RoundInput): ScaleChange[] {
    const rates = this.cpu.update(i.usage);
    const byApp = new Map<string, ReplicaUsage[]>();
    for (const u of i.usage) byApp.set(appKey(u), [...(byApp.get(appKey(u)) ?? []), u]);
    const seen = new Set<string>();
    const changes: ScaleChange[] = [];
    for (const view of i.apps) {
      const { app } = view;
      if (!app.config.autoscaled || app.desired_state !== "start") continue;
      const key = appKey(app);
      seen.add(key);
      const change = this.roundOf(view, byApp.get(key) ?? [], rates, i);
      if (change) changes.push(change);
    }
    for (const key of [...this.last.keys()]) if (!seen.has(key)) this.forget(key);
    return changes;
  }

  private forget(key: string): void {
    this.last.delete(key);
    this.states.delete(key);
    for (const w of [...this.windows.keys()]) if (w.startsWith(`${key}|`)) this.windows.delete(w);
  }

  private roundOf(
    view: AppView,
    tasks: readonly ReplicaUsage[],
    rates: ReadonlyMap<string, number>,
    i: RoundInput,
  ): ScaleChange | undefined {
    const { app, current } = view;
    const key = appKey(app);
    const metrics = app.config.metrics_providers.map((p) => this.metricOf(key, app, p, tasks, rates, current, i));
    const keep = (reason: string) => {
      this.last.set(key, { at: i.now, current, desired: current, calculated: null, reason, metrics });
      return undefined;
    };
    if (isBespoke(app.config)) return keep("bespoke: the count is set through the API");
    const paused = activePause(i.record, i.now);
    if (paused) return keep(`autoscaling paused until ${paused}`);
    const bounds = boundsOf(app.config, activeOverride(i.record, app, i.now));
    const d = decide({
      now: i.now,
      current,
      proposals: metrics.map((m) => m.proposal),
      bounds,
      scaleDown: behaviorOf(app.config.scaledown),
      state: this.states.get(key) ?? NEW_STATE,
    });
    this.states.set(key, d.state);
    const lead = leading(metrics);
    const why = lead ? `${lead.type} ${lead.current?.toFixed(2)} (setpoint ${lead.setpoint}): ${d.reason}` : d.reason;
    this.last.set(key, { at: i.now, current, desired: d.desired, calculated: d.calculated, reason: why, metrics });
    return d.desired !== current
      ? { ref: { service: app.service, instance: app.instance }, from: current, to: d.desired, why }
      : undefined;
  }

  private metricOf(
    key: string,
    app: DesiredApp,
    p: ResolvedMetricsProvider,
    tasks: readonly ReplicaUsage[],
    rates: ReadonlyMap<string, number>,
    current: number,
    i: RoundInput,
  ): AutoscalerMetric {
    const setpoint = setpointOf(p);
    const none = (reason: string): AutoscalerMetric => ({
      type: p.type,
      current: null,
      setpoint,
      proposal: null,
      available: false,
      reason,
    });
    if (!LOCAL_PROVIDERS.has(p.type)) return none(NOT_LOCAL);
    let sample: { value: number; replicas: number } | null;
    if (p.type === "active-requests") {
      const sessions = i.sessions?.get(key);
      if (sessions === undefined || sessions === null)
        return none("the local proxy does not serve this instance (HAProxy not running, or no registration)");
      sample = activeRequestsSample(sessions, tasks.length);
    } else sample = resourceSample(p.type as "cpu" | "memory", app.config, tasks, rates);
    const windowMs = (p.moving_average_window_seconds ?? i.defaultWindowSeconds) * 1000;
    const wkey = `${key}|${p.type}`;
    const window = this.windows.get(wkey) ?? new Window();
    this.windows.set(wkey, window);
    if (sample) window.add({ at: i.now, ...sample }, windowMs);
    const avg = window.average(i.now, windowMs);
    if (!avg) return { ...none("no healthy task measured yet"), available: true };
    const proposal = proportional(avg.value, setpoint, avg.replicas, current);
    return { type: p.type, current: round3(avg.value), setpoint, proposal, available: true, reason: null };
  }
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;

/** The metric asking for the most replicas (the one that decides), or the first with data. */
export function leading(metrics: readonly AutoscalerMetric[]): AutoscalerMetric | undefined {
  return [...metrics]
    .filter((m) => m.proposal !== null)
    .sort((a, b) => (b.proposal as number) - (a.proposal as number))[0];
}
