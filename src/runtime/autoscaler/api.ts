/**
 * The autoscaler routes' work (AutoscalingApi), the same on both backends: the instance's config from
 * soa-configs, the overrides and pause from the record store, and what runs from whoever decides — the local
 * autoscaler of this process (AutoscalerComponent) or the cluster's HPA (the ScalingReader power). Writes go to
 * the record (and poke the local autoscaler); a count is set through the ReplicaScaler power.
 */
import { canReadScaling, canScaleReplicas } from "../../backends/backend.js";
import { loadServiceDir } from "../../config/file-check.js";
import { LONG_RUNNING_TYPES } from "../../config/kinds.js";
import { formatProblem } from "../../config/problem.js";
import { instanceNames, resolveInstance } from "../../config/resolve/index.js";
import type { ResolvedInstanceConfig } from "../../config/types.js";
import { PaastaError } from "../../errors.js";
import type { AppRef } from "../../model/app.js";
import {
  type AutoscalerMetric,
  type AutoscalerStatus,
  type AutoscalingApi,
  type AutoscalingOverride,
  activeOverride,
  activePause,
  boundsOf,
  clamp,
} from "../../model/autoscaling.js";
import type { RuntimeContext } from "../context.js";
import { proportional } from "./decide.js";
import type { AutoscalerComponent } from "./index.js";
import { isBespoke, leading } from "./local.js";
import { LOCAL_PROVIDERS, NOT_LOCAL, setpointOf } from "./metrics.js";
import type { AutoscalingStore } from "./store.js";

/** The resolved config of a long-running instance on the cluster; 404s name what is missing. */
export function instanceConfig(ctx: RuntimeContext, ref: AppRef): ResolvedInstanceConfig {
  let svc: ReturnType<typeof loadServiceDir>;
  try {
    svc = loadServiceDir(ctx.soaDir, ref.service);
  } catch {
    throw new PaastaError("PAASTA_SERVICE_NOT_FOUND", { service: ref.service, dir: ctx.soaDir });
  }
  for (const kind of LONG_RUNNING_TYPES) {
    if (!instanceNames(svc, kind, ctx.cluster).includes(ref.instance)) continue;
    const r = resolveInstance(svc, ctx.system, ctx.cluster, ref.instance, kind);
    if (!r.ok) {
      const first = r.problems[0];
      const problem = first ? formatProblem(first) : "invalid";
      throw new PaastaError("PAASTA_INSTANCE_CONFIG_INVALID", { ...ref, problem });
    }
    return r.config;
  }
  throw new PaastaError("PAASTA_INSTANCE_NOT_FOUND", { ...ref, cluster: ctx.cluster });
}

export class AutoscalingService implements AutoscalingApi {
  constructor(
    private readonly ctx: RuntimeContext,
    private readonly store: AutoscalingStore,
    private readonly local?: AutoscalerComponent,
    private readonly now: () => number = Date.now,
  ) {}

  private autoscaled(ref: AppRef): ResolvedInstanceConfig {
    const config = instanceConfig(this.ctx, ref);
    if (!config.autoscaled) throw new PaastaError("PAASTA_NOT_AUTOSCALED", { ...ref, cluster: this.ctx.cluster });
    return config;
  }

  async status(ref: AppRef): Promise<AutoscalerStatus> {
    const config = this.autoscaled(ref);
    const now = this.now();
    const record = await this.store.load();
    const override = activeOverride(record, ref, now) ?? null;
    const bounds = boundsOf(config, override ?? undefined);
    const live = await this.live(ref, config);
    const lead = leading(live.metrics) ?? live.metrics[0];
    return {
      service: ref.service,
      instance: ref.instance,
      cluster: this.ctx.cluster,
      decision_policy: isBespoke(config) ? "bespoke" : "proportional",
      metric: lead?.type ?? null,
      current: lead?.current ?? null,
      setpoint: lead?.setpoint ?? null,
      current_instances: live.current,
      desired: live.desired,
      min: bounds.min,
      max: bounds.max,
      override,
      paused_until: activePause(record, now),
      metrics: [...live.metrics],
      desired_instances: live.desired,
      calculated_instances: live.calculated ?? live.desired,
    };
  }

  /** What runs and what is wanted now: this process's decisions, else the cluster's autoscaler, else the count. */
  private async live(
    ref: AppRef,
    config: ResolvedInstanceConfig,
  ): Promise<{ current: number; desired: number; calculated: number | null; metrics: AutoscalerMetric[] }> {
    const backend = this.ctx.backend;
    const decided = this.local?.decidesLocally ? this.local.scaling(ref) : undefined;
    // What runs is read now: the last round saw the count from before its own decision (1 → 3 until the next).
    if (decided) {
      const running = (await backend.status(ref))?.desired_instances ?? decided.current;
      return { ...decided, current: running, metrics: [...decided.metrics] };
    }
    const seen = canReadScaling(backend) ? await backend.readScaling(ref) : undefined;
    const count = seen?.current_replicas ?? (await backend.status(ref))?.desired_instances ?? config.min_instances;
    const metrics = config.metrics_providers.map((p): AutoscalerMetric => {
      const value = seen?.metrics.find((m) => m.type === p.type)?.current ?? null;
      const setpoint = setpointOf(p);
      const reason = this.local?.decidesLocally
        ? LOCAL_PROVIDERS.has(p.type)
          ? "no decision yet"
          : NOT_LOCAL
        : seen?.active
          ? value === null
            ? "the HPA reports no value (is a metrics server running?)"
            : null
          : "no HPA (paused, or bespoke)";
      return {
        type: p.type,
        current: value,
        setpoint,
        proposal: proportional(value, setpoint, count, count),
        available: value !== null,
        reason,
      };
    });
    const desired = seen?.desired_replicas ?? count;
    return { current: count, desired, calculated: leading(metrics)?.proposal ?? null, metrics };
  }

  async setDesired(ref: AppRef, desired: number): Promise<{ desired_instances: number; status: string }> {
    const config = this.autoscaled(ref);
    const backend = this.ctx.backend;
    if (!canScaleReplicas(backend))
      throw new PaastaError("PAASTA_AUTOSCALING_UNSUPPORTED", { backend: backend.kind, what: "set a replica count" });
    const record = await this.store.load();
    const n = clamp(desired, boundsOf(config, activeOverride(record, ref, this.now())));
    if (!(await backend.scaleReplicas(ref, n)))
      throw new PaastaError("PAASTA_NOT_DEPLOYED", {
        what: `${ref.service}.${ref.instance} on ${this.ctx.cluster}`,
        group: config.deploy_group,
      });
    const status = isBespoke(config)
      ? "SUCCESS"
      : "WARNING: the autoscaler may change this count at its next decision; pin it with `paasta autoscale --set N --for DURATION`";
    return { desired_instances: n, status };
  }

  async setOverride(
    ref: AppRef,
    o: { min_instances: number | null; max_instances: number | null; expires_at: Date },
  ): Promise<AutoscalingOverride> {
    const config = this.autoscaled(ref);
    if (isBespoke(config))
      throw new PaastaError("PAASTA_AUTOSCALING_REQUEST_INVALID", {
        detail: `${ref.service}.${ref.instance} uses bespoke autoscaling: set its count (POST …/autoscaler) instead`,
      });
    const now = this.now();
    checkOverride(o, now);
    const override: AutoscalingOverride = {
      min_instances: o.min_instances,
      max_instances: o.max_instances,
      expires_at: o.expires_at.toISOString(),
      set_at: new Date(now).toISOString(),
    };
    const key = `${ref.service}.${ref.instance}`;
    await this.store.update((r) => ({ ...r, overrides: { ...r.overrides, [key]: override } }), now);
    this.local?.poke();
    return override;
  }

  async pausedUntil(): Promise<string | null> {
    return activePause(await this.store.load(), this.now());
  }

  async pause(until: Date | null): Promise<string | null> {
    const now = this.now();
    if (until !== null && until.getTime() <= now)
      throw new PaastaError("PAASTA_AUTOSCALING_REQUEST_INVALID", { detail: "the pause must end in the future" });
    const r = await this.store.update((rec) => ({ ...rec, paused_until: until?.toISOString() ?? null }), now);
    this.local?.poke();
    return activePause(r, now);
  }
}

function checkOverride(
  o: { min_instances: number | null; max_instances: number | null; expires_at: Date },
  now: number,
) {
  const bad = (detail: string) => new PaastaError("PAASTA_AUTOSCALING_REQUEST_INVALID", { detail });
  if (o.min_instances === null && o.max_instances === null)
    throw bad("an override needs min_instances, max_instances or both");
  if (o.min_instances !== null && o.min_instances < 1)
    throw bad(`min_instances must be at least 1 (got ${o.min_instances})`);
  if (o.max_instances !== null && o.max_instances < 1)
    throw bad(`max_instances must be at least 1 (got ${o.max_instances})`);
  if (o.min_instances !== null && o.max_instances !== null && o.min_instances > o.max_instances)
    throw bad(`min_instances (${o.min_instances}) must not be greater than max_instances (${o.max_instances})`);
  if (Number.isNaN(o.expires_at.getTime()) || o.expires_at.getTime() <= now)
    throw bad("expire_after must be in the future");
}
