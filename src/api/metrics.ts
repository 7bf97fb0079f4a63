/**
 * Prometheus metrics of a cluster's control plane (served on /metrics): one registry per running cluster.
 * The reconcile metrics are common; each component registers its own on `registry` (e.g. the local
 * runtime's task gauges below).
 */
import { createRequire } from "node:module";
import type * as Prom from "prom-client";

export interface Metrics {
  readonly registry: Prom.Registry;
  readonly reconcileDuration: Prom.Histogram;
  readonly reconcileWrites: Prom.Counter;
  /** 1 when the last pass could read the soa-configs tree, 0 when it could not (nothing changes then). */
  readonly soaConfigsReadable: Prom.Gauge;
}

export function promClient(): typeof Prom {
  return createRequire(import.meta.url)("prom-client") as typeof Prom;
}

export function createMetrics(): Metrics {
  const prom = promClient();
  const registry = new prom.Registry();
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
    soaConfigsReadable: new prom.Gauge({
      name: "paasta_soa_configs_readable",
      help: "1 when the last reconcile pass could read soa-configs, 0 when it could not (nothing is changed then)",
      registers: [registry],
    }),
  };
}

/** The local runtime's task gauges and counters, read from the supervisor at scrape time. */
export function registerTaskMetrics(
  registry: Prom.Registry,
  collectTasks: () => Record<string, number>,
  counters: () => { bounces: number; healthFailures: number },
): void {
  const prom = promClient();
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
}

/** Bytes the local runtime's state dir uses, by part (state database, logs, task directories, checkouts). */
export function registerDiskMetrics(
  registry: Prom.Registry,
  read: () => Readonly<Record<"state" | "logs" | "tasks" | "artifacts" | "total", number>> | undefined,
): void {
  const prom = promClient();
  const gauge = new prom.Gauge({
    name: "paasta_state_dir_bytes",
    help: "Disk use of the local runtime's state dir at the last housekeeping run, by part (total: all of it)",
    labelNames: ["part"] as const,
    registers: [registry],
    collect() {
      gauge.reset();
      for (const [part, bytes] of Object.entries(read() ?? {})) gauge.set({ part }, bytes);
    },
  });
}
