/** The monitor's Prometheus metrics: checks run, alerts firing by team, pass duration, outbox and deliveries. */
import type * as Prom from "prom-client";
import { promClient } from "../../api/metrics.js";

export interface MonitorMetrics {
  readonly checks: Prom.Counter<"check" | "status">;
  readonly passDuration: Prom.Histogram;
  readonly deliveries: Prom.Counter<"sink" | "result">;
}

export function registerMonitorMetrics(
  registry: Prom.Registry,
  firingByTeam: () => Record<string, number>,
  pendingBySink: () => Record<string, number>,
): MonitorMetrics {
  const prom = promClient();
  const firing = new prom.Gauge({
    name: "paasta_alerts_firing",
    help: "Alerts firing (sent and not resolved), by team",
    labelNames: ["team"] as const,
    registers: [registry],
    collect() {
      firing.reset();
      for (const [team, n] of Object.entries(firingByTeam())) firing.set({ team }, n);
    },
  });
  const outbox = new prom.Gauge({
    name: "paasta_monitor_outbox_pending",
    help: "Notifications waiting for their sink",
    labelNames: ["sink"] as const,
    registers: [registry],
    collect() {
      outbox.reset();
      for (const [sink, n] of Object.entries(pendingBySink())) outbox.set({ sink }, n);
    },
  });
  return {
    checks: new prom.Counter({
      name: "paasta_monitor_checks_total",
      help: "Checks run by the monitor, by check and result status (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN)",
      labelNames: ["check", "status"] as const,
      registers: [registry],
    }),
    passDuration: new prom.Histogram({
      name: "paasta_monitor_pass_duration_seconds",
      help: "Duration of the monitor's check passes",
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    deliveries: new prom.Counter({
      name: "paasta_monitor_deliveries_total",
      help: "Batches handed to sinks, by sink and result (delivered, failed)",
      labelNames: ["sink", "result"] as const,
      registers: [registry],
    }),
  };
}
