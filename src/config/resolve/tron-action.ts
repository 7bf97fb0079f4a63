/**
 * A Tron action as the instance it runs as: an adhoc-type instance config with the action's resources, env,
 * volumes and the given command, so that the runners of instances (the local executors, identity and
 * environment) run actions unchanged. Long-running settings (replicas, health checks, bounces, the mesh) do not
 * apply to a batch action: they get the table's defaults and no runner reads them.
 */
import { deepFreeze } from "../merge.js";
import type { ResolvedInstanceConfig, ResolvedTronAction, ResolvedTronJob } from "../types.js";
import { DEFAULTS } from "./defaults.js";
import { resolveDrainParams, resolveHealthcheck, resolveLifecycle } from "./health.js";
import { resolvePlacement, resolvePodSettings } from "./pod.js";

export function actionAsInstance(
  job: ResolvedTronJob,
  action: ResolvedTronAction,
  command: string,
): ResolvedInstanceConfig {
  const lifecycle = resolveLifecycle(undefined, false);
  return deepFreeze({
    service: action.service,
    instance: action.instance,
    cluster: job.cluster,
    type: "adhoc",
    source: job.source,
    deploy_group: action.deploy_group ?? "",
    git_url: job.git_url,
    docker_registry: action.docker_registry,
    cost_owner: action.cost_owner,
    cpus: action.cpus,
    mem: action.mem,
    disk: action.disk,
    gpus: null,
    cpu_burst_add: action.cpu_burst_add,
    cfs_period_us: action.cfs_period_us,
    cmd: command,
    args: [],
    env: action.env,
    container_port: DEFAULTS.container_port,
    instances: 1,
    min_instances: 1,
    max_instances: null,
    autoscaled: false,
    metrics_providers: [],
    scaledown: {},
    registrations: [],
    in_mesh: false,
    mesh: null,
    weight: DEFAULTS.weight,
    bounce_method: DEFAULTS.bounce_method,
    bounce_margin_factor: DEFAULTS.bounce_margin_factor,
    bounce_overprovision_factor: DEFAULTS.bounce_overprovision_factor,
    min_task_uptime: DEFAULTS.min_task_uptime,
    drain_method: "noop",
    drain_method_params: resolveDrainParams(undefined),
    healthcheck: resolveHealthcheck({}, null, false),
    lifecycle,
    stop_grace_seconds: DEFAULTS.stop_grace_seconds,
    replication_threshold: DEFAULTS.replication_threshold,
    volumes: action.volumes,
    secret_volumes: action.secret_volumes,
    persistent_volumes: [],
    pool: action.pool,
    namespace: job.namespace,
    net: DEFAULTS.net,
    placement: resolvePlacement({}, action.pool, undefined),
    pod: resolvePodSettings(
      { cap_add: [...action.cap_add], service_account_name: action.service_account_name },
      undefined,
      undefined,
    ),
    monitoring: job.monitoring,
    explicit: action.explicit,
  });
}
