/**
 * The local autoscaler's decision, pure: Kubernetes' HorizontalPodAutoscaler algorithm (so an instance scales
 * the same way on both backends), fed with the local metrics.
 *
 * - Each metric proposes ceil(ratio × measured replicas), ratio = current / setpoint; within 10 % of the
 *   setpoint it proposes the current count (the HPA's tolerance). The highest proposal wins.
 * - A count outside [min, max] goes to the bound at once (an override takes effect now).
 * - Stabilisation: the recommendation is at most the highest raw proposal of the scale-down window
 *   (`scaledown_policies.stabilizationWindowSeconds`, 300 s by default) and at least the lowest of the scale-up
 *   window (0 s), so a dip does not scale down and a spike ends no sooner than the window.
 * - Rate: scale-down by `scaledown_policies.policies` (Percent or Pods per periodSeconds, selectPolicy Max, Min
 *   or Disabled; 30 % per minute by default), scale-up by the HPA's default (+100 % or +4 per 15 s, the larger).
 */
import type { ResolvedScaleDown } from "../../config/types.js";
import type { Bounds } from "../../model/autoscaling.js";

export interface ScalingPolicy {
  readonly type: "Pods" | "Percent";
  readonly value: number;
  readonly periodSeconds: number;
}

export interface Behavior {
  readonly stabilizationWindowSeconds: number;
  readonly selectPolicy: "Max" | "Min" | "Disabled";
  readonly policies: readonly ScalingPolicy[];
}

/** The HPA's default scale-up behaviour (PaaSTA lets instances change only the scale-down one). */
export const SCALE_UP: Behavior = {
  stabilizationWindowSeconds: 0,
  selectPolicy: "Max",
  policies: [
    { type: "Percent", value: 100, periodSeconds: 15 },
    { type: "Pods", value: 4, periodSeconds: 15 },
  ],
};

/** The instance's scale-down behaviour (resolved `scaledown_policies`: the HPA's fields, defaults applied). */
export function behaviorOf(raw: ResolvedScaleDown): Behavior {
  const window = Number(raw.stabilizationWindowSeconds);
  const select = raw.selectPolicy === "Min" || raw.selectPolicy === "Disabled" ? raw.selectPolicy : "Max";
  const policies = (Array.isArray(raw.policies) ? raw.policies : []).flatMap((p: unknown): ScalingPolicy[] => {
    const q = p as Partial<ScalingPolicy>;
    const ok = (q.type === "Pods" || q.type === "Percent") && Number(q.value) > 0 && Number(q.periodSeconds) > 0;
    return ok
      ? [{ type: q.type as ScalingPolicy["type"], value: Number(q.value), periodSeconds: Number(q.periodSeconds) }]
      : [];
  });
  return {
    stabilizationWindowSeconds: Number.isFinite(window) && window >= 0 ? window : 300,
    selectPolicy: select,
    policies,
  };
}

/** The HPA's tolerance: no change while the metric is within 10 % of its setpoint. */
export const TOLERANCE = 0.1;

/** One metric's proposal: replicas for `measured` replicas at `value` (null without data). */
export function proportional(value: number | null, setpoint: number, measured: number, current: number): number | null {
  if (value === null || measured === 0 || setpoint <= 0) return null;
  const ratio = value / setpoint;
  if (Math.abs(1 - ratio) <= TOLERANCE) return current;
  return Math.max(0, Math.ceil(ratio * measured - 1e-9));
}

interface Stamped {
  readonly at: number;
  readonly n: number;
}

/** What the decision remembers of an app between two decisions (like the HPA controller's memory). */
export interface ScalerState {
  /** Raw proposals (before stabilisation), newest last. */
  readonly recommendations: readonly Stamped[];
  readonly upEvents: readonly Stamped[];
  readonly downEvents: readonly Stamped[];
}

export const NEW_STATE: ScalerState = { recommendations: [], upEvents: [], downEvents: [] };

export interface DecisionInput {
  readonly now: number;
  readonly current: number;
  /** Each metric's proposal; null where it has no data. */
  readonly proposals: readonly (number | null)[];
  readonly bounds: Bounds;
  readonly scaleDown: Behavior;
  readonly state: ScalerState;
}

export interface Decision {
  readonly desired: number;
  /** The highest proposal before stabilisation and bounds (PaaSTA's calculated_instances); null without data. */
  readonly calculated: number | null;
  /** Why desired is what it is, in a few words (status, logs). */
  readonly reason: string;
  readonly state: ScalerState;
}

const sumSince = (events: readonly Stamped[], since: number) =>
  events.filter((e) => e.at > since).reduce((n, e) => n + e.n, 0);

/** The count the rate policies allow at most (up) or at least (down) now. */
function rateLimit(dir: "up" | "down", current: number, b: Behavior, s: ScalerState, now: number): number {
  if (b.selectPolicy === "Disabled" || b.policies.length === 0) return current;
  const widest = (dir === "up") === (b.selectPolicy === "Max");
  let result = widest ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  for (const p of b.policies) {
    const since = now - p.periodSeconds * 1000;
    const start = current - sumSince(s.upEvents, since) + sumSince(s.downEvents, since);
    const proposed =
      dir === "up"
        ? p.type === "Pods"
          ? start + p.value
          : Math.ceil(start * (1 + p.value / 100))
        : p.type === "Pods"
          ? start - p.value
          : Math.trunc(start * (1 - p.value / 100));
    result = widest ? Math.max(result, proposed) : Math.min(result, proposed);
  }
  return result;
}

function stabilised(raw: number, current: number, s: ScalerState, down: Behavior, now: number): number {
  const upCut = now - SCALE_UP.stabilizationWindowSeconds * 1000;
  const downCut = now - down.stabilizationWindowSeconds * 1000;
  let up = raw;
  let dn = raw;
  for (const r of s.recommendations) {
    if (r.at > upCut) up = Math.min(up, r.n);
    if (r.at > downCut) dn = Math.max(dn, r.n);
  }
  return Math.min(Math.max(current, up), dn);
}

/** Keeps what the next decisions can still look at. */
function pruned(s: ScalerState, down: Behavior, now: number): ScalerState {
  const periods = [...SCALE_UP.policies, ...down.policies].map((p) => p.periodSeconds);
  const events = now - Math.max(0, ...periods) * 1000;
  const recs = now - Math.max(SCALE_UP.stabilizationWindowSeconds, down.stabilizationWindowSeconds) * 1000;
  return {
    recommendations: s.recommendations.filter((r) => r.at > recs),
    upEvents: s.upEvents.filter((e) => e.at > events),
    downEvents: s.downEvents.filter((e) => e.at > events),
  };
}

function withEvent(s: ScalerState, from: number, to: number, now: number): ScalerState {
  if (to > from) return { ...s, upEvents: [...s.upEvents, { at: now, n: to - from }] };
  if (to < from) return { ...s, downEvents: [...s.downEvents, { at: now, n: from - to }] };
  return s;
}

export function decide(i: DecisionInput): Decision {
  const { now, current, bounds } = i;
  // A state never seen before starts with the current count in its window (the HPA does the same), so that a
  // restarted runtime does not scale down at once.
  const state0 =
    i.state.recommendations.length === 0 && i.state.upEvents.length === 0
      ? { ...i.state, recommendations: [{ at: now, n: current }] }
      : i.state;
  const known = i.proposals.filter((p): p is number => p !== null);
  const calculated = known.length > 0 ? Math.max(...known) : null;
  const done = (desired: number, reason: string, s: ScalerState): Decision => ({
    desired,
    calculated,
    reason,
    state: pruned(withEvent(s, current, desired, now), i.scaleDown, now),
  });
  if (current > bounds.max) return done(bounds.max, `above max_instances (${bounds.max})`, state0);
  if (current < bounds.min) return done(bounds.min, `below min_instances (${bounds.min})`, state0);
  if (calculated === null) return done(current, "no metric has data yet: kept", state0);
  const recorded = { ...state0, recommendations: [...state0.recommendations, { at: now, n: calculated }] };
  const stable = stabilised(calculated, current, state0, i.scaleDown, now);
  let desired = stable;
  let reason = stable === calculated ? "proportional to the metric" : "held by the stabilisation window";
  if (stable > current) {
    const limit = Math.min(bounds.max, Math.max(current, rateLimit("up", current, SCALE_UP, state0, now)));
    if (stable > limit) [desired, reason] = [limit, limit === bounds.max ? "at max_instances" : "scale-up rate limit"];
  } else if (stable < current) {
    const limit = Math.max(bounds.min, Math.min(current, rateLimit("down", current, i.scaleDown, state0, now)));
    if (stable < limit)
      [desired, reason] = [limit, limit === bounds.min ? "at min_instances" : "scale-down policy limit"];
  }
  return done(desired, reason, recorded);
}
