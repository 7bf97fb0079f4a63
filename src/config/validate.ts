/**
 * `paasta validate`: schema of every file, then the rules of rules/*, for one service or a whole tree.
 * Reports every problem (never just the first), each located; passing checks are reported as ✓ lines.
 */
import { join } from "node:path";
import { loadServiceDir } from "./file-check.js";
import { compareProblems, formatProblem, type Problem } from "./problem.js";
import { instanceNames, resolveInstance, resolveTronJob } from "./resolve/index.js";
import type { CheckResult, RuleContext } from "./rules/context.js";
import { checkDeployGroups } from "./rules/deploy-groups.js";
import { checkMonitoringFile } from "./rules/files.js";
import {
  checkAutoscaling,
  checkMinMaxInstances,
  checkRegistrations,
  localAutoscalingWarnings,
} from "./rules/instances.js";
import { lenientWarnings } from "./rules/lenient.js";
import { checkInstanceNames, checkServiceName } from "./rules/names.js";
import { checkSecrets } from "./rules/secrets.js";
import { checkRegistrationNamespaces, checkSmartstack } from "./rules/smartstack.js";
import { checkTronDags } from "./rules/tron.js";
import { LONG_RUNNING_TYPES } from "./schema/index.js";
import { fileValue, listServiceNames, type ServiceDir, serviceClusters } from "./soa.js";
import type { SystemConfig } from "./system.js";
import { nextRuns } from "./tron-schedule.js";
import type { ResolvedInstanceConfig, ResolvedTronJob } from "./types.js";
import { readYamlFile } from "./yaml.js";

export type ReportLine =
  | { readonly kind: "ok"; readonly text: string }
  | { readonly kind: "fail"; readonly problem: Problem }
  | { readonly kind: "warn"; readonly text: string }
  | { readonly kind: "info"; readonly text: string };

export interface ServiceReport {
  readonly service: string;
  readonly lines: readonly ReportLine[];
  readonly problems: readonly Problem[];
  readonly instances: readonly ResolvedInstanceConfig[];
  readonly jobs: readonly ResolvedTronJob[];
}

export interface ValidateOptions {
  readonly system?: SystemConfig;
  /** Show upcoming Tron runs (-v). */
  readonly verbose?: boolean;
  /** Time the upcoming runs are counted from (tests pin it). */
  readonly now?: Date;
  /** proxy_port → "service.namespace" for every other service of the tree (for the uniqueness check). */
  readonly proxyPorts?: ReadonlyMap<number, readonly string[]>;
  /** Prefix file names with `SERVICE/` (whole-tree runs). */
  readonly prefixFiles?: boolean;
}

export function validateService(soaDir: string, name: string, options: ValidateOptions = {}): ServiceReport {
  return validateLoaded(soaDir, loadServiceDir(soaDir, name, options.prefixFiles ? `${name}/` : ""), options);
}

function validateLoaded(soaDir: string, svc: ServiceDir, options: ValidateOptions): ServiceReport {
  const lines: ReportLine[] = [];
  const problems: Problem[] = [];
  const addCheck = (check: CheckResult) => {
    check.problems.sort(compareProblems);
    if (check.problems.length === 0) lines.push({ kind: "ok", text: check.ok });
    for (const p of check.problems) lines.push({ kind: "fail", problem: p });
    problems.push(...check.problems);
  };

  for (const file of svc.files) {
    addCheck({ ok: `Successfully validated schema: ${svc.displayPrefix}${file.name}`, problems: [...file.problems] });
  }
  const systemClusters = options.system?.clusters() ?? [];
  const fileClusters = serviceClusters(svc);
  if (systemClusters.length > 0) {
    for (const c of fileClusters.filter((c) => !systemClusters.includes(c))) {
      lines.push({
        kind: "warn",
        text: `cluster "${c}" (from ${svc.displayPrefix}*-${c}.yaml) is not in the system config's clusters: nothing will deploy it`,
      });
    }
  }
  const clusters = [...new Set([...systemClusters, ...fileClusters])].sort();
  const { instances, jobs, resolveProblems } = resolveAll(svc, options.system, clusters);
  addCheck({ ok: "All PaaSTA instances are valid for all clusters", problems: resolveProblems });
  lines.push(...teamlessWarnings(instances, jobs));

  const ctx: RuleContext = { soaDir, svc, system: options.system, clusters, instances, jobs };
  for (const rule of [
    checkServiceName,
    checkMonitoringFile,
    checkInstanceNames,
    checkDeployGroups,
    checkRegistrations,
    checkMinMaxInstances,
    checkAutoscaling,
    checkSmartstack,
    checkRegistrationNamespaces,
    checkTronDags,
    checkSecrets,
  ]) {
    addCheck(rule(ctx));
  }
  for (const text of localAutoscalingWarnings(ctx)) lines.push({ kind: "warn", text });
  if (options.proxyPorts) addCheck(checkProxyPortsUnique(svc, options.proxyPorts));
  for (const note of svc.notes ?? []) lines.push({ kind: "warn", text: note });
  for (const w of lenientWarnings(ctx).sort(compareProblems)) lines.push({ kind: "warn", text: formatProblem(w) });
  if (options.verbose) lines.push(...upcomingRuns(jobs, options.now ?? new Date()));
  return { service: svc.name, lines, problems, instances, jobs };
}

/** PaaSTA drops the alerts of anything without a team: say which instances and jobs would never alert. */
function teamlessWarnings(
  instances: readonly ResolvedInstanceConfig[],
  jobs: readonly ResolvedTronJob[],
): ReportLine[] {
  const names = new Set([
    ...instances.filter((i) => i.monitoring && !i.monitoring.team).map((i) => i.instance),
    ...jobs.filter((j) => j.monitoring && !j.monitoring.team).map((j) => j.name),
  ]);
  if (names.size === 0) return [];
  const list = [...names].sort();
  return [
    {
      kind: "warn",
      text: `no monitoring team for ${list.slice(0, 5).join(", ")}${list.length > 5 ? ` and ${list.length - 5} more` : ""}: their alerts are dropped (set team in monitoring.yaml)`,
    },
  ];
}

/** Resolves every instance and job (best effort: schema problems are reported by their own check). */
function resolveAll(svc: ServiceDir, system: SystemConfig | undefined, clusters: readonly string[]) {
  const instances: ResolvedInstanceConfig[] = [];
  const jobs: ResolvedTronJob[] = [];
  const resolveProblems: Problem[] = [];
  const opts = { bestEffort: true };
  for (const cluster of clusters) {
    for (const kind of [...LONG_RUNNING_TYPES, "adhoc"] as const) {
      for (const name of instanceNames(svc, kind, cluster)) {
        const r = resolveInstance(svc, system, cluster, name, kind, opts);
        if (r.ok) instances.push(r.config);
        else {
          resolveProblems.push(...r.problems);
          if (r.partial) instances.push(r.partial);
        }
      }
    }
    for (const name of instanceNames(svc, "tron", cluster)) {
      const r = resolveTronJob(svc, system, cluster, name, opts);
      if (r.ok) jobs.push(r.config);
      else {
        resolveProblems.push(...r.problems);
        if (r.partial) jobs.push(r.partial);
      }
    }
  }
  return { instances, jobs, resolveProblems };
}

function checkProxyPortsUnique(svc: ServiceDir, ports: ReadonlyMap<number, readonly string[]>): CheckResult {
  const problems: Problem[] = [];
  const smartstack = fileValue(svc, "smartstack");
  const doc = svc.files.find((f) => f.kind === "smartstack")?.doc;
  for (const [ns, entry] of Object.entries(smartstack)) {
    const port = (entry as { proxy_port?: unknown } | null)?.proxy_port;
    if (typeof port !== "number") continue;
    const others = (ports.get(port) ?? []).filter((o) => o !== `${svc.name}.${ns}`);
    if (others.length > 0 && doc) {
      const pos = doc.locate([ns, "proxy_port"]);
      problems.push({
        file: doc.file,
        line: pos.line,
        col: pos.col,
        path: `${ns}.proxy_port`,
        message: `proxy_port ${port} is also used by ${others.join(", ")}: proxy ports must be unique across the tree`,
      });
    }
  }
  return { ok: "All proxy_ports are unique in the tree", problems };
}

function upcomingRuns(jobs: readonly ResolvedTronJob[], now: Date): ReportLine[] {
  const lines: ReportLine[] = [];
  for (const job of jobs) {
    let runs: Date[];
    try {
      runs = nextRuns(job.schedule, job.time_zone, 5, now);
    } catch {
      // An unknown time_zone (reported by the resolver) cannot be evaluated.
      lines.push({
        kind: "info",
        text: `Upcoming runs for ${job.name} (${job.cluster}): not computed for time zone "${job.time_zone}"`,
      });
      continue;
    }
    if (runs.length === 0) {
      lines.push({
        kind: "info",
        text: `Upcoming runs for ${job.name} (${job.cluster}): not computed for "${job.schedule.value}"`,
      });
      continue;
    }
    lines.push({ kind: "info", text: `Upcoming runs for ${job.name} (${job.cluster}, ${job.time_zone}):` });
    for (const run of runs) lines.push({ kind: "info", text: `\t${run.toISOString()}` });
  }
  return lines;
}

/** proxy_port → ["service.namespace", …] for the given services. */
export function proxyPortsOf(services: readonly ServiceDir[]): Map<number, string[]> {
  const ports = new Map<number, string[]>();
  for (const svc of services) {
    for (const [ns, entry] of Object.entries(fileValue(svc, "smartstack"))) {
      const port = (entry as { proxy_port?: unknown } | null)?.proxy_port;
      if (typeof port !== "number") continue;
      ports.set(port, [...(ports.get(port) ?? []), `${svc.name}.${ns}`]);
    }
  }
  return ports;
}

/** proxy ports of a whole tree, reading only each service's smartstack.yaml. */
export function proxyPortsOfTree(soaDir: string): Map<number, string[]> {
  const services: ServiceDir[] = [];
  for (const name of listServiceNames(soaDir)) {
    const dir = join(soaDir, name);
    const read = readYamlFile(join(dir, "smartstack.yaml"), "smartstack.yaml");
    if (!read.ok) continue;
    services.push({
      name,
      dir,
      displayPrefix: "",
      files: [{ name: "smartstack.yaml", kind: "smartstack", doc: read.doc, problems: [] }],
      checked: false,
    });
  }
  return proxyPortsOf(services);
}

export interface TreeReport {
  readonly reports: readonly ServiceReport[];
  readonly problems: number;
}

export function validateTree(
  soaDir: string,
  options: Omit<ValidateOptions, "proxyPorts" | "prefixFiles"> = {},
): TreeReport {
  const services = listServiceNames(soaDir).map((name) => loadServiceDir(soaDir, name, `${name}/`));
  const proxyPorts = proxyPortsOf(services);
  const reports = services.map((svc) => validateLoaded(soaDir, svc, { ...options, proxyPorts }));
  return { reports, problems: reports.reduce((n, r) => n + r.problems.length, 0) };
}
