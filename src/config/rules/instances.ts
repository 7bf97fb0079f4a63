/** Rules on resolved long-running instances: registrations, min/max instances, autoscaling providers. */
import { splitRegistration } from "../naming.js";
import type { Problem } from "../problem.js";
import { DEFAULTS } from "../resolve/defaults.js";
import type { ResolvedInstanceConfig } from "../types.js";
import { type CheckResult, locatedIn, type RuleContext } from "./context.js";

const PROMQL_ONLY = ["metrics_query", "series_query", "target_type", "resources"];
const ACTIVE_REQUESTS_ONLY = ["desired_active_requests_per_replica"];

export function checkRegistrations(ctx: RuleContext): CheckResult {
  const problems: Problem[] = [];
  for (const inst of ctx.instances) {
    inst.registrations.forEach((reg, i) => {
      if (!splitRegistration(reg)) {
        problems.push(
          locatedIn(
            ctx,
            inst.type,
            inst.cluster,
            [inst.instance, "registrations", i],
            `registration "${reg}" must be SERVICE.NAMESPACE (exactly one dot)`,
          ),
        );
      }
    });
  }
  return { ok: "All registrations are SERVICE.NAMESPACE", problems };
}

export function checkMinMaxInstances(ctx: RuleContext): CheckResult {
  const problems: Problem[] = [];
  for (const inst of ctx.instances) {
    if (inst.max_instances !== null && inst.min_instances > inst.max_instances) {
      // With the default min_instances (1), point at max_instances: that is the key that is written.
      const explicit = inst.explicit.includes("min_instances");
      problems.push(
        locatedIn(
          ctx,
          inst.type,
          inst.cluster,
          [inst.instance, explicit ? "min_instances" : "max_instances"],
          `min_instances (${inst.min_instances}${explicit ? "" : ", the default"}) must not be greater than max_instances (${inst.max_instances})`,
        ),
      );
    }
  }
  return { ok: "All min_instances are at most max_instances", problems };
}

export function checkAutoscaling(ctx: RuleContext): CheckResult {
  const problems: Problem[] = [];
  for (const inst of ctx.instances) {
    if (!inst.autoscaled) continue;
    for (const message of autoscalingProblems(inst)) {
      problems.push(locatedIn(ctx, inst.type, inst.cluster, [inst.instance, ...message.path], message.text));
    }
  }
  return { ok: "All autoscaling configs are valid", problems };
}

function autoscalingProblems(inst: ResolvedInstanceConfig): Array<{ path: (string | number)[]; text: string }> {
  const out: Array<{ path: (string | number)[]; text: string }> = [];
  // Without an `autoscaling` key the provider is the resolver's default (cpu), which has nothing to check.
  const providers = inst.explicit.includes("autoscaling") ? inst.metrics_providers : [];
  const seen = new Set<string>();
  providers.forEach((p, i) => {
    const path = ["autoscaling", "metrics_providers", i];
    const wrote = (key: string) => p.explicit_keys.includes(key);
    if (seen.has(p.type))
      out.push({ path: [...path, "type"], text: `metrics provider "${p.type}" is set more than once` });
    seen.add(p.type);
    if (p.decision_policy === "bespoke" && providers.length > 1) {
      out.push({
        path: [...path, "decision_policy"],
        text: "bespoke autoscaling cannot be combined with other metrics providers",
      });
    }
    const invalid =
      p.type === "arbitrary-promql"
        ? ACTIVE_REQUESTS_ONLY
        : p.type === "active-requests"
          ? PROMQL_ONLY
          : [...PROMQL_ONLY, ...ACTIVE_REQUESTS_ONLY];
    for (const key of invalid) {
      if (wrote(key)) out.push({ path: [...path, key], text: `metrics provider "${p.type}" does not support ${key}` });
    }
    if (p.type === "active-requests") {
      if (inst.registrations.length > 1)
        out.push({
          path: [...path, "type"],
          text: "active-requests does not support instances with several registrations",
        });
      if (wrote("setpoint") && p.setpoint !== DEFAULTS.setpoint) {
        out.push({
          path: [...path, "setpoint"],
          text: "setpoint is not supported for active-requests; use desired_active_requests_per_replica",
        });
      }
    }
    if (p.type === "arbitrary-promql" && !p.metrics_query) {
      out.push({ path, text: "arbitrary-promql needs metrics_query" });
    }
  });
  return out;
}

/** Providers the local runtime's autoscaler has a source for (others run at min_instances there). */
export const LOCAL_METRICS_PROVIDERS: ReadonlySet<string> = new Set(["cpu", "memory", "active-requests"]);

/**
 * Warnings for autoscaled instances of clusters on the local backend whose metrics providers it cannot read
 * (uwsgi, gunicorn, arbitrary-promql …): accepted, but they do not scale there.
 */
export function localAutoscalingWarnings(ctx: RuleContext): string[] {
  const out: string[] = [];
  for (const inst of ctx.instances) {
    if (!inst.autoscaled) continue;
    let local = false;
    try {
      local = ctx.system?.clusterBackend(inst.cluster).type === "local";
    } catch {
      local = false; // no cluster_backends entry: not a cluster this machine runs
    }
    if (!local) continue;
    for (const p of inst.metrics_providers) {
      if (LOCAL_METRICS_PROVIDERS.has(p.type) || p.decision_policy === "bespoke") continue;
      out.push(
        `${inst.instance} (cluster ${inst.cluster}): metrics provider "${p.type}" is not available on the local backend: it is reported, and does not scale the instance there`,
      );
    }
  }
  return out;
}
