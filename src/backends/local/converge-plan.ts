/**
 * What one supervisor tick does to one app (pure): which tasks to drain and why, how many new tasks to
 * start, whether a bounce begins, and whether a removed app can be forgotten. Built on the bounce decision
 * (bounce.ts) with the runtime's own rules: scale-down drains the least desirable tasks of the current
 * version, a crash loop's backoff holds starts back, and after failures tasks start one at a time.
 */
import type { DesiredApp } from "../../model/app.js";
import { decideBounce } from "./bounce.js";
import type { TaskRecord } from "./store.js";

export interface ConvergeInput {
  readonly app: DesiredApp;
  /** The instance was removed from soa-configs: its tasks go, then the app record. */
  readonly removing: boolean;
  /** The app's non-terminal tasks, draining ones included. */
  readonly live: readonly TaskRecord[];
  readonly now: number;
  /** The crash-loop state of the app's current version, if it failed since the runtime started. */
  readonly backoff: { readonly failures: number; readonly waitMs: number } | undefined;
  /** Replicas wanted, when not `app.replicas` (an autoscaler's count: store.ts replicasOf). */
  readonly replicas?: number;
}

export interface ConvergePlan {
  readonly drain: ReadonlyArray<{ readonly task: TaskRecord; readonly why: string }>;
  /** Tasks of the current version to start. */
  readonly start: number;
  /** This tick starts the first task of a version replacing another (log it, count it). */
  readonly bounceBegins: boolean;
  /** The app was removed and has no task left: delete its record. */
  readonly forget: boolean;
}

/** A task is happy when it has been healthy for at least min_task_uptime. */
export function isHappy(t: TaskRecord, app: DesiredApp, now: number): boolean {
  return (
    t.state === "healthy" && t.healthy_since !== null && now - t.healthy_since >= app.config.min_task_uptime * 1000
  );
}

export function planConverge(input: ConvergeInput): ConvergePlan {
  const { app, removing, live, now, backoff } = input;
  const active = live.filter((t) => t.state !== "draining");
  const desired = removing ? 0 : (input.replicas ?? app.replicas);
  if (desired === 0) {
    const why = removing ? "instance removed" : "desired state is stop or instances is 0";
    return {
      drain: active.map((task) => ({ task, why })),
      start: 0,
      bounceBegins: false,
      forget: removing && live.length === 0,
    };
  }
  const fresh = active.filter((t) => t.config_hash === app.config_hash);
  const old = active.filter((t) => t.config_hash !== app.config_hash);
  const happy = (t: TaskRecord) => isHappy(t, app, now);
  const order = (a: TaskRecord, b: TaskRecord) =>
    Number(happy(b)) - Number(happy(a)) || (a.started_at ?? 0) - (b.started_at ?? 0);
  const happyNew = fresh.filter(happy).length;
  const decision = decideBounce({
    method: app.config.bounce_method,
    instances: desired,
    happyNew,
    oldTasks: [...old].sort(order),
    marginFactor: app.config.bounce_margin_factor,
  });
  const drain: Array<{ task: TaskRecord; why: string }> = [];
  if (decision.drain.length > 0) {
    const why = `replaced by ${app.git_sha.slice(0, 8)} (${app.config_hash})`;
    for (const task of decision.drain) drain.push({ task, why });
  }
  if (fresh.length > desired)
    for (const task of [...fresh].sort(order).slice(desired)) drain.push({ task, why: `scaled down to ${desired}` });
  const held = !decision.startNew || fresh.length >= desired || (backoff !== undefined && backoff.waitMs > 0);
  if (held) return { drain, start: 0, bounceBegins: false, forget: false };
  const missing = desired - fresh.length;
  return {
    drain,
    // After failures, start one task at a time so a crash loop costs one process, not N.
    start: backoff && backoff.failures > 0 ? Math.min(1, missing) : missing,
    bounceBegins: old.length > 0 && fresh.length === 0 && happyNew === 0,
    forget: false,
  };
}
