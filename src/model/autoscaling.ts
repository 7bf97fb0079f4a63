/**
 * Autoscaling as every layer sees it: the overrides and the pause people set (PaaSTA's autoscaling override and
 * `/autoscaling/paused`), kept as one record per cluster; what an autoscaled app's bounds are once an override
 * applies; the control the reconcile passes to a backend (Kubernetes renders it into the HPA); and the wire
 * shapes of the API's autoscaler routes. Pure; the zod schemas are the source of the TS types.
 */
import { z } from "@hono/zod-openapi";
import type { ResolvedInstanceConfig } from "../config/types.js";
import { type AppRef, appKey } from "./app.js";

/** A temporary change of an autoscaled instance's bounds (`paasta autoscale --set-min/--set-max/--set --for`). */
export const AutoscalingOverride = z
  .object({
    min_instances: z.number().int().nullable(),
    max_instances: z.number().int().nullable(),
    /** When it stops applying (ISO time); PaaSTA's expire_after. */
    expires_at: z.string(),
    set_at: z.string(),
  })
  .openapi("AutoscalingOverride");
export type AutoscalingOverride = z.infer<typeof AutoscalingOverride>;

/** What is kept per cluster (a RecordStore record): overrides by `service.instance`, and the pause. */
export interface AutoscalingRecord {
  readonly version: 1;
  readonly overrides: Readonly<Record<string, AutoscalingOverride>>;
  /** Autoscaling of the whole cluster is paused until then (ISO time), else null. */
  readonly paused_until: string | null;
}

export function emptyAutoscalingRecord(): AutoscalingRecord {
  return { version: 1, overrides: {}, paused_until: null };
}

export function parseAutoscalingRecord(text: string | undefined): AutoscalingRecord {
  if (!text) return emptyAutoscalingRecord();
  const r = JSON.parse(text) as Partial<AutoscalingRecord>;
  if (r.version !== 1) return emptyAutoscalingRecord();
  return { version: 1, overrides: r.overrides ?? {}, paused_until: r.paused_until ?? null };
}

const after = (iso: string | null | undefined, now: number) =>
  iso !== null && iso !== undefined && Date.parse(iso) > now;

/** The instance's override while it has not expired. */
export function activeOverride(r: AutoscalingRecord, ref: AppRef, now: number): AutoscalingOverride | undefined {
  const o = r.overrides[appKey(ref)];
  return o && after(o.expires_at, now) ? o : undefined;
}

/** Until when the cluster's autoscaling is paused, or null. */
export function activePause(r: AutoscalingRecord, now: number): string | null {
  return after(r.paused_until, now) ? r.paused_until : null;
}

/** The record without what has expired (written back by whoever changes it next). */
export function withoutExpired(r: AutoscalingRecord, now: number): AutoscalingRecord {
  const overrides = Object.fromEntries(Object.entries(r.overrides).filter(([, o]) => after(o.expires_at, now)));
  return { version: 1, overrides, paused_until: activePause(r, now) };
}

/** The next moment something in the record expires (ms since the epoch), or undefined. */
export function nextExpiry(r: AutoscalingRecord, now: number): number | undefined {
  const times = [r.paused_until, ...Object.values(r.overrides).map((o) => o.expires_at)]
    .filter((t): t is string => t !== null)
    .map((t) => Date.parse(t))
    .filter((t) => t > now);
  return times.length > 0 ? Math.min(...times) : undefined;
}

export interface Bounds {
  readonly min: number;
  readonly max: number;
}

/**
 * The bounds an autoscaled instance scales within: the override's where it sets them, else the config's. An
 * override that crosses the other bound moves it too (`--set-min 8` over max 5 makes 8..8), as an HPA needs
 * min ≤ max.
 */
export function boundsOf(
  config: Pick<ResolvedInstanceConfig, "min_instances" | "max_instances" | "instances">,
  o: Pick<AutoscalingOverride, "min_instances" | "max_instances"> | undefined,
): Bounds {
  const cfgMax = config.max_instances ?? config.instances;
  let min = o?.min_instances ?? config.min_instances;
  let max = o?.max_instances ?? cfgMax;
  if (o?.min_instances != null && o.max_instances == null) max = Math.max(max, min);
  if (o?.max_instances != null && o.min_instances == null) min = Math.min(min, max);
  if (min > max) max = min;
  return { min, max };
}

export const clamp = (n: number, b: Bounds) => Math.min(Math.max(n, b.min), b.max);

/**
 * What the reconcile passes to a backend for an autoscaled app with an active override or pause: the bounds to
 * render (Kubernetes: the HPA's min/max) and whether autoscaling is paused (Kubernetes: no HPA, replicas kept).
 */
export interface AutoscalingControl {
  readonly min_instances: number;
  readonly max_instances: number;
  readonly paused: boolean;
}

/** The control of one app, or undefined when nothing overrides its config (the usual case). */
export function controlOf(
  r: AutoscalingRecord,
  config: ResolvedInstanceConfig,
  now: number,
): AutoscalingControl | undefined {
  if (!config.autoscaled) return undefined;
  const o = activeOverride(r, config, now);
  const paused = activePause(r, now) !== null;
  if (!o && !paused) return undefined;
  const b = boundsOf(config, o);
  return { min_instances: b.min, max_instances: b.max, paused };
}

/** One metrics provider as the autoscaler sees it now. */
export const AutoscalerMetric = z
  .object({
    type: z.string(),
    /** Its moving average: utilisation of the requested resource (cpu, memory), or sessions per replica. */
    current: z.number().nullable(),
    setpoint: z.number(),
    /** Replicas this metric alone asks for (before the bounds), or null without data. */
    proposal: z.number().int().nullable(),
    available: z.boolean(),
    /** Why there is no value ("not available on the local backend", "no healthy task measured yet"). */
    reason: z.string().nullable(),
  })
  .openapi("AutoscalerMetric");
export type AutoscalerMetric = z.infer<typeof AutoscalerMetric>;

/** GET /v1/services/{s}/{i}/autoscaler: PaaSTA's `desired_instances`/`calculated_instances`, and more. */
export const AutoscalerStatus = z
  .object({
    service: z.string(),
    instance: z.string(),
    cluster: z.string(),
    decision_policy: z.enum(["proportional", "bespoke"]),
    /** The metric that decides (the one asking for the most replicas), e.g. "cpu"; null without one. */
    metric: z.string().nullable(),
    /** That metric's current value (moving average), comparable to `setpoint`. */
    current: z.number().nullable(),
    setpoint: z.number().nullable(),
    current_instances: z.number().int(),
    /** What the autoscaler wants now, within [min, max]. */
    desired: z.number().int(),
    min: z.number().int(),
    max: z.number().int(),
    override: AutoscalingOverride.nullable(),
    paused_until: z.string().nullable(),
    metrics: z.array(AutoscalerMetric),
    /** PaaSTA's fields: the count wanted (clamped), and before the bounds. */
    desired_instances: z.number().int(),
    calculated_instances: z.number().int(),
  })
  .openapi("AutoscalerStatus");
export type AutoscalerStatus = z.infer<typeof AutoscalerStatus>;

/** The autoscaler routes' work, provided by the host (the local autoscaler, or the cluster's HPAs). */
export interface AutoscalingApi {
  status(ref: AppRef): Promise<AutoscalerStatus>;
  /** PaaSTA's POST …/autoscaler: the count now (clamped to the bounds); `status` warns when an autoscaler may change it. */
  setDesired(ref: AppRef, desired: number): Promise<{ desired_instances: number; status: string }>;
  setOverride(
    ref: AppRef,
    o: { min_instances: number | null; max_instances: number | null; expires_at: Date },
  ): Promise<AutoscalingOverride>;
  pausedUntil(): Promise<string | null>;
  pause(until: Date | null): Promise<string | null>;
}
