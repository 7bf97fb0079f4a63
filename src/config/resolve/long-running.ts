/**
 * Long-running and adhoc instances (kubernetes, eks, adhoc): the general config under the instance's own
 * mapping, deep-merged (mappings merge, lists are replaced; reference §1.2), then deploy_group interpolation,
 * then every default. Pure: reads only already-parsed files.
 */
import { deepFreeze, deepMerge } from "../merge.js";
import { defaultNamespace } from "../naming.js";
import { formatPath, type PathSegment, type Problem } from "../problem.js";
import type { AdhocInstanceConfig } from "../schema/adhoc.js";
import type { InstanceType } from "../schema/index.js";
import type { KubernetesInstanceConfig } from "../schema/kubernetes.js";
import { fileValue, findFile, type ServiceDir } from "../soa.js";
import type { SystemConfig } from "../system.js";
import type { BounceMethod, ResolvedInstanceConfig } from "../types.js";
import { resolveProviders, resolveScaleDown } from "./autoscaling.js";
import { type Dict, isDict, num, scalarList, str, stringMap, strList } from "./coerce.js";
import { DEFAULTS } from "./defaults.js";
import {
  assertChecked,
  explicitKeys,
  type GeneralConfig,
  generalConfig,
  generalProblems,
  interpolateDeployGroup,
  type Resolved,
  type ResolveOptions,
} from "./general.js";
import { resolveDrainMethod, resolveDrainParams, resolveHealthcheck, resolveLifecycle } from "./health.js";
import { registrationNamespace } from "./mesh.js";
import { resolveMonitoring } from "./monitoring.js";
import { resolvePersistentVolumes, resolvePlacement, resolvePodSettings, resolveSecretVolumes } from "./pod.js";
import { resolveVolumes } from "./volumes.js";

/** What the user wrote for one instance, with the general config under it, as the schemas type it. */
type UserInstance = GeneralConfig & Partial<KubernetesInstanceConfig> & Partial<AdhocInstanceConfig> & Dict;

/**
 * Resolves one kubernetes/eks/adhoc instance. Problems are located in the instance file. Schema problems of
 * the files involved are reported too: a config with any problem is never returned.
 */
export function resolveInstance(
  svc: ServiceDir,
  system: SystemConfig | undefined,
  cluster: string,
  instance: string,
  kind: Exclude<InstanceType, "tron">,
  options: ResolveOptions = {},
): Resolved<ResolvedInstanceConfig> {
  const file = findFile(svc, kind, cluster);
  const doc = file?.doc;
  const own = isDict(doc?.value) ? (doc.value as Dict)[instance] : undefined;
  if (!file || !doc || instance.startsWith("_") || !isDict(own)) {
    return {
      ok: false,
      problems: [{ file: file?.name ?? `${kind}-${cluster}.yaml`, message: `instance "${instance}" not found` }],
    };
  }
  if (!options.bestEffort) {
    assertChecked(svc);
    const broken = [...file.problems, ...generalProblems(svc)];
    if (broken.length > 0) return { ok: false, problems: broken };
  }
  const merged = deepMerge(generalConfig(svc), own) as UserInstance;
  const problems: Problem[] = [];
  const loc = (path: PathSegment[]) => {
    const pos = doc.locate([instance, ...path]);
    return { file: doc.file, line: pos.line, col: pos.col, path: formatPath([instance, ...path]) };
  };
  const rawDg = str(merged.deploy_group) ?? `${cluster}.${instance}`;
  const dg = interpolateDeployGroup(rawDg, { cluster, instance, service: svc.name });
  if (typeof dg !== "string") problems.push({ ...loc(["deploy_group"]), message: dg.error });
  const config = build(svc, system, cluster, instance, kind, merged, typeof dg === "string" ? dg : rawDg);
  config.source = { file: doc.file, line: doc.topLevelLine(instance) };
  if (problems.length > 0) return { ok: false, problems, partial: options.bestEffort ? deepFreeze(config) : undefined };
  return { ok: true, config: deepFreeze(config) };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function build(
  svc: ServiceDir,
  system: SystemConfig | undefined,
  cluster: string,
  instance: string,
  kind: Exclude<InstanceType, "tron">,
  merged: UserInstance,
  deployGroup: string,
): Mutable<ResolvedInstanceConfig> {
  const registrations = strList(merged.registrations) ?? [`${svc.name}.${instance}`];
  const mesh = registrationNamespace(isDict(merged.smartstack) ? merged.smartstack : {}, registrations);
  const inMesh = mesh !== null && mesh.proxy_port !== null;
  const maxInstances = num(merged.max_instances) ?? null;
  const margin = num(merged.bounce_margin_factor);
  const pool = str(merged.pool) ?? DEFAULTS.pool;
  const lifecycle = resolveLifecycle(merged.lifecycle, inMesh);
  const drainMethod = resolveDrainMethod(merged, inMesh);
  return {
    service: svc.name,
    instance,
    cluster,
    type: kind,
    source: { file: "", line: 0 },
    deploy_group: deployGroup,
    git_url: merged.git_url === null ? null : (str(merged.git_url) ?? null),
    docker_registry: str(merged.docker_registry) ?? system?.get("docker_registry") ?? null,
    cost_owner: str(merged.cost_owner) ?? null,
    cpus: num(merged.cpus) ?? DEFAULTS.cpus,
    mem: num(merged.mem) ?? DEFAULTS.mem,
    disk: num(merged.disk) ?? DEFAULTS.disk,
    gpus: num(merged.gpus) ?? null,
    cpu_burst_add: num(merged.cpu_burst_add) ?? DEFAULTS.cpu_burst_add,
    cfs_period_us: num(merged.cfs_period_us) ?? DEFAULTS.cfs_period_us,
    cmd: typeof merged.cmd === "string" ? merged.cmd : (scalarList(merged.cmd) ?? null),
    args: scalarList(merged.args) ?? [],
    env: stringMap(merged.env),
    // container_port 0 is accepted (validate warns) and means the default.
    container_port: num(merged.container_port) || DEFAULTS.container_port,
    instances: num(merged.instances) ?? DEFAULTS.instances,
    min_instances: num(merged.min_instances) ?? DEFAULTS.min_instances,
    max_instances: maxInstances,
    autoscaled: maxInstances !== null,
    metrics_providers: resolveProviders(merged.autoscaling),
    scaledown: resolveScaleDown(merged.autoscaling),
    registrations,
    in_mesh: inMesh,
    mesh,
    weight: num(merged.weight) ?? DEFAULTS.weight,
    bounce_method: (str(merged.bounce_method) as BounceMethod | undefined) ?? DEFAULTS.bounce_method,
    bounce_margin_factor: margin ?? DEFAULTS.bounce_margin_factor,
    bounce_overprovision_factor:
      num(merged.bounce_overprovision_factor) ??
      system?.get("default_bounce_overprovision_factor") ??
      DEFAULTS.bounce_overprovision_factor,
    min_task_uptime:
      num(isDict(merged.bounce_health_params) ? merged.bounce_health_params.min_task_uptime : undefined) ??
      DEFAULTS.min_task_uptime,
    drain_method: drainMethod,
    drain_method_params: resolveDrainParams(merged.drain_method_params),
    healthcheck: resolveHealthcheck(merged, mesh, inMesh),
    lifecycle,
    stop_grace_seconds: lifecycle.termination_grace_period_seconds ?? DEFAULTS.stop_grace_seconds,
    replication_threshold: num(merged.replication_threshold) ?? DEFAULTS.replication_threshold,
    volumes: resolveVolumes(system?.volumes() ?? [], merged.extra_volumes),
    secret_volumes: resolveSecretVolumes(merged.secret_volumes),
    persistent_volumes: resolvePersistentVolumes(merged.persistent_volumes),
    pool,
    namespace: str(merged.namespace) || (kind === "adhoc" ? DEFAULTS.adhoc_namespace : defaultNamespace(svc.name)),
    net: str(merged.net) ?? DEFAULTS.net,
    placement: resolvePlacement(merged, pool, system),
    pod: resolvePodSettings(merged, margin, system),
    monitoring: resolveMonitoring(merged.monitoring, fileValue(svc, "service")),
    explicit: explicitKeys(merged, ["lifecycle"]),
  };
}
