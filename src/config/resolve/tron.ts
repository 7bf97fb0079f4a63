/**
 * Tron jobs of `tron-CLUSTER.yaml` (reference §1.10, §7.7): the schedule and time zone, job-level defaults
 * inherited by each action (service, deploy_group, cost_owner), and each action's resources, durations and
 * triggers with their defaults. Monitoring merges the job's `monitoring:` over monitoring.yaml.
 */
import { deepFreeze, deepMerge } from "../merge.js";
import { formatPath, type PathSegment, type Problem } from "../problem.js";
import type { TronJobConfig } from "../schema/tron.js";
import { fileValue, findFile, type ServiceDir } from "../soa.js";
import type { SystemConfig } from "../system.js";
import { parseTronSchedule } from "../tron-schedule.js";
import type { ResolvedTronAction, ResolvedTronJob, ResolvedVolume } from "../types.js";
import { type Dict, durationSeconds, isDict, num, str, stringMap, strList } from "./coerce.js";
import { DEFAULTS } from "./defaults.js";
import {
  assertChecked,
  generalConfig,
  generalProblems,
  interpolateDeployGroup,
  type Resolved,
  type ResolveOptions,
} from "./general.js";
import { resolveMonitoring } from "./monitoring.js";
import { resolveSecretVolumes } from "./pod.js";
import { resolveVolumes } from "./volumes.js";

interface JobDefaults {
  readonly cluster: string;
  readonly job: string;
  readonly service: string;
  readonly deploy_group: string | undefined;
  readonly cost_owner: string | undefined;
  readonly docker_registry: string | null;
  readonly pool: string;
  readonly volumes: readonly ResolvedVolume[];
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
  const own = (isDict(doc?.value) ? (doc.value as Dict)[job] : undefined) as
    | (Partial<TronJobConfig> & Dict)
    | undefined;
  if (!file || !doc || job.startsWith("_") || !isDict(own)) {
    return { ok: false, problems: [{ file: file?.name ?? `tron-${cluster}.yaml`, message: `job "${job}" not found` }] };
  }
  if (!options.bestEffort) {
    assertChecked(svc);
    const broken = [...file.problems, ...generalProblems(svc)];
    if (broken.length > 0) return { ok: false, problems: broken };
  }
  const problems: Problem[] = [];
  const at = (path: PathSegment[], message: string): Problem => {
    const pos = doc.locate(path);
    return { file: doc.file, line: pos.line, col: pos.col, path: formatPath(path), message };
  };
  const schedule = parseTronSchedule(own.schedule);
  // A schedule that is neither a string nor a mapping (or is missing) is a schema problem, reported there.
  if ("error" in schedule && (typeof own.schedule === "string" || isDict(own.schedule)))
    problems.push(at([job, "schedule"], schedule.error));
  const timeZone = str(own.time_zone) ?? DEFAULTS.tron_time_zone;
  if (!isTimeZone(timeZone)) {
    problems.push(
      at(
        [job, "time_zone"],
        `unknown time zone "${timeZone}": use an IANA time zone name, e.g. 'UTC' or 'America/Los_Angeles'`,
      ),
    );
  }
  const defaults: JobDefaults = {
    cluster,
    job,
    service: str(own.service) ?? svc.name,
    deploy_group: str(own.deploy_group),
    cost_owner: str(own.cost_owner),
    docker_registry: str(fileValue(svc, "service").docker_registry) || system?.get("docker_registry") || null,
    pool: system?.get("tron_default_pool_override") ?? DEFAULTS.pool,
    volumes: system?.volumes() ?? [],
  };
  /** An action's deploy_group problem, located where the deploy_group is written (the action's, else the job's). */
  const deployGroupProblem = (action: Dict, path: PathSegment[], message: string) => {
    const where = action.deploy_group === undefined && own.deploy_group !== undefined ? [job] : path;
    const p = at([...where, "deploy_group"], message);
    // Several actions inheriting one bad job-level deploy_group make one problem.
    if (!problems.some((q) => q.line === p.line && q.col === p.col && q.message === p.message)) problems.push(p);
  };
  const actions: ResolvedTronAction[] = [];
  for (const [name, action, path] of actionEntries(job, own.actions)) {
    const r = resolveTronAction(name, action, defaults);
    if (typeof r === "string") deployGroupProblem(action, path, r);
    else actions.push(r);
  }
  let cleanup: ResolvedTronAction | null = null;
  if (isDict(own.cleanup_action)) {
    const r = resolveTronAction("cleanup", own.cleanup_action, defaults);
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
    max_runtime_seconds: durationSeconds(own.max_runtime) ?? null,
    expected_runtime: str(own.expected_runtime) ?? null,
    expected_runtime_seconds: durationSeconds(own.expected_runtime) ?? null,
    node: str(own.node) ?? DEFAULTS.tron_node,
    monitoring: resolveMonitoring(
      deepMerge(fileValue(svc, "monitoring"), own.monitoring ?? {}),
      fileValue(svc, "service"),
    ),
    git_url: str(generalConfig(svc).git_url) ?? null,
    namespace: system?.get("tron_namespace") ?? DEFAULTS.tron_namespace,
    start_grace_seconds: system?.get("tron_start_grace_seconds") ?? DEFAULTS.tron_start_grace_seconds,
    actions,
    cleanup_action: cleanup,
  };
  if (problems.length > 0) return { ok: false, problems, partial: options.bestEffort ? deepFreeze(config) : undefined };
  return { ok: true, config: deepFreeze(config) };
}

/** Actions given as a list (named by `name`) or as a mapping, with their paths in the file. */
function actionEntries(job: string, actions: unknown): Array<[string, Dict, PathSegment[]]> {
  if (Array.isArray(actions))
    return actions.filter(isDict).map((a, i) => [str(a.name) ?? `action${i}`, a, [job, "actions", i]]);
  if (isDict(actions))
    return Object.entries(actions)
      .filter((e): e is [string, Dict] => isDict(e[1]))
      .map(([n, a]) => [n, a, [job, "actions", n]]);
  return [];
}

function resolveTronAction(name: string, a: Dict, job: JobDefaults): ResolvedTronAction | string {
  const instance = `${job.job}.${name}`;
  const service = str(a.service) ?? job.service;
  const rawDg = str(a.deploy_group) ?? job.deploy_group;
  const executor = (str(a.executor) as ResolvedTronAction["executor"] | undefined) ?? "paasta";
  let deployGroup: string | null = null;
  if (rawDg !== undefined) {
    const dg = interpolateDeployGroup(rawDg, { cluster: job.cluster, instance, service });
    if (typeof dg !== "string") return dg.error;
    deployGroup = dg;
  } else if (executor !== "ssh") {
    return `action "${name}" needs a deploy_group (on the action or its job) to run with the ${executor} executor`;
  }
  const downstreams = a.trigger_downstreams;
  return {
    name,
    instance,
    command: str(a.command) ?? "",
    executor,
    requires: strList(a.requires) ?? [],
    retries: num(a.retries) ?? DEFAULTS.tron_retries,
    retries_delay: str(a.retries_delay) ?? null,
    retries_delay_seconds: durationSeconds(a.retries_delay) ?? 0,
    expected_runtime_seconds: durationSeconds(a.expected_runtime) ?? null,
    max_runtime_seconds: durationSeconds(a.max_runtime) ?? null,
    triggered_by: strList(a.triggered_by) ?? [],
    trigger_downstreams:
      typeof downstreams === "boolean" ? downstreams : isDict(downstreams) ? stringMap(downstreams) : false,
    trigger_timeout_seconds: durationSeconds(a.trigger_timeout) ?? DEFAULTS.tron_trigger_timeout_seconds,
    node: str(a.node) ?? DEFAULTS.tron_node,
    service,
    deploy_group: deployGroup,
    docker_registry: job.docker_registry,
    cost_owner: str(a.cost_owner) ?? job.cost_owner ?? null,
    cpus: num(a.cpus) ?? DEFAULTS.cpus,
    mem: num(a.mem) ?? DEFAULTS.mem,
    disk: num(a.disk) ?? DEFAULTS.tron_disk,
    cpu_burst_add: num(a.cpu_burst_add) ?? DEFAULTS.tron_cpu_burst_add,
    cfs_period_us: num(a.cfs_period_us) ?? DEFAULTS.cfs_period_us,
    cap_add: [...(strList(a.cap_add) ?? [])].sort(),
    env: stringMap(a.env),
    volumes: resolveVolumes(job.volumes, a.extra_volumes),
    secret_volumes: resolveSecretVolumes(a.secret_volumes),
    service_account_name: str(a.service_account_name) ?? null,
    pool: str(a.pool) ?? job.pool,
    explicit: Object.keys(a).sort(),
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
