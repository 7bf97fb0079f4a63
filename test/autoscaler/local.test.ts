/**
 * The local autoscaler's rounds by value (LocalDecisions): usage in, decisions out, with the overrides and the
 * pause of a record. The usage is made up here (what /proc or the engine would report: CPU-time counters and
 * RSS per task); the real readers are tested against real processes in usage.test.ts.
 */
import { describe, expect, it } from "vitest";
import type { ReplicaUsage } from "../../src/backends/backend.js";
import type { ResolvedInstanceConfig, ResolvedMetricsProvider } from "../../src/config/types.js";
import type { DesiredApp } from "../../src/model/app.js";
import {
  type AutoscalingRecord,
  activeOverride,
  boundsOf,
  controlOf,
  emptyAutoscalingRecord,
  nextExpiry,
  withoutExpired,
} from "../../src/model/autoscaling.js";
import { LocalDecisions } from "../../src/runtime/autoscaler/local.js";
import { Window } from "../../src/runtime/autoscaler/metrics.js";

const provider = (type: string, extra: Partial<ResolvedMetricsProvider> = {}): ResolvedMetricsProvider => ({
  type,
  explicit_keys: [],
  decision_policy: "proportional",
  setpoint: 0.8,
  max_instances_alert_threshold: 0.8,
  moving_average_window_seconds: null,
  desired_active_requests_per_replica: type === "active-requests" ? 2 : null,
  target_type: "AverageValue",
  metrics_query: null,
  series_query: null,
  ...extra,
});

/** A DesiredApp with just what the autoscaler reads (the rest of the resolved config is not looked at). */
function app(providers: ResolvedMetricsProvider[], over: Partial<ResolvedInstanceConfig> = {}): DesiredApp {
  const config = {
    service: "web",
    instance: "main",
    cluster: "dev",
    cpus: 0.5,
    mem: 100,
    instances: 1,
    min_instances: 1,
    max_instances: 5,
    autoscaled: true,
    metrics_providers: providers,
    scaledown: {
      stabilizationWindowSeconds: 0,
      selectPolicy: "Max",
      policies: [{ type: "Percent", value: 100, periodSeconds: 1 }],
    },
    ...over,
  } as unknown as ResolvedInstanceConfig;
  return {
    service: "web",
    instance: "main",
    cluster: "dev",
    config,
    desired_state: "start",
    replicas: 1,
  } as DesiredApp;
}

/** Usage of `n` tasks at time `at`, each having used `cpu` seconds so far and `mb` MiB. */
const usage = (n: number, at: number, cpu: number, mb = 10): ReplicaUsage[] =>
  Array.from({ length: n }, (_, i) => ({
    service: "web",
    instance: "main",
    replica: `t${i}`,
    config_hash: "c",
    cpu_seconds: cpu,
    memory_bytes: mb * 1024 * 1024,
    at,
  }));

const T0 = 1_700_000_000_000;
const input = (a: DesiredApp, current: number, u: ReplicaUsage[], at: number, record = emptyAutoscalingRecord()) => ({
  now: at,
  apps: [{ app: a, current }],
  usage: u,
  record,
  defaultWindowSeconds: 2,
});

describe("LocalDecisions", () => {
  it("cpu: rate of each task's CPU time over its cpus; busy tasks scale up, idle ones scale down", () => {
    const d = new LocalDecisions();
    const a = app([provider("cpu")]);
    expect(d.round(input(a, 1, usage(1, T0, 0), T0))).toEqual([]); // first reading: no rate yet
    // 1 s later the task used 1 s of CPU: 2.0 of its 0.5 cpus → ceil(2.0 / 0.8 × 1) = 3
    const up = d.round(input(a, 1, usage(1, T0 + 1000, 1), T0 + 1000));
    expect(up).toMatchObject([{ from: 1, to: 3 }]);
    expect(up[0]?.why).toMatch(/^cpu 2\.00 \(setpoint 0\.8\)/);
    expect(d.last.get("web.main")?.metrics[0]).toMatchObject({ type: "cpu", current: 2, proposal: 3, available: true });
    // idle for longer than the 2 s window: back to min_instances
    d.round(input(a, 3, usage(3, T0 + 2000, 1), T0 + 2000));
    d.round(input(a, 3, usage(3, T0 + 3000, 1), T0 + 3000));
    const down = d.round(input(a, 3, usage(3, T0 + 4000, 1), T0 + 4000));
    expect(down).toMatchObject([{ from: 3, to: 1 }]);
  });

  it("memory: RSS over mem, averaged over the tasks", () => {
    const d = new LocalDecisions();
    const a = app([provider("memory")]); // mem 100 MiB, tasks at 160 MiB: 1.6 → ceil(1.6/0.8 × 2) = 4
    expect(d.round(input(a, 2, usage(2, T0, 0, 160), T0))).toMatchObject([{ from: 2, to: 4 }]);
  });

  it("providers without a local source say so; active-requests without a proxy says so; no change", () => {
    const d = new LocalDecisions();
    const a = app([provider("uwsgi"), provider("active-requests")]);
    expect(d.round(input(a, 2, usage(2, T0, 0), T0))).toEqual([]);
    const m = d.last.get("web.main")?.metrics ?? [];
    expect(m[0]).toMatchObject({ type: "uwsgi", available: false, reason: "not available on the local backend" });
    expect(m[1]).toMatchObject({ type: "active-requests", available: false });
    expect(m[1]?.reason).toMatch(/proxy/);
  });

  it("active-requests from the proxy's sessions: per task against desired_active_requests_per_replica", () => {
    const d = new LocalDecisions();
    const a = app([provider("active-requests")]); // 2 per task wanted; 12 sessions over 2 tasks → 6 → 6 tasks → max 5
    const changes = d.round({ ...input(a, 2, usage(2, T0, 0), T0), sessions: new Map([["web.main", 12]]) });
    expect(changes).toMatchObject([{ from: 2, to: 5 }]);
    expect(d.last.get("web.main")?.metrics[0]).toMatchObject({ current: 6, setpoint: 2 });
  });

  it("an override's bounds apply at once and expire; the pause changes nothing; bespoke is left alone", () => {
    const d = new LocalDecisions();
    const a = app([provider("cpu")]);
    const rec: AutoscalingRecord = {
      version: 1,
      overrides: {
        "web.main": {
          min_instances: 3,
          max_instances: null,
          expires_at: new Date(T0 + 5000).toISOString(),
          set_at: "",
        },
      },
      paused_until: null,
    };
    expect(d.round(input(a, 1, usage(1, T0, 0), T0, rec))).toMatchObject([{ from: 1, to: 3 }]);
    const paused = { ...emptyAutoscalingRecord(), paused_until: new Date(T0 + 60_000).toISOString() };
    expect(d.round(input(a, 5, usage(5, T0 + 1000, 0), T0 + 1000, paused))).toEqual([]);
    expect(d.last.get("web.main")?.reason).toMatch(/paused until/);
    const bespoke = app([provider("cpu", { decision_policy: "bespoke" })]);
    expect(new LocalDecisions().round(input(bespoke, 7, usage(1, T0, 0), T0))).toEqual([]);
  });

  it("the moving average is over the window only", () => {
    const w = new Window();
    w.add({ at: 1000, value: 10, replicas: 1 }, 5000);
    w.add({ at: 2000, value: 2, replicas: 2 }, 5000);
    expect(w.average(2000, 5000)).toEqual({ value: 6, replicas: 2 });
    expect(w.average(2000, 1000)).toEqual({ value: 2, replicas: 2 });
    expect(w.average(9000, 1000)).toBeNull();
  });
});

describe("overrides and pause (model)", () => {
  const cfg = { min_instances: 1, max_instances: 5, instances: 1 };
  it("bounds: the override's where set; crossing the other bound moves it", () => {
    expect(boundsOf(cfg, undefined)).toEqual({ min: 1, max: 5 });
    expect(boundsOf(cfg, { min_instances: 3, max_instances: null })).toEqual({ min: 3, max: 5 });
    expect(boundsOf(cfg, { min_instances: 8, max_instances: null })).toEqual({ min: 8, max: 8 });
    expect(boundsOf(cfg, { min_instances: null, max_instances: 2 })).toEqual({ min: 1, max: 2 });
    expect(boundsOf({ ...cfg, min_instances: 3 }, { min_instances: null, max_instances: 2 })).toEqual({
      min: 2,
      max: 2,
    });
  });

  it("expiry: active until expires_at; the record drops what expired; the next expiry is known", () => {
    const rec: AutoscalingRecord = {
      version: 1,
      overrides: {
        "a.main": { min_instances: 2, max_instances: null, expires_at: new Date(2000).toISOString(), set_at: "" },
        "b.main": { min_instances: 2, max_instances: null, expires_at: new Date(5000).toISOString(), set_at: "" },
      },
      paused_until: new Date(3000).toISOString(),
    };
    expect(activeOverride(rec, { service: "a", instance: "main" }, 1999)).toBeDefined();
    expect(activeOverride(rec, { service: "a", instance: "main" }, 2000)).toBeUndefined();
    expect(Object.keys(withoutExpired(rec, 2500).overrides)).toEqual(["b.main"]);
    expect(withoutExpired(rec, 3500).paused_until).toBeNull();
    expect(nextExpiry(rec, 0)).toBe(2000);
    expect(nextExpiry(rec, 2000)).toBe(3000);
    expect(nextExpiry(rec, 5000)).toBeUndefined();
  });

  it("the control a backend renders: only for autoscaled apps with an active override or pause", () => {
    const config = { ...cfg, service: "a", instance: "main", autoscaled: true } as unknown as ResolvedInstanceConfig;
    const rec: AutoscalingRecord = {
      version: 1,
      overrides: {
        "a.main": { min_instances: 4, max_instances: null, expires_at: new Date(2000).toISOString(), set_at: "" },
      },
      paused_until: null,
    };
    expect(controlOf(rec, config, 1000)).toEqual({ min_instances: 4, max_instances: 5, paused: false });
    expect(controlOf(rec, config, 3000)).toBeUndefined();
    expect(controlOf({ ...rec, paused_until: new Date(9000).toISOString() }, config, 3000)).toEqual({
      min_instances: 1,
      max_instances: 5,
      paused: true,
    });
    expect(controlOf(rec, { ...config, autoscaled: false }, 1000)).toBeUndefined();
  });
});
