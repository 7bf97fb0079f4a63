/**
 * The resolved configuration: what every consumer (validate, deploy record, reconcile, backends, API) reads.
 * Produced only by `resolve.ts`, with every default applied; frozen. Keys keep PaaSTA's snake_case names so
 * that docs/config.md maps one to one.
 */
import type { InstanceType } from "./schema/index.js";

export type BounceMethod = "crossover" | "brutal" | "downthenup" | "upthendown";
export type HealthcheckMode = "http" | "https" | "tcp" | "cmd";

export interface ResolvedVolume {
  readonly containerPath: string;
  readonly hostPath: string;
  readonly mode: "RO" | "RW";
}

export interface ResolvedHealthcheck {
  /** null: no health check (a task is healthy once it runs). */
  readonly mode: HealthcheckMode | null;
  readonly uri: string;
  readonly cmd: string;
  readonly grace_period_seconds: number;
  readonly interval_seconds: number;
  readonly timeout_seconds: number;
  readonly max_consecutive_failures: number;
}

export interface ResolvedMetricsProvider {
  readonly type: string;
  readonly decision_policy: "proportional" | "bespoke";
  readonly setpoint: number;
  readonly max_instances_alert_threshold: number;
  readonly moving_average_window_seconds: number | null;
  readonly desired_active_requests_per_replica: number | null;
  readonly target_type: "Value" | "AverageValue";
  readonly metrics_query: string | null;
  readonly series_query: string | null;
}

export interface ResolvedMonitoring {
  readonly team: string | null;
  readonly page: boolean;
  readonly runbook: string | null;
  readonly tip: string | null;
  readonly notification_email: string | boolean | null;
  readonly ticket: boolean;
  readonly project: string | null;
  readonly priority: string | null;
  readonly tags: readonly string[];
  readonly slack_channels: readonly string[];
  readonly irc_channels: readonly string[];
  readonly alert_after: string | number | null;
  readonly realert_every: number;
  readonly check_oom_events: boolean;
  /** Every key as merged (instance → monitoring.yaml → service.yaml), including extra keys. */
  readonly raw: Readonly<Record<string, unknown>>;
}

export interface ResolvedLifecycle {
  readonly pre_stop_command: string | readonly string[] | null;
  readonly pre_stop_drain_seconds: number;
  readonly pre_stop_wait_for_connections_to_complete: boolean;
  readonly termination_grace_period_seconds: number | null;
}

/** One long-running or adhoc instance on one cluster. */
export interface ResolvedInstanceConfig {
  readonly service: string;
  readonly instance: string;
  readonly cluster: string;
  readonly type: Exclude<InstanceType, "tron">;
  /** Where it is defined, for messages: `kubernetes-prod.yaml:3:1`. */
  readonly source: { readonly file: string; readonly line: number };

  readonly deploy_group: string;
  readonly git_url: string | null;
  readonly docker_registry: string | null;
  readonly cost_owner: string | null;

  readonly cpus: number;
  readonly mem: number;
  readonly disk: number;
  readonly gpus: number | null;
  readonly cpu_burst_add: number;
  readonly cfs_period_us: number;

  readonly cmd: string | readonly string[] | null;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly container_port: number;

  readonly instances: number;
  readonly min_instances: number;
  readonly max_instances: number | null;
  readonly autoscaled: boolean;
  readonly metrics_providers: readonly ResolvedMetricsProvider[];
  readonly scaledown_policies: Readonly<Record<string, unknown>> | null;

  readonly registrations: readonly string[];
  /** The first registration's namespace has a proxy_port in the service's smartstack.yaml. */
  readonly in_mesh: boolean;
  readonly weight: number;

  readonly bounce_method: BounceMethod;
  readonly bounce_margin_factor: number;
  /** Whether bounce_margin_factor was set explicitly (the PDB uses it only then). */
  readonly bounce_margin_factor_set: boolean;
  readonly bounce_overprovision_factor: number;
  readonly min_task_uptime: number;
  readonly drain_method: "noop" | "hacheck" | "http" | "test";
  readonly drain_method_params: Readonly<Record<string, unknown>>;
  readonly healthcheck: ResolvedHealthcheck;
  readonly lifecycle: ResolvedLifecycle;
  readonly replication_threshold: number;

  /** System `volumes` then `extra_volumes`, de-duplicated by (containerPath, hostPath), sorted. */
  readonly volumes: readonly ResolvedVolume[];
  readonly secret_volumes: readonly Readonly<Record<string, unknown>>[];
  readonly persistent_volumes: readonly Readonly<Record<string, unknown>>[];

  readonly pool: string;
  readonly namespace: string;
  readonly net: string;
  readonly monitoring: ResolvedMonitoring;

  /** The merged instance mapping (general config under the instance), for keys passed through as they are. */
  readonly raw: Readonly<Record<string, unknown>>;
}

export interface ResolvedTronAction {
  readonly name: string;
  /** PaaSTA instance name `JOB.ACTION`. */
  readonly instance: string;
  readonly command: string;
  readonly executor: "paasta" | "ssh" | "spark";
  readonly requires: readonly string[];
  readonly retries: number;
  readonly retries_delay: string | null;
  readonly service: string;
  readonly deploy_group: string | null;
  readonly cpus: number;
  readonly mem: number;
  readonly disk: number;
  readonly cpu_burst_add: number;
  readonly env: Readonly<Record<string, string>>;
  readonly pool: string;
  readonly raw: Readonly<Record<string, unknown>>;
}

export type TronSchedule =
  | { readonly type: "cron"; readonly value: string }
  | { readonly type: "daily"; readonly value: string }
  | { readonly type: "interval"; readonly value: string }
  | { readonly type: "other"; readonly value: string };

export interface ResolvedTronJob {
  readonly service: string;
  readonly cluster: string;
  readonly name: string;
  readonly source: { readonly file: string; readonly line: number };
  readonly schedule: TronSchedule;
  readonly time_zone: string;
  readonly enabled: boolean;
  readonly queueing: boolean;
  readonly allow_overlap: boolean;
  readonly run_limit: number;
  readonly max_runtime: string | null;
  readonly expected_runtime: string | null;
  readonly monitoring: ResolvedMonitoring;
  readonly actions: readonly ResolvedTronAction[];
  readonly cleanup_action: ResolvedTronAction | null;
}
