/** Prometheus metrics of a cluster's control plane (served on /metrics). */
import { createRequire } from "node:module";
import type * as Prom from "prom-client";

export interface Metrics {
  readonly registry: Prom.Registry;
  readonly reconcileDuration: Prom.Histogram;
  readonly reconcileWrites: Prom.Counter;
  readonly bounces: Prom.Counter;
  readonly healthCheckFailures: Prom.Counter;
  readonly tasks: Prom.Gauge<"state">;
}

export function createMetrics(
  collectTasks: () => Record<string, number>,
  counters: () => { bounces: number; healthFailures: number },
): Metrics {
  const prom = createRequire(import.meta.url)("prom-client") as typeof Prom;
  const registry = new prom.Registry();
  let lastBounces = 0;
  let lastHealth = 0;
  const bounces = new prom.Counter({ name: "paasta_bounces_total", help: "Bounces started", registers: [registry] });
  const healthCheckFailures = new prom.Counter({
    name: "paasta_health_check_failures_total",
    help: "Failed health checks",
    registers: [registry],
  });
  const tasks = new prom.Gauge({
    name: "paasta_tasks",
    help: "Tasks by state",
    labelNames: ["state"] as const,
    registers: [registry],
    collect() {
      tasks.reset();
      for (const [state, n] of Object.entries(collectTasks())) tasks.set({ state }, n);
      const c = counters();
      bounces.inc(c.bounces - lastBounces);
      healthCheckFailures.inc(c.healthFailures - lastHealth);
      lastBounces = c.bounces;
      lastHealth = c.healthFailures;
    },
  });
  return {
    registry,
    reconcileDuration: new prom.Histogram({
      name: "paasta_reconcile_duration_seconds",
      help: "Duration of reconcile passes",
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    reconcileWrites: new prom.Counter({
      name: "paasta_reconcile_writes_total",
      help: "Apps created, updated or deleted by reconcile passes",
      registers: [registry],
    }),
    bounces,
    healthCheckFailures,
    tasks,
  };
}
