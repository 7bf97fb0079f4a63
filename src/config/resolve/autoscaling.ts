/** The `autoscaling` sub-object (reference §1.8): metrics providers with their defaults, and HPA scale-down. */
import type { ResolvedMetricsProvider, ResolvedScaleDown } from "../types.js";
import { type Dict, isDict, num, str } from "./coerce.js";
import { DEFAULTS } from "./defaults.js";

const WINDOWED_PROVIDERS = new Set(["uwsgi", "uwsgi-v2", "piscina", "gunicorn", "worker-load", "active-requests"]);

export function resolveProviders(autoscaling: unknown): ResolvedMetricsProvider[] {
  const list =
    isDict(autoscaling) && Array.isArray(autoscaling.metrics_providers) ? autoscaling.metrics_providers : [{}];
  return list.filter(isDict).map((p: Dict) => {
    const type = str(p.type) ?? DEFAULTS.metrics_provider;
    const setpoint = num(p.setpoint) ?? (type === "arbitrary-promql" ? DEFAULTS.promql_setpoint : DEFAULTS.setpoint);
    return {
      type,
      explicit_keys: Object.keys(p).sort(),
      // Only "bespoke" turns the HPA off in PaaSTA; any other value acts as the default (validate warns).
      decision_policy: str(p.decision_policy) === "bespoke" ? "bespoke" : DEFAULTS.decision_policy,
      setpoint,
      max_instances_alert_threshold: num(p.max_instances_alert_threshold) ?? setpoint,
      moving_average_window_seconds:
        num(p.moving_average_window_seconds) ??
        (WINDOWED_PROVIDERS.has(type) ? DEFAULTS.moving_average_window_seconds : null),
      desired_active_requests_per_replica:
        num(p.desired_active_requests_per_replica) ??
        (type === "active-requests" ? DEFAULTS.desired_active_requests_per_replica : null),
      target_type: (str(p.target_type) as ResolvedMetricsProvider["target_type"] | undefined) ?? DEFAULTS.target_type,
      metrics_query: str(p.metrics_query) ?? null,
      series_query: str(p.series_query) ?? null,
    };
  });
}

/** PaaSTA's scale-down behaviour, with the instance's `scaledown_policies` keys over it. */
export function resolveScaleDown(autoscaling: unknown): ResolvedScaleDown {
  const own = isDict(autoscaling) && isDict(autoscaling.scaledown_policies) ? autoscaling.scaledown_policies : {};
  return { ...DEFAULTS.hpa_scale_down, ...own };
}
