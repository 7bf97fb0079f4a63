/**
 * The local autoscaler's metrics, from what the backend measures (UsageReader) and what the proxy counts:
 *
 * - `cpu`: each healthy task's CPU use over the last interval (its process group's CPU time from /proc, or
 *   its container's stats) divided by its `cpus`, averaged over the tasks: 1.0 = using what it asked for.
 * - `memory`: resident memory divided by `mem` (MiB), averaged over the tasks.
 * - `active-requests`: sessions in flight at the local proxy per task, compared with
 *   `desired_active_requests_per_replica`, read through ActiveRequestsSource (sessions.ts: HAProxy's counts;
 *   "not available" while it does not serve the instance).
 *
 * Each value is averaged over its moving-average window (`moving_average_window_seconds`, else the system
 * config's `autoscaler_window_seconds`). Other provider types have no local source: "not available on the
 * local backend". Pure apart from the clock passed in.
 */
import type { ReplicaUsage } from "../../backends/backend.js";
import type { ResolvedInstanceConfig, ResolvedMetricsProvider } from "../../config/types.js";
import type { AppRef } from "../../model/app.js";

/** The proxy's sessions in flight to an instance's tasks (summed), or null when it does not know. */
export interface ActiveRequestsSource {
  activeRequests(ref: AppRef): Promise<number | null>;
}

export { LOCAL_METRICS_PROVIDERS as LOCAL_PROVIDERS } from "../../config/rules/instances.js";

export const NOT_LOCAL = "not available on the local backend";

interface Sample {
  readonly at: number;
  readonly value: number;
  /** Tasks measured for this sample. */
  readonly replicas: number;
}

/** A metric's recent samples; the average over a window. */
export class Window {
  private samples: Sample[] = [];

  add(s: Sample, keepMs: number): void {
    this.samples.push(s);
    const cut = s.at - keepMs;
    while (this.samples.length > 0 && (this.samples[0] as Sample).at <= cut) this.samples.shift();
  }

  /** The mean of the samples within `windowMs` of `now`, and the latest sample's task count; null when none. */
  average(now: number, windowMs: number): { value: number; replicas: number } | null {
    const recent = this.samples.filter((s) => s.at > now - windowMs);
    if (recent.length === 0) return null;
    return {
      value: recent.reduce((n, s) => n + s.value, 0) / recent.length,
      replicas: (recent.at(-1) as Sample).replicas,
    };
  }
}

/** CPU counters of each task at its previous reading, to turn them into rates. */
export class CpuRates {
  private last = new Map<string, { cpu: number; at: number }>();

  /** Cores used by each task since its previous reading (a task seen for the first time has none yet). */
  update(usage: readonly ReplicaUsage[]): Map<string, number> {
    const next = new Map<string, { cpu: number; at: number }>();
    const rates = new Map<string, number>();
    for (const u of usage) {
      next.set(u.replica, { cpu: u.cpu_seconds, at: u.at });
      const prev = this.last.get(u.replica);
      if (prev && u.at > prev.at && u.cpu_seconds >= prev.cpu)
        rates.set(u.replica, (u.cpu_seconds - prev.cpu) / ((u.at - prev.at) / 1000));
    }
    this.last = next;
    return rates;
  }
}

/** One sample of a resource metric for an app from its tasks' usage: mean utilisation, or null without tasks. */
export function resourceSample(
  type: "cpu" | "memory",
  config: Pick<ResolvedInstanceConfig, "cpus" | "mem">,
  tasks: readonly ReplicaUsage[],
  rates: ReadonlyMap<string, number>,
): { value: number; replicas: number } | null {
  const values =
    type === "cpu"
      ? tasks.flatMap((t) => (rates.has(t.replica) ? [(rates.get(t.replica) as number) / config.cpus] : []))
      : tasks.map((t) => t.memory_bytes / (config.mem * 1024 * 1024));
  if (values.length === 0) return null;
  return { value: values.reduce((a, b) => a + b, 0) / values.length, replicas: values.length };
}

/** An active-requests sample: sessions in flight per measured task. */
export function activeRequestsSample(sessions: number, replicas: number): { value: number; replicas: number } | null {
  if (replicas === 0) return null;
  return { value: sessions / replicas, replicas };
}

/** The value a provider's metric is compared with: its setpoint, or active-requests' target per task. */
export function setpointOf(p: ResolvedMetricsProvider): number {
  return p.type === "active-requests" ? (p.desired_active_requests_per_replica ?? 1) : p.setpoint;
}
