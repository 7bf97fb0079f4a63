/**
 * THE table of defaults: every value the platform assumes when soa-configs or the system config say nothing.
 * Only the resolver reads it; everything downstream reads resolved, typed fields. Computed defaults (e.g. the
 * drain method of a mesh instance) are in the resolver's functions, built from these values.
 */
export const DEFAULTS = {
  // resources (reference §1.5)
  cpus: 1,
  mem: 4096,
  disk: 1024,
  tron_disk: 4096,
  cpu_burst_add: 1,
  tron_cpu_burst_add: 0,
  cfs_period_us: 100000,
  container_port: 8888,
  // replicas and bounces (§1.7, §6)
  instances: 1,
  min_instances: 1,
  bounce_method: "crossover",
  bounce_margin_factor: 0.95,
  bounce_overprovision_factor: 1,
  min_task_uptime: 0,
  // health checks (§1.7)
  healthcheck_uri: "/status",
  healthcheck_cmd: "/bin/true",
  healthcheck_grace_period_seconds: 60,
  healthcheck_interval_seconds: 10,
  healthcheck_timeout_seconds: 10,
  healthcheck_max_consecutive_failures: 30,
  /** The least a health check interval or timeout can be: 0 (accepted, as PaaSTA's schema does) becomes this. */
  healthcheck_min_seconds: 1,
  /** The least healthcheck_max_consecutive_failures can be (Kubernetes' failureThreshold minimum). */
  healthcheck_min_failures: 1,
  replication_threshold: 50,
  // the mesh (§1.11) and drains (§6.3)
  weight: 10,
  mesh_mode: "http",
  mesh_healthcheck_timeout_s: 1,
  mesh_timeout_connect_ms: 200,
  mesh_timeout_server_ms: 1000,
  mesh_idle_timeout_s: 60,
  mesh_retries: 1,
  mesh_lb_policy: "ROUND_ROBIN",
  hacheck_drain_delay: 60,
  http_drain_method: "GET",
  http_drain_success_codes: "200-399",
  mesh_pre_stop_drain_seconds: 30,
  /** Seconds a task may take to stop after SIGTERM when lifecycle.termination_grace_period_seconds is unset. */
  stop_grace_seconds: 30,
  // placement and pods (§1.6, §7.3, §7.4)
  pool: "default",
  net: "bridge",
  topology_max_skew: 1,
  topology_when_unsatisfiable: "ScheduleAnyway",
  anti_affinity_weight: 1,
  pod_management_policy: "OrderedReady",
  unhealthy_pod_eviction_policy: "IfHealthyBudget",
  pdb_max_unavailable: 0,
  storage_class_name: "ebs",
  /** Mode of a volume that does not say (read-only is the safe side). */
  volume_mode: "RO",
  // autoscaling (§1.8)
  setpoint: 0.8,
  promql_setpoint: 1,
  moving_average_window_seconds: 1800,
  desired_active_requests_per_replica: 1,
  decision_policy: "proportional",
  target_type: "AverageValue",
  metrics_provider: "cpu",
  /** The local autoscaler decides every this many seconds (the HPA's sync period); system key autoscaler_interval_seconds. */
  autoscaler_interval_seconds: 15,
  /** Its moving-average window for cpu and memory (PaaSTA sets none for them); system key autoscaler_window_seconds. */
  autoscaler_window_seconds: 60,
  /** `paasta autoscale --set N` without --for: how long the count is pinned. */
  autoscale_override_seconds: 3600,
  hpa_scale_down: {
    policies: [{ periodSeconds: 60, type: "Percent", value: 30 }],
    selectPolicy: "Max",
    stabilizationWindowSeconds: 300,
  },
  // monitoring (§1.12, §8)
  realert_every: -1,
  /** PaaSTA's check_every: how often its checks run (ours: system key monitoring_check_interval_seconds). */
  check_every: "1m",
  monitoring_check_interval_seconds: 60,
  /** alert_after of generic events; replication's is 10m, 20m for a non-autoscaled single instance; OOM's 0m. */
  alert_after: "5m",
  replication_alert_after: "10m",
  replication_alert_after_single: "20m",
  oom_alert_after: "0m",
  runbook: "http://y/paasta-troubleshooting",
  replication_runbook: "y/unhealthy-paasta-instances",
  oom_runbook: "y/check-oom-events",
  /** Restarts of the running version (while a task of it is not healthy) that make a crash loop. */
  crash_loop_restarts: 3,
  /** Seconds a bounce may make no progress before the bounce check alerts (system key monitoring_bounce_stuck_seconds). */
  bounce_stuck_seconds: 900,
  /** OOM kills within one check interval that make the oom-killer check CRITICAL. */
  oom_kills_threshold: 1,
  // Tron (§1.10)
  tron_time_zone: "UTC",
  tron_run_limit: 50,
  tron_node: "paasta",
  tron_retries: 0,
  /** How long an action with `triggered_by` waits for its triggers, from its run's scheduled time (Tron's). */
  tron_trigger_timeout_seconds: 86400,
  /**
   * Seconds after a scheduled time within which a scheduler that was not running still starts the run (late);
   * later, the run is recorded as skipped. System config `tron_start_grace_seconds`.
   */
  tron_start_grace_seconds: 60,
  /** `paasta remote-run start -m`: a one-off run is stopped after this long (PaaSTA's default). */
  remote_run_max_duration_seconds: 7200,
  // deploy.yaml (§1.13)
  pipeline_step_timeout_seconds: 10800,
  pipeline_step_warn_percent: 17,
  deploy_slack_channel: "#deploy",
  // namespaces
  adhoc_namespace: "paasta",
  tron_namespace: "tron",
  /** The control plane's own records on Kubernetes (the monitor's alert state: a ConfigMap here). */
  control_plane_namespace: "paasta-system",
  // the local runtime's state dir (system config cluster_backends.CLUSTER, type local; ours)
  local_history_days: 7,
  local_keep_versions: 3,
} as const;
