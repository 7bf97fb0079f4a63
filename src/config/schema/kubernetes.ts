/**
 * `kubernetes-CLUSTER.yaml` and `eks-CLUSTER.yaml` (same schema): long-running instances.
 * Top-level keys are instance names; `_`-prefixed keys are templates.
 */
import { z } from "zod";
import { awsEbsVolume, costOwner, integer, persistentVolume, stringList } from "./common.js";
import { commandKeys, identityKeys, legacyKeys, placementKeys, resourceKeys, volumeKeys } from "./instance-common.js";
import { field, ignoredField } from "./meta.js";
import { monitoringOverrideSchema } from "./monitoring.js";

const MARATHON = "Marathon-era key, accepted by PaaSTA's schema and inert";

export const metricsProviderSchema = z.strictObject({
  type: field(
    z.enum([
      "cpu",
      "memory",
      "uwsgi",
      "uwsgi-v2",
      "gunicorn",
      "piscina",
      "active-requests",
      "arbitrary-promql",
      "worker-load",
    ]),
    {
      description: "Metric that drives autoscaling. cpu and memory work out of the box; others need a metrics adapter.",
      default: "cpu",
    },
  ),
  decision_policy: field(z.string(), {
    description:
      "proportional: an HPA; bespoke: an external controller sets replicas through the API. Other values are accepted (as PaaSTA does) and act as proportional, with a warning.",
    default: "proportional",
  }),
  setpoint: field(z.number().positive(), {
    description: "Target utilisation.",
    defaultText: "0.8 (1.0 for arbitrary-promql)",
  }),
  desired_active_requests_per_replica: field(z.number().positive(), {
    description: "active-requests only.",
    default: 1,
  }),
  max_instances_alert_threshold: field(z.number(), {
    description: "Alert threshold when pinned at max_instances.",
    defaultText: "setpoint",
  }),
  moving_average_window_seconds: field(integer().min(60), {
    description: "Averaging window for request-based providers.",
    defaultText: "1800 for uwsgi, uwsgi-v2, piscina, gunicorn, worker-load, active-requests",
  }),
  forecast_policy: ignoredField(z.enum(["moving_average", "current"]), "Legacy forecast policy.", "legacy autoscaler"),
  metrics_query: field(z.string(), "arbitrary-promql: the PromQL query."),
  series_query: field(z.string(), "arbitrary-promql: the series query."),
  target_type: field(z.enum(["Value", "AverageValue"]), {
    description: "arbitrary-promql target type.",
    default: "AverageValue",
  }),
  resources: field(
    z.strictObject({ overrides: z.record(z.string(), z.unknown()).optional(), template: z.string().optional() }),
    "arbitrary-promql adapter resources.",
  ),
});

export const autoscalingSchema = z.strictObject({
  metrics_providers: field(z.array(metricsProviderSchema), {
    description: "One entry per metric type.",
    defaultText: "[{type: cpu, setpoint: 0.8}]",
  }),
  scaledown_policies: field(z.record(z.string(), z.unknown()), "Raw HPA scaleDown behaviour."),
});

const httpDrainCall = z.looseObject({
  url_format: z.string(),
  method: z.string().optional(),
  success_codes: z.union([z.string(), z.number()]).optional(),
});

export const kubernetesInstanceKeys = {
  ...resourceKeys,
  ...commandKeys,
  ...volumeKeys,
  ...placementKeys,
  ...identityKeys,
  ...legacyKeys,
  instances: field(integer().min(0), {
    description: "Number of replicas when not autoscaled. 0 stops the instance permanently.",
    default: 1,
    bounce: false,
  }),
  min_instances: field(integer().min(0), { description: "Autoscaling lower bound.", default: 1, bounce: false }),
  max_instances: field(integer().min(0), {
    description: "Autoscaling upper bound; setting it turns autoscaling on.",
    bounce: false,
  }),
  registrations: field(stringList, {
    description: "Proxy namespaces (service.namespace) this instance joins.",
    defaultText: "[SERVICE.INSTANCE]",
  }),
  container_port: field(integer().min(0).max(65535), {
    description:
      "Port the app listens on (PAASTA_PORT); 0 is accepted as PaaSTA does and means the default, with a warning.",
    default: 8888,
  }),
  bounce_method: field(z.enum(["crossover", "brutal", "downthenup", "upthendown"]), {
    description: "How a new version replaces the old one: crossover, brutal, downthenup, upthendown.",
    default: "crossover",
  }),
  bounce_health_params: field(
    z.looseObject({
      check_haproxy: z.boolean().optional(),
      check_envoy: z.boolean().optional(),
      min_task_uptime: z.number().min(0).optional(),
      haproxy_min_fraction_up: z.number().gt(0).max(1).optional(),
    }),
    {
      description: "Bounce health gating: min_task_uptime (seconds a task must be healthy to count as happy).",
      defaultText: "min_task_uptime 0",
    },
  ),
  bounce_margin_factor: field(z.number().min(0).max(1), {
    description: "Fraction of replicas that must stay up during a bounce.",
    default: 0.95,
  }),
  bounce_overprovision_factor: field(z.number().min(0.25).max(1), {
    description: "Extra replicas allowed during a bounce (maxSurge), as a fraction.",
    default: 1,
  }),
  bounce_start_deadline: ignoredField(z.number(), "deployd queue priority.", "paasta-deployd's queue no longer exists"),
  bounce_priority: ignoredField(integer(), "deployd queue priority.", MARATHON),
  drain_method: field(z.enum(["noop", "hacheck", "http", "test"]), {
    description: "How a task is drained before it is stopped.",
    defaultText:
      "hacheck when in the mesh, else noop (hacheck drains through the local proxy; on Kubernetes, pod readiness and preStop)",
  }),
  drain_method_params: field(
    z.looseObject({
      drain: httpDrainCall.optional(),
      stop_draining: httpDrainCall.optional(),
      is_draining: httpDrainCall.optional(),
      is_safe_to_kill: httpDrainCall.optional(),
      delay: z.number().optional(),
    }),
    { description: "Parameters of the drain method.", defaultText: "{delay: 60} for hacheck" },
  ),
  healthcheck_mode: field(z.enum(["cmd", "tcp", "http", "https"]), {
    description: "How task health is checked.",
    defaultText: "the mesh namespace's mode (http) when in the mesh, else none",
  }),
  healthcheck_cmd: field(z.string(), {
    description: "Command for healthcheck_mode cmd (run with /bin/sh -c).",
    default: "/bin/true",
  }),
  healthcheck_uri: field(z.string(), {
    description: "HTTP path for http/https health checks.",
    defaultText: "the namespace's healthcheck_uri, else /status",
  }),
  healthcheck_grace_period_seconds: field(z.number().min(0), {
    description: "Seconds before the first health check.",
    default: 60,
  }),
  healthcheck_interval_seconds: field(z.number().min(0), {
    description: "Seconds between health checks.",
    default: 10,
  }),
  healthcheck_timeout_seconds: field(z.number().min(0), {
    description: "Timeout of one health check.",
    default: 10,
  }),
  healthcheck_max_consecutive_failures: field(integer().min(0), {
    description: "Failed checks in a row before a task is unhealthy and replaced.",
    default: 30,
  }),
  replication_threshold: field(integer().min(0), {
    description: "Replication alert threshold, percent.",
    default: 50,
    bounce: false,
  }),
  weight: field(integer().min(1), { description: "Load-balancing weight in the mesh.", default: 10 }),
  lifecycle: field(
    z.looseObject({
      pre_stop_command: z.union([z.string(), stringList]).optional(),
      pre_stop_drain_seconds: integer().min(0).optional(),
      pre_stop_wait_for_connections_to_complete: z.boolean().optional(),
      termination_grace_period_seconds: integer().min(0).optional(),
    }),
    "Termination behaviour: pre_stop_command, pre_stop_drain_seconds, termination_grace_period_seconds.",
  ),
  autoscaling: field(autoscalingSchema, "Autoscaling providers (with max_instances)."),
  monitoring: field(monitoringOverrideSchema, {
    description: "Per-instance overrides of monitoring.yaml.",
    bounce: false,
  }),
  persistent_volumes: field(z.array(persistentVolume), {
    description: "Per-replica volumes {container_path, size (GiB), mode, storage_class_name?}; makes a StatefulSet.",
    default: [],
  }),
  aws_ebs_volumes: field(z.array(awsEbsVolume), {
    description: "AWS EBS volumes; forces downthenup and at most 1 instance.",
    default: [],
  }),
  deploy_blacklist: field(z.array(z.array(z.string()).length(2)), "[[location_type, value], …] to avoid."),
  deploy_whitelist: field(
    z.union([z.tuple([z.string(), stringList]), z.array(z.string()).max(0)]),
    "[location_type, [values]] to restrict to ([] for none).",
  ),
  anti_affinity: field(
    z.union([
      z.looseObject({ service: z.string().optional(), instance: z.string().optional() }),
      z.array(z.looseObject({ service: z.string().optional(), instance: z.string().optional() })),
    ]),
    "Required pod anti-affinity against {service?, instance?}.",
  ),
  anti_affinity_preferred: field(
    z.union([
      z.looseObject({
        service: z.string().optional(),
        instance: z.string().optional(),
        weight: integer().optional(),
      }),
      z.array(
        z.looseObject({
          service: z.string().optional(),
          instance: z.string().optional(),
          weight: integer().optional(),
        }),
      ),
    ]),
    "Preferred pod anti-affinity.",
  ),
  topology_spread_constraints: field(
    z.array(
      z.looseObject({
        topology_key: z.string().optional(),
        max_skew: integer().optional(),
        when_unsatisfiable: z.enum(["ScheduleAnyway", "DoNotSchedule"]).optional(),
        match_label_keys: stringList.optional(),
      }),
    ),
    {
      description: "Topology spread constraints (selector: service + instance).",
      defaultText: "system topology_spread_constraints",
    },
  ),
  unhealthy_pod_eviction_policy: field(z.enum(["AlwaysAllow", "IfHealthyBudget"]), {
    description: "PodDisruptionBudget unhealthyPodEvictionPolicy.",
    defaultText: "system unhealthy_pod_eviction_policy (IfHealthyBudget)",
  }),
  pod_management_policy: field(z.enum(["OrderedReady", "Parallel"]), {
    description: "StatefulSet pod management.",
    default: "OrderedReady",
  }),
  prometheus_shard: field(z.string(), "Prometheus shard label."),
  prometheus_path: field(z.string(), "Metrics path for scraping."),
  prometheus_port: field(integer().min(0), "Metrics port; also exposed on the container."),
  routable_ip: field(z.boolean(), { description: "Pod IP must be routable.", default: false }),
  service_account_name: identityKeys.service_account_name,
  extra_docker_args: field(
    z.record(z.string(), z.string()),
    "docker-only passthrough arguments (local-run / docker executor).",
  ),
  net: field(z.string(), { description: "Docker network mode (docker executor, local-run).", default: "bridge" }),
  is_istio_sidecar_injection_enabled: ignoredField(z.boolean(), "Istio sidecar injection.", "no Istio integration"),
  enable_aws_lb_readiness_gate: ignoredField(z.boolean(), "AWS LB readiness gate.", "AWS-specific"),
  sidecar_resource_requirements: ignoredField(
    z.record(z.string(), z.unknown()),
    "hacheck sidecar sizing.",
    "no hacheck sidecar: the mesh drains through the local proxy",
  ),
  autotune_limits: ignoredField(
    z.record(z.string(), z.unknown()),
    "Autotuner bounds.",
    "Yelp's autotuner is not part of paasta",
  ),
  should_ping_for_unhealthy_pods: ignoredField(
    z.boolean(),
    "Slack pings during wait-for-deployment.",
    "no Slack integration yet",
  ),
  dependencies_reference: ignoredField(z.string(), "Entry of dependencies.yaml.", "legacy"),
  backoff_factor: ignoredField(integer(), "Marathon launch backoff.", MARATHON),
  max_launch_delay_seconds: ignoredField(integer(), "Marathon launch delay.", MARATHON),
  host_port: ignoredField(integer().min(0).max(65535), "Marathon host port.", MARATHON),
  sfn_autoscaling: ignoredField(z.record(z.string(), z.unknown()), "Legacy autoscaler.", MARATHON),
  monitoring_blacklist: ignoredField(z.array(z.unknown()), "Legacy monitoring exclusions.", MARATHON),
  cost_owner: field(costOwner, "Cost attribution label (defaults to service.yaml's)."),
};

export const kubernetesInstanceSchema = z.strictObject(kubernetesInstanceKeys);
export type KubernetesInstanceConfig = z.infer<typeof kubernetesInstanceSchema>;
