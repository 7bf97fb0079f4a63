/**
 * THE resolver: the one place where soa-configs become a ResolvedInstanceConfig and every default is applied.
 * Merge order (PaaSTA reference §1.2): the general config (service.yaml keys, plus `monitoring`, `deploy` and
 * `smartstack` from their files) under the instance's own mapping, deep-merged (mappings merge, lists are
 * replaced); then `deploy_group` interpolation; then defaults. Pure: reads only already-parsed files.
 */

import { deepFreeze, deepMerge } from "./merge.js";
import { defaultNamespace } from "./naming.js";
import { entryPattern } from "./patterns.js";
import { formatPath, type PathSegment, type Problem } from "./problem.js";
import type { InstanceType } from "./schema/index.js";
import { fileValue, findFile, type ServiceDir } from "./soa.js";
import type { SystemConfig } from "./system.js";
import { parseTronSchedule } from "./tron-schedule.js";
import type {
  ResolvedHealthcheck,
  ResolvedInstanceConfig,
  ResolvedLifecycle,
  ResolvedMetricsProvider,
  ResolvedMonitoring,
  ResolvedTronAction,
  ResolvedTronJob,
  ResolvedVolume,
} from "./types.js";

export interface ResolveOptions {
  /**
   * Resolve even when the files involved have schema problems (validate reports those itself and wants the
   * rules' findings too). Never used to deploy: a config with problems is never applied.
   */
  readonly bestEffort?: boolean;
}

export type Resolved<T> =
  | { ok: true; config: T }
  /** `partial`: with `bestEffort`, what could be resolved despite the problems (for further checks only). */
  | { ok: false; problems: Problem[]; partial?: T };

/** Defaults that are plain values. Computed defaults are in the functions below. */
export const DEFAULTS = {
  cpus: 1,
  mem: 4096,
  disk: 1024,
  tron_disk: 4096,
  cpu_burst_add: 1,
  tron_cpu_burst_add: 0,
  cfs_period_us: 100000,
  container_port: 8888,
  instances: 1,
  min_instances: 1,
  bounce_method: "crossover",
  bounce_margin_factor: 0.95,
  bounce_overprovision_factor: 1,
  min_task_uptime: 0,
  healthcheck_uri: "/status",
  healthcheck_cmd: "/bin/true",
  healthcheck_grace_period_seconds: 60,
  healthcheck_interval_seconds: 10,
  healthcheck_timeout_seconds: 10,
  healthcheck_max_consecutive_failures: 30,
  replication_threshold: 50,
  weight: 10,
  pool: "default",
  net: "bridge",
  hacheck_drain_delay: 60,
  mesh_pre_stop_drain_seconds: 30,
  setpoint: 0.8,
  promql_setpoint: 1,
  moving_average_window_seconds: 1800,
  tron_time_zone: "UTC",
  tron_run_limit: 50,
  adhoc_namespace: "paasta",
  tron_namespace: "tron",
} as const;

const WINDOWED_PROVIDERS = new Set(["uwsgi", "uwsgi-v2", "piscina", "gunicorn", "worker-load", "active-requests"]);

type Dict = Record<string, unknown>;

function isDict(v: unknown): v is Dict {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** The general config every instance inherits from (service.yaml + the synthetic monitoring/deploy/smartstack keys). */
const generalCache = new WeakMap<ServiceDir, Dict>();

export function generalConfig(svc: ServiceDir): Dict {
  const cached = generalCache.get(svc);
  if (cached) return cached;
  const general: Dict = {
    ...fileValue(svc, "service"),
    monitoring: fileValue(svc, "monitoring"),
    deploy: fileValue(svc, "deploy"),
    smartstack: fileValue(svc, "smartstack"),
  };
  generalCache.set(svc, general);
  return general;
}

/** Names of the instances (not templates) in a TYPE-CLUSTER.yaml of the service. Tron: job names. */
export function instanceNames(svc: ServiceDir, kind: InstanceType, cluster: string): string[] {
  const value = findFile(svc, kind, cluster)?.doc?.value;
  const pattern = entryPattern(kind);
  return isDict(value)
    ? Object.keys(value).filter((k) => !k.startsWith("_") && (!pattern || pattern.test(k)) && isDict(value[k]))
    : [];
}

/** Formats `{cluster}`, `{instance}`, `{service}` like Python's str.format; unknown placeholders are problems. */
export function interpolateDeployGroup(
  template: string,
  vars: { cluster: string; instance: string; service: string },
): string | { error: string } {
  let error: string | undefined;
  const out = template.replace(/\{([^{}]*)\}/g, (_, name: string) => {
    if (name === "cluster" || name === "instance" || name === "service") return vars[name];
    error = `unknown placeholder {${name}} (allowed: {cluster}, {instance}, {service})`;
    return "";
  });
  return error ? { error } : out;
}

interface Ctx {
  readonly svc: ServiceDir;
  readonly system: SystemConfig | undefined;
  readonly cluster: string;
}

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

  const ctx: Ctx = { svc, system, cluster };
  const general = generalConfig(svc);
  const merged = deepMerge(general, own) as Dict;
  const problems: Problem[] = [];
  const loc = (path: PathSegment[]) => {
    const pos = doc.locate([instance, ...path]);
    return { file: doc.file, line: pos.line, col: pos.col, path: formatPath([instance, ...path]) };
  };

  const rawDg = str(merged.deploy_group) ?? `${cluster}.${instance}`;
  const dg = interpolateDeployGroup(rawDg, { cluster, instance, service: svc.name });
  if (typeof dg !== "string") problems.push({ ...loc(["deploy_group"]), message: dg.error });

  const registrations = strList(merged.registrations) ?? [`${svc.name}.${instance}`];
  const namespaceCfg = meshNamespace(ctx, registrations);
  const inMesh =
    namespaceCfg !== undefined && namespaceCfg.proxy_port !== undefined && namespaceCfg.proxy_port !== null;
  const maxInstances = num(merged.max_instances) ?? null;
  const margin = num(merged.bounce_margin_factor);

  const config: ResolvedInstanceConfig = {
    service: svc.name,
    instance,
    cluster,
    type: kind,
    source: { file: doc.file, line: doc.topLevelLine(instance) },
    deploy_group: typeof dg === "string" ? dg : rawDg,
    git_url: merged.git_url === null ? null : (str(merged.git_url) ?? null),
    docker_registry: str(merged.docker_registry) ?? system?.get("docker_registry") ?? null,
    cost_owner: str(merged.cost_owner) ?? null,
    cpus: num(merged.cpus) ?? DEFAULTS.cpus,
    mem: num(merged.mem) ?? DEFAULTS.mem,
    disk: num(merged.disk) ?? DEFAULTS.disk,
    gpus: num(merged.gpus) ?? null,
    cpu_burst_add: num(merged.cpu_burst_add) ?? DEFAULTS.cpu_burst_add,
    cfs_period_us: num(merged.cfs_period_us) ?? DEFAULTS.cfs_period_us,
    cmd: typeof merged.cmd === "string" ? merged.cmd : (strList(merged.cmd) ?? null),
    args: strList(merged.args) ?? [],
    env: stringMap(merged.env),
    container_port: num(merged.container_port) ?? DEFAULTS.container_port,
    instances: num(merged.instances) ?? DEFAULTS.instances,
    min_instances: num(merged.min_instances) ?? DEFAULTS.min_instances,
    max_instances: maxInstances,
    autoscaled: maxInstances !== null,
    metrics_providers: resolveProviders(merged.autoscaling),
    scaledown_policies:
      isDict(merged.autoscaling) && isDict(merged.autoscaling.scaledown_policies)
        ? merged.autoscaling.scaledown_policies
        : null,
    registrations,
    in_mesh: inMesh,
    weight: num(merged.weight) ?? DEFAULTS.weight,
    bounce_method: (str(merged.bounce_method) as ResolvedInstanceConfig["bounce_method"]) ?? DEFAULTS.bounce_method,
    bounce_margin_factor: margin ?? DEFAULTS.bounce_margin_factor,
    bounce_margin_factor_set: margin !== undefined,
    bounce_overprovision_factor:
      num(merged.bounce_overprovision_factor) ??
      system?.get("default_bounce_overprovision_factor") ??
      DEFAULTS.bounce_overprovision_factor,
    min_task_uptime:
      num(isDict(merged.bounce_health_params) ? merged.bounce_health_params.min_task_uptime : undefined) ??
      DEFAULTS.min_task_uptime,
    drain_method: (str(merged.drain_method) as ResolvedInstanceConfig["drain_method"]) ?? (inMesh ? "hacheck" : "noop"),
    drain_method_params: isDict(merged.drain_method_params)
      ? merged.drain_method_params
      : (str(merged.drain_method) ?? (inMesh ? "hacheck" : "noop")) === "hacheck"
        ? { delay: DEFAULTS.hacheck_drain_delay }
        : {},
    healthcheck: resolveHealthcheck(merged, namespaceCfg, inMesh),
    lifecycle: resolveLifecycle(merged.lifecycle, inMesh),
    replication_threshold: num(merged.replication_threshold) ?? DEFAULTS.replication_threshold,
    volumes: resolveVolumes(system?.volumes() ?? [], merged.extra_volumes),
    secret_volumes: dictList(merged.secret_volumes),
    persistent_volumes: dictList(merged.persistent_volumes),
    pool: str(merged.pool) ?? DEFAULTS.pool,
    namespace: str(merged.namespace) ?? (kind === "adhoc" ? DEFAULTS.adhoc_namespace : defaultNamespace(svc.name)),
    net: str(merged.net) ?? DEFAULTS.net,
    monitoring: resolveMonitoring(merged.monitoring, fileValue(svc, "service")),
    raw: merged,
  };
  if (problems.length > 0) return { ok: false, problems, partial: options.bestEffort ? deepFreeze(config) : undefined };
  return { ok: true, config: deepFreeze(config) };
}

/** Strict resolution decides what runs: it must see schema problems, so the directory must be checked. */
function assertChecked(svc: ServiceDir): void {
  if (!svc.checked)
    throw new Error(
      `internal: resolving ${svc.name} strictly needs a schema-checked ServiceDir (file-check.ts loadServiceDir)`,
    );
}

/** Schema problems of the files every instance inherits from. */
export function generalProblems(svc: ServiceDir): Problem[] {
  return svc.files
    .filter((f) => ["service", "monitoring", "deploy", "smartstack"].includes(f.kind))
    .flatMap((f) => f.problems);
}

function meshNamespace(ctx: Ctx, registrations: readonly string[]): Dict | undefined {
  const first = registrations[0];
  if (!first) return undefined;
  const [regService, ns] = first.split(".");
  // PaaSTA quirk kept on purpose: the namespace is looked up in the instance's own smartstack.yaml.
  if (!ns || regService === undefined) return undefined;
  const smartstack = fileValue(ctx.svc, "smartstack");
  const entry = smartstack[ns];
  return isDict(entry) ? entry : undefined;
}

function resolveHealthcheck(merged: Dict, ns: Dict | undefined, inMesh: boolean): ResolvedHealthcheck {
  let mode = str(merged.healthcheck_mode) as ResolvedHealthcheck["mode"] | undefined;
  if (mode === undefined && inMesh && ns) {
    const nsMode = str(ns.healthcheck_mode) ?? str(ns.mode) ?? "http";
    mode = (nsMode === "http2" ? "http" : nsMode) as ResolvedHealthcheck["mode"];
  }
  return {
    mode: mode ?? null,
    uri: str(merged.healthcheck_uri) ?? (ns ? str(ns.healthcheck_uri) : undefined) ?? DEFAULTS.healthcheck_uri,
    cmd: str(merged.healthcheck_cmd) ?? DEFAULTS.healthcheck_cmd,
    grace_period_seconds: num(merged.healthcheck_grace_period_seconds) ?? DEFAULTS.healthcheck_grace_period_seconds,
    interval_seconds: num(merged.healthcheck_interval_seconds) ?? DEFAULTS.healthcheck_interval_seconds,
    timeout_seconds: num(merged.healthcheck_timeout_seconds) ?? DEFAULTS.healthcheck_timeout_seconds,
    max_consecutive_failures:
      num(merged.healthcheck_max_consecutive_failures) ?? DEFAULTS.healthcheck_max_consecutive_failures,
  };
}

function resolveLifecycle(raw: unknown, inMesh: boolean): ResolvedLifecycle {
  const l = isDict(raw) ? raw : {};
  const cmd = l.pre_stop_command;
  return {
    pre_stop_command: typeof cmd === "string" ? cmd : (strList(cmd) ?? null),
    pre_stop_drain_seconds: num(l.pre_stop_drain_seconds) ?? (inMesh ? DEFAULTS.mesh_pre_stop_drain_seconds : 0),
    pre_stop_wait_for_connections_to_complete:
      typeof l.pre_stop_wait_for_connections_to_complete === "boolean"
        ? l.pre_stop_wait_for_connections_to_complete
        : inMesh,
    termination_grace_period_seconds: num(l.termination_grace_period_seconds) ?? null,
  };
}

function resolveProviders(autoscaling: unknown): ResolvedMetricsProvider[] {
  const list =
    isDict(autoscaling) && Array.isArray(autoscaling.metrics_providers) ? autoscaling.metrics_providers : [{}];
  return list.filter(isDict).map((p) => {
    const type = str(p.type) ?? "cpu";
    const setpoint = num(p.setpoint) ?? (type === "arbitrary-promql" ? DEFAULTS.promql_setpoint : DEFAULTS.setpoint);
    return {
      type,
      decision_policy: (str(p.decision_policy) as ResolvedMetricsProvider["decision_policy"]) ?? "proportional",
      setpoint,
      max_instances_alert_threshold: num(p.max_instances_alert_threshold) ?? setpoint,
      moving_average_window_seconds:
        num(p.moving_average_window_seconds) ??
        (WINDOWED_PROVIDERS.has(type) ? DEFAULTS.moving_average_window_seconds : null),
      desired_active_requests_per_replica:
        num(p.desired_active_requests_per_replica) ?? (type === "active-requests" ? 1 : null),
      target_type: (str(p.target_type) as ResolvedMetricsProvider["target_type"]) ?? "AverageValue",
      metrics_query: str(p.metrics_query) ?? null,
      series_query: str(p.series_query) ?? null,
    };
  });
}

function resolveVolumes(system: readonly ResolvedVolume[], extra: unknown): ResolvedVolume[] {
  const all = [...system, ...(Array.isArray(extra) ? (extra.filter(isDict) as unknown as ResolvedVolume[]) : [])];
  const seen = new Map<string, ResolvedVolume>();
  for (const v of all) {
    const key = `${v.containerPath}\u0000${v.hostPath}`;
    if (!seen.has(key)) seen.set(key, { containerPath: v.containerPath, hostPath: v.hostPath, mode: v.mode });
  }
  return [...seen.values()].sort(
    (a, b) => a.containerPath.localeCompare(b.containerPath) || a.hostPath.localeCompare(b.hostPath),
  );
}

/** Monitoring keys: instance override → monitoring.yaml (already merged under it) → service.yaml top level → default. */
export function resolveMonitoring(merged: unknown, serviceYaml: Dict): ResolvedMonitoring {
  const m = isDict(merged) ? merged : {};
  const pick = (k: string): unknown => (m[k] !== undefined ? m[k] : serviceYaml[k]);
  const raw: Dict = { ...m };
  for (const k of ["team", "page", "runbook", "tip", "notification_email", "ticket", "project", "priority"]) {
    const v = pick(k);
    if (v !== undefined) raw[k] = v;
  }
  const emailValue = pick("notification_email");
  return {
    team: str(pick("team")) ?? null,
    page: pick("page") === true,
    runbook: str(pick("runbook")) ?? null,
    tip: str(pick("tip")) ?? null,
    notification_email: typeof emailValue === "string" || typeof emailValue === "boolean" ? emailValue : null,
    ticket: pick("ticket") === true,
    project: str(pick("project")) ?? null,
    priority: pick("priority") === undefined ? null : String(pick("priority")),
    tags: strList(m.tags) ?? [],
    slack_channels: strList(m.slack_channels) ?? [],
    irc_channels: strList(m.irc_channels) ?? [],
    alert_after: typeof m.alert_after === "string" || typeof m.alert_after === "number" ? m.alert_after : null,
    realert_every: num(m.realert_every) ?? -1,
    check_oom_events: m.check_oom_events !== false,
    raw,
  };
}

/** Resolves one Tron job (and its actions) of `tron-CLUSTER.yaml`. */
export function resolveTronJob(
  svc: ServiceDir,
  system: SystemConfig | undefined,
  cluster: string,
  job: string,
  options: ResolveOptions = {},
): Resolved<ResolvedTronJob> {
  const file = findFile(svc, "tron", cluster);
  const doc = file?.doc;
  const own = isDict(doc?.value) ? (doc.value as Dict)[job] : undefined;
  if (!file || !doc || job.startsWith("_") || !isDict(own)) {
    return { ok: false, problems: [{ file: file?.name ?? `tron-${cluster}.yaml`, message: `job "${job}" not found` }] };
  }
  if (!options.bestEffort) {
    assertChecked(svc);
    const broken = [...file.problems, ...generalProblems(svc)];
    if (broken.length > 0) return { ok: false, problems: broken };
  }
  const problems: Problem[] = [];
  const schedule = parseTronSchedule(own.schedule);
  // A schedule that is neither a string nor a mapping (or is missing) is a schema problem, reported there.
  if ("error" in schedule && (typeof own.schedule === "string" || isDict(own.schedule))) {
    const pos = doc.locate([job, "schedule"]);
    problems.push({ file: doc.file, line: pos.line, col: pos.col, path: `${job}.schedule`, message: schedule.error });
  }
  const timeZone = str(own.time_zone) ?? DEFAULTS.tron_time_zone;
  if (!isTimeZone(timeZone)) {
    const pos = doc.locate([job, "time_zone"]);
    problems.push({
      file: doc.file,
      line: pos.line,
      col: pos.col,
      path: `${job}.time_zone`,
      message: `unknown time zone "${timeZone}": use an IANA time zone name, e.g. 'UTC' or 'America/Los_Angeles'`,
    });
  }
  const monitoring = resolveMonitoring(
    deepMerge(fileValue(svc, "monitoring"), own.monitoring ?? {}),
    fileValue(svc, "service"),
  );
  const jobDefaults = {
    service: str(own.service) ?? svc.name,
    deploy_group: str(own.deploy_group),
    cost_owner: str(own.cost_owner),
  };
  const pool = system?.get("tron_default_pool_override") ?? DEFAULTS.pool;
  const actionEntries: Array<[string, Dict, PathSegment[]]> = Array.isArray(own.actions)
    ? own.actions.filter(isDict).map((a, i) => [str(a.name) ?? `action${i}`, a, [job, "actions", i]])
    : isDict(own.actions)
      ? Object.entries(own.actions)
          .filter((e): e is [string, Dict] => isDict(e[1]))
          .map(([n, a]) => [n, a, [job, "actions", n]])
      : [];
  /** An action's deploy_group problem, located where the deploy_group is written (the action's, else the job's). */
  const deployGroupProblem = (action: Dict, path: PathSegment[], message: string) => {
    const at =
      action.deploy_group === undefined && own.deploy_group !== undefined
        ? [job, "deploy_group"]
        : [...path, "deploy_group"];
    const pos = doc.locate(at);
    const p: Problem = { file: doc.file, line: pos.line, col: pos.col, path: formatPath(at), message };
    // Several actions inheriting one bad job-level deploy_group make one problem.
    if (!problems.some((q) => q.line === p.line && q.col === p.col && q.message === p.message)) problems.push(p);
  };
  const actions: ResolvedTronAction[] = [];
  for (const [name, action, path] of actionEntries) {
    const r = resolveTronAction(cluster, job, name, action, jobDefaults, pool);
    if (typeof r === "string") deployGroupProblem(action, path, r);
    else actions.push(r);
  }
  let cleanup: ResolvedTronAction | null = null;
  if (isDict(own.cleanup_action)) {
    const r = resolveTronAction(cluster, job, "cleanup", own.cleanup_action, jobDefaults, pool);
    if (typeof r === "string") deployGroupProblem(own.cleanup_action, [job, "cleanup_action"], r);
    else cleanup = r;
  }
  const config: ResolvedTronJob = {
    service: svc.name,
    cluster,
    name: job,
    source: { file: doc.file, line: doc.topLevelLine(job) },
    schedule:
      "error" in schedule
        ? {
            type: "other",
            value: typeof own.schedule === "string" ? own.schedule : JSON.stringify(own.schedule ?? null),
          }
        : schedule,
    time_zone: timeZone,
    enabled: own.enabled !== false,
    queueing: own.queueing !== false,
    allow_overlap: own.allow_overlap === true,
    run_limit: num(own.run_limit) ?? DEFAULTS.tron_run_limit,
    max_runtime: str(own.max_runtime) ?? null,
    expected_runtime: str(own.expected_runtime) ?? null,
    monitoring,
    actions,
    cleanup_action: cleanup,
  };
  if (problems.length > 0) return { ok: false, problems, partial: options.bestEffort ? deepFreeze(config) : undefined };
  return { ok: true, config: deepFreeze(config) };
}

function resolveTronAction(
  cluster: string,
  job: string,
  name: string,
  a: Dict,
  jobDefaults: { service: string; deploy_group: string | undefined; cost_owner: string | undefined },
  pool: string,
): ResolvedTronAction | string {
  const instance = `${job}.${name}`;
  const actionService = str(a.service) ?? jobDefaults.service;
  const rawDg = str(a.deploy_group) ?? jobDefaults.deploy_group;
  const executor = (str(a.executor) as ResolvedTronAction["executor"]) ?? "paasta";
  let deployGroup: string | null = null;
  if (rawDg !== undefined) {
    const dg = interpolateDeployGroup(rawDg, { cluster, instance, service: actionService });
    if (typeof dg !== "string") return dg.error;
    deployGroup = dg;
  } else if (executor !== "ssh") {
    return `action "${name}" needs a deploy_group (on the action or its job) to run with the ${executor} executor`;
  }
  return {
    name,
    instance,
    command: str(a.command) ?? "",
    executor,
    requires: strList(a.requires) ?? [],
    retries: num(a.retries) ?? 0,
    retries_delay: str(a.retries_delay) ?? null,
    service: actionService,
    deploy_group: deployGroup,
    cpus: num(a.cpus) ?? DEFAULTS.cpus,
    mem: num(a.mem) ?? DEFAULTS.mem,
    disk: num(a.disk) ?? DEFAULTS.tron_disk,
    cpu_burst_add: num(a.cpu_burst_add) ?? DEFAULTS.tron_cpu_burst_add,
    env: stringMap(a.env),
    pool: str(a.pool) ?? pool,
    raw: { ...a, service: actionService, cost_owner: str(a.cost_owner) ?? jobDefaults.cost_owner },
  };
}

const timeZones = new Map<string, boolean>();

/** Whether `tz` is an IANA time zone (cached: building a DateTimeFormat is slow). */
function isTimeZone(tz: string): boolean {
  let known = timeZones.get(tz);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: tz });
      known = true;
    } catch {
      known = false;
    }
    timeZones.set(tz, known);
  }
  return known;
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

function strList(v: unknown): string[] | undefined {
  return Array.isArray(v) && v.every((x) => typeof x === "string") ? (v as string[]) : undefined;
}

function stringMap(v: unknown): Record<string, string> {
  if (!isDict(v)) return {};
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) if (typeof val === "string") out[k] = val;
  return out;
}

function dictList(v: unknown): Dict[] {
  return Array.isArray(v) ? v.filter(isDict) : [];
}
