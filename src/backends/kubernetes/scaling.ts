/**
 * What the HPA of an instance says (for `paasta status -v` and the API's autoscaler route): its current and
 * desired replicas and each metric's current value (Resource metrics as a fraction of the request, others as
 * their raw value). Without an HPA (autoscaling paused, bespoke, or a StatefulSet) the workload's count is all
 * there is. Pure.
 */
import type { ScalingObservation } from "../powers.js";
import { parseQuantity } from "./drift.js";
import type { KubeObject } from "./render/types.js";

interface HpaStatus {
  currentReplicas?: number;
  desiredReplicas?: number;
  currentMetrics?: Array<{
    type?: string;
    resource?: { name?: string; current?: { averageUtilization?: number; averageValue?: string } };
    object?: { metric?: { name?: string }; current?: { value?: string; averageValue?: string } };
  }>;
}

/** The provider type of an Object metric named `APP-TYPE-prom` (render/workload.ts), APP being the HPA's name. */
function objectType(app: string, metricName: string | undefined): string {
  const name = metricName ?? "object";
  return name.startsWith(`${app}-`) && name.endsWith("-prom") ? name.slice(app.length + 1, -"-prom".length) : name;
}

export function scalingOf(hpa: KubeObject | undefined, workload: KubeObject | undefined): ScalingObservation {
  const replicas = Number((workload as { spec?: { replicas?: number } } | undefined)?.spec?.replicas ?? 0);
  if (!hpa) return { active: false, current_replicas: replicas, desired_replicas: replicas, metrics: [] };
  const st = ((hpa as { status?: HpaStatus }).status ?? {}) as HpaStatus;
  const metrics = (st.currentMetrics ?? []).map((m) => {
    if (m.type === "Resource") {
      const u = m.resource?.current?.averageUtilization;
      return { type: m.resource?.name ?? "resource", current: u === undefined ? null : u / 100 };
    }
    const q = parseQuantity(m.object?.current?.value ?? m.object?.current?.averageValue);
    return { type: objectType(hpa.metadata.name, m.object?.metric?.name), current: q ?? null };
  });
  return {
    active: true,
    current_replicas: st.currentReplicas ?? replicas,
    desired_replicas: st.desiredReplicas ?? replicas,
    metrics,
  };
}
