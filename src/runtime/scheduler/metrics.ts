/** The scheduler's metrics on /metrics. */
import type * as Prom from "prom-client";
import { promClient } from "../../api/metrics.js";

export interface JobMetrics {
  /** Seconds from a run's scheduled time to the launch of its first action. */
  readonly startDelay: Prom.Histogram;
  readonly finished: Prom.Counter<"state">;
}

export function registerJobMetrics(registry: Prom.Registry): JobMetrics {
  const prom = promClient();
  return {
    startDelay: new prom.Histogram({
      name: "paasta_job_run_start_delay_seconds",
      help: "Seconds from a scheduled run's time to the launch of its first action",
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 60],
      registers: [registry],
    }),
    finished: new prom.Counter({
      name: "paasta_job_runs_finished_total",
      help: "Job runs that ended, by state",
      labelNames: ["state"] as const,
      registers: [registry],
    }),
  };
}
