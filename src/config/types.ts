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
  /** The keys the user wrote on this provider (validate's rules read them; never hashed). */
  readonly explicit_keys: readonly string[];
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
  readonly component: string | readonly string[] | null;
  readonly description: string | null;
  /** Tron job monitoring: issue type, dependencies, daily-success and expected-runtime alerting. */
  readonly issuetype: string | null;
  readonly dependencies: readonly string[];
  readonly check_that_every_day_has_a_successful_run: boolean;
  readonly page_for_expected_runtime: boolean;
}

/** One `smartstack.yaml` namespace (reference §1.11) with its defaults applied. */
export interface ResolvedNamespace {
  readonly name: string;
  /** null: discovery only (no local proxy port). */
  readonly proxy_port: number | null;
  readonly mode: "http" | "https" | "http2" | "tcp";
  readonly healthcheck_mode: "http" | "https" | "tcp";
  readonly healthcheck_uri: string;
  readonly healthcheck_timeout_s: number;
  readonly timeout_connect_ms: number;
  readonly timeout_server_ms: number;
  readonly timeout_client_ms: number | null;
  readonly idle_timeout_s: number;
  /** Path prefix (or `^regex`) → server timeout in ms. */
  readonly endpoint_timeouts: Readonly<Record<string, number>>;
  readonly retries: number;
  readonly lb_policy: string;
  readonly extra_headers: Readonly<Record<string, string>>;
}

/** How a task is drained before it is stopped (reference §6.3), with the method's defaults applied. */
export interface ResolvedHttpDrainCall {
  readonly url_format: string;
  readonly method: string;
  readonly success_codes: string;
}

export interface ResolvedDrainParams {
  /** hacheck: seconds every registration stays down before the task may be killed. */
  readonly delay: number;
  /** http: the calls, each null when not configured. */
  readonly drain: ResolvedHttpDrainCall | null;
  readonly stop_draining: ResolvedHttpDrainCall | null;
  readonly is_draining: ResolvedHttpDrainCall | null;
  readonly is_safe_to_kill: ResolvedHttpDrainCall | null;
}

export type NodeSelectorValue =
  | string
  | readonly string[]
  | ReadonlyArray<{ readonly operator: string; readonly values?: readonly string[]; readonly value?: number }>;

export interface ResolvedAffinityTarget {
  readonly service: string | null;
  readonly instance: string | null;
  readonly weight: number;
}

export interface ResolvedTopologySpread {
  readonly topology_key: string;
  readonly max_skew: number;
  readonly when_unsatisfiable: "ScheduleAnyway" | "DoNotSchedule";
  readonly match_label_keys: readonly string[] | null;
}

/** Where pods may run (reference §1.6): instance keys, with system defaults where PaaSTA has them. */
export interface ResolvedPlacement {
  readonly node_selectors: Readonly<Record<string, NodeSelectorValue>>;
  readonly node_selectors_preferred: ReadonlyArray<{
    readonly weight: number;
    readonly preferences: Readonly<Record<string, NodeSelectorValue>>;
  }>;
  readonly deploy_whitelist: readonly [string, readonly string[]] | null;
  readonly deploy_blacklist: ReadonlyArray<readonly [string, string]>;
  readonly anti_affinity: readonly ResolvedAffinityTarget[];
  readonly anti_affinity_preferred: readonly ResolvedAffinityTarget[];
  /** The instance's own, else the system config's `topology_spread_constraints`. */
  readonly topology_spread_constraints: readonly ResolvedTopologySpread[];
  /** The system config's `pool_node_affinities[pool]`, when set. */
  readonly pool_node_affinity: Readonly<Record<string, NodeSelectorValue>> | null;
}

/** Pod and workload settings (Kubernetes; the local runtime reads none of them). */
export interface ResolvedPodSettings {
  readonly cap_add: readonly string[];
  readonly privileged: boolean;
  readonly service_account_name: string | null;
  readonly fs_group: number | null;
  readonly fs_group_change_policy: string | null;
  readonly prometheus_port: number | null;
  readonly prometheus_path: string | null;
  readonly prometheus_shard: string | null;
  readonly routable_ip: boolean;
  readonly pod_management_policy: "OrderedReady" | "Parallel";
  /** The instance's, else the system config's, else IfHealthyBudget. */
  readonly unhealthy_pod_eviction_policy: "AlwaysAllow" | "IfHealthyBudget";
  /** PDB maxUnavailable: from bounce_margin_factor when set explicitly, else the system's pdb_max_unavailable. */
  readonly pdb_max_unavailable: string | number;
}

export interface ResolvedPersistentVolume {
  readonly container_path: string;
  readonly size_gib: number;
  readonly mode: "RO" | "RW";
  readonly storage_class_name: string;
}

export interface ResolvedSecretVolume {
  readonly container_path: string;
  readonly secret_name: string;
  readonly default_mode: string | null;
  readonly items: ReadonlyArray<{ readonly key: string; readonly path: string; readonly mode?: string }> | null;
}

/** HPA scale-down behaviour (PaaSTA's defaults, or the instance's `autoscaling.scaledown_policies`). */
export type ResolvedScaleDown = Readonly<Record<string, unknown>>;

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
  readonly scaledown: ResolvedScaleDown;

  readonly registrations: readonly string[];
  /** The first registration's namespace has a proxy_port in the service's smartstack.yaml. */
  readonly in_mesh: boolean;
  /** The first registration's namespace, when the service's smartstack.yaml defines it. */
  readonly mesh: ResolvedNamespace | null;
  readonly weight: number;

  readonly bounce_method: BounceMethod;
  readonly bounce_margin_factor: number;
  readonly bounce_overprovision_factor: number;
  readonly min_task_uptime: number;
  readonly drain_method: "noop" | "hacheck" | "http" | "test";
  readonly drain_method_params: ResolvedDrainParams;
  readonly healthcheck: ResolvedHealthcheck;
  readonly lifecycle: ResolvedLifecycle;
  readonly replication_threshold: number;

  /** System `volumes` then `extra_volumes`, de-duplicated by (containerPath, hostPath), sorted. */
  readonly volumes: readonly ResolvedVolume[];
  readonly secret_volumes: readonly ResolvedSecretVolume[];
  readonly persistent_volumes: readonly ResolvedPersistentVolume[];

  readonly pool: string;
  readonly namespace: string;
  readonly net: string;
  readonly placement: ResolvedPlacement;
  readonly pod: ResolvedPodSettings;
  readonly monitoring: ResolvedMonitoring;
  /** Seconds a task may take to stop after SIGTERM: lifecycle's, else the default. */
  readonly stop_grace_seconds: number;

  /**
   * Keys the user wrote (top level of the merged instance, and `lifecycle.KEY`), sorted: "was it set
   * explicitly" as a recorded fact, for messages and the few behaviours that depend on it. Never hashed.
   */
  readonly explicit: readonly string[];
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
  /** Seconds between retries (from `retries_delay`), 0 when unset. */
  readonly retries_delay_seconds: number;
  readonly expected_runtime_seconds: number | null;
  readonly max_runtime_seconds: number | null;
  readonly triggered_by: readonly string[];
  readonly trigger_downstreams: boolean | Readonly<Record<string, string>>;
  /** How long it waits for its `triggered_by` triggers, from its run's scheduled time. */
  readonly trigger_timeout_seconds: number;
  readonly node: string;
  readonly service: string;
  readonly deploy_group: string | null;
  /** The registry of the job's service (service.yaml `docker_registry`, else the system config's). */
  readonly docker_registry: string | null;
  readonly cost_owner: string | null;
  readonly cpus: number;
  readonly mem: number;
  readonly disk: number;
  readonly cpu_burst_add: number;
  readonly cfs_period_us: number;
  readonly cap_add: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** System `volumes` then the action's `extra_volumes`. */
  readonly volumes: readonly ResolvedVolume[];
  readonly secret_volumes: readonly ResolvedSecretVolume[];
  readonly service_account_name: string | null;
  readonly pool: string;
  /** Keys written on the action itself (not inherited from the job). */
  readonly explicit: readonly string[];
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
  readonly max_runtime_seconds: number | null;
  readonly expected_runtime: string | null;
  readonly expected_runtime_seconds: number | null;
  readonly node: string;
  readonly monitoring: ResolvedMonitoring;
  /** The service's repository (service.yaml `git_url`), for the process executor's checkout. */
  readonly git_url: string | null;
  /** Kubernetes namespace of the action Jobs: system `tron_namespace`, else `tron`. */
  readonly namespace: string;
  /** A scheduled time missed while the scheduler was down still starts within this many seconds (system config). */
  readonly start_grace_seconds: number;
  readonly actions: readonly ResolvedTronAction[];
  readonly cleanup_action: ResolvedTronAction | null;
}
