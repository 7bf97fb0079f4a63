/**
 * What `paasta local-run` runs for SERVICE.INSTANCE on CLUSTER, from soa-configs and the system config exactly
 * as production resolves it: kubernetes/eks/adhoc instances through resolveInstance, Tron actions
 * (`-i JOB.ACTION`) through resolveTronJob. The environment is the runtime's (paastaEnv + the user `env`).
 */
import { hostname, userInfo } from "node:os";
import { loadServiceDir } from "../config/file-check.js";
import type { Problem } from "../config/problem.js";
import { instanceNames, resolveInstance, resolveTronJob } from "../config/resolve.js";
import { fileValue } from "../config/soa.js";
import type { SystemConfig } from "../config/system.js";
import type { ResolvedHealthcheck, ResolvedVolume } from "../config/types.js";
import { deploymentFor, readDeployments } from "../deploy/deployments-file.js";
import { PaastaError } from "../errors.js";
import { dockerImageName } from "../image/naming.js";
import { paastaEnv } from "../model/task-env.js";

export type RunKind = "kubernetes" | "eks" | "adhoc" | "tron";

export interface LocalRunSpec {
  readonly service: string;
  readonly instance: string;
  readonly cluster: string;
  readonly kind: RunKind;
  readonly deployGroup: string | null;
  /** The configured command: a string runs through `sh -c`, a list is exec form (args appended). */
  readonly cmd: string | readonly string[] | null;
  readonly args: readonly string[];
  /** The user `env` of the instance (or action). */
  readonly userEnv: Readonly<Record<string, string>>;
  readonly cpus: number;
  readonly mem: number;
  readonly disk: number;
  readonly gpus: number | null;
  readonly cpuBurstAdd: number;
  readonly cfsPeriodUs: number;
  readonly containerPort: number;
  readonly volumes: readonly ResolvedVolume[];
  /** null for adhoc instances and Tron actions (nothing health-checks them in production). */
  readonly healthcheck: ResolvedHealthcheck | null;
  readonly registry: string | null;
  readonly team: string | null;
  /** From deployments.json: what the deploy group runs, when it has a deployment. */
  readonly deployed: { readonly git_sha: string; readonly image_version: string | null } | null;
}

function invalid(problems: Problem[], onProblem: (p: Problem) => void): PaastaError {
  for (const p of problems) onProblem(p);
  return new PaastaError("PAASTA_CONFIG_INVALID", { count: problems.length });
}

export function resolveLocalRun(o: {
  soaDir: string;
  system: SystemConfig | undefined;
  service: string;
  cluster: string;
  instance: string;
  onProblem: (p: Problem) => void;
}): LocalRunSpec {
  const svc = loadServiceDir(o.soaDir, o.service);
  const deployments = readDeployments(o.soaDir, svc.name);
  const deployedFor = (dg: string | null) => {
    const d = dg ? deploymentFor(deployments, dg) : undefined;
    return d ? { git_sha: d.git_sha, image_version: d.image_version ?? null } : null;
  };
  for (const kind of ["kubernetes", "eks", "adhoc"] as const) {
    if (!instanceNames(svc, kind, o.cluster).includes(o.instance)) continue;
    const r = resolveInstance(svc, o.system, o.cluster, o.instance, kind);
    if (!r.ok) throw invalid(r.problems, o.onProblem);
    const c = r.config;
    return {
      service: svc.name,
      instance: o.instance,
      cluster: o.cluster,
      kind,
      deployGroup: c.deploy_group,
      cmd: c.cmd,
      args: c.args,
      userEnv: c.env,
      cpus: c.cpus,
      mem: c.mem,
      disk: c.disk,
      gpus: c.gpus,
      cpuBurstAdd: c.cpu_burst_add,
      cfsPeriodUs: c.cfs_period_us,
      containerPort: c.container_port,
      volumes: c.volumes,
      healthcheck: kind === "adhoc" ? null : c.healthcheck,
      registry: c.docker_registry,
      team: c.monitoring.team ?? null,
      deployed: deployedFor(c.deploy_group),
    };
  }
  const dot = o.instance.indexOf(".");
  if (dot > 0 && instanceNames(svc, "tron", o.cluster).includes(o.instance.slice(0, dot))) {
    const job = o.instance.slice(0, dot);
    const actionName = o.instance.slice(dot + 1);
    const r = resolveTronJob(svc, o.system, o.cluster, job);
    if (!r.ok) throw invalid(r.problems, o.onProblem);
    const action = [...r.config.actions, ...(r.config.cleanup_action ? [r.config.cleanup_action] : [])].find(
      (a) => a.name === actionName,
    );
    if (action) {
      const own = fileValue(svc, "service").docker_registry;
      const registry =
        (typeof own === "string" && own !== "" ? own : undefined) ?? o.system?.get("docker_registry") ?? null;
      return {
        service: svc.name,
        instance: o.instance,
        cluster: o.cluster,
        kind: "tron",
        deployGroup: action.deploy_group,
        cmd: action.command,
        args: [],
        userEnv: action.env,
        cpus: action.cpus,
        mem: action.mem,
        disk: action.disk,
        gpus: null,
        cpuBurstAdd: action.cpu_burst_add,
        cfsPeriodUs: 100000,
        containerPort: 8888,
        volumes: (o.system?.volumes() ?? []).map((v) => ({ ...v })),
        healthcheck: null,
        registry,
        team: r.config.monitoring.team ?? null,
        deployed: deployedFor(action.deploy_group),
      };
    }
  }
  throw new PaastaError("PAASTA_INSTANCE_NOT_FOUND", { instance: o.instance, service: svc.name, cluster: o.cluster });
}

/** The image a deployed (or given) SHA runs: `REGISTRY/services-S:paasta-SHA[-IV]`, or the registry-less name. */
export function deployedImage(spec: LocalRunSpec, sha: string, imageVersion: string | null): string {
  const name = dockerImageName(spec.service, sha, imageVersion);
  return spec.registry ? `${spec.registry.replace(/\/+$/, "")}/${name}` : name;
}

/**
 * The production environment of the run: what the runtime injects (paastaEnv: PAASTA_SERVICE, …, PAASTA_PORT
 * when a port is given), the user `env` (which wins), and what PaaSTA's local-run adds (HOST, PAASTA_HOST,
 * PAASTA_LAUNCHED_BY, PAASTA_CLUSTER).
 */
export function runEnv(
  spec: LocalRunSpec,
  run: { image: string; gitSha: string; imageVersion: string | null; port: number | null },
): Record<string, string> {
  const identity = {
    service: spec.service,
    instance: spec.instance,
    cluster: spec.cluster,
    deploy_group: spec.deployGroup,
    instance_type: spec.kind,
    docker_image: run.image,
    git_sha: run.gitSha,
    image_version: run.imageVersion,
    cpus: spec.cpus,
    mem: spec.mem,
    disk: spec.disk,
    gpus: spec.gpus,
    team: spec.team,
  };
  const host = hostname();
  return {
    ...paastaEnv(identity, run.port),
    ...spec.userEnv,
    HOST: host,
    PAASTA_HOST: host,
    PAASTA_LAUNCHED_BY: launchedBy(),
    PAASTA_CLUSTER: spec.cluster,
  };
}

function launchedBy(): string {
  try {
    return process.env.SUDO_USER ?? userInfo().username;
  } catch {
    return "unknown";
  }
}

/** PaaSTA's Tron time variables in an action command: {shortdate}, {year}, {month}, {day}, {hour}, {unixtime}. */
export function interpolateTronCommand(command: string, now: Date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, "0");
  const values: Record<string, string> = {
    shortdate: `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}`,
    year: String(now.getFullYear()),
    month: p(now.getMonth() + 1),
    day: p(now.getDate()),
    hour: p(now.getHours()),
    unixtime: String(Math.floor(now.getTime() / 1000)),
    daynumber: String(Math.floor(now.getTime() / 86_400_000)),
  };
  return command.replace(
    /\{(shortdate|year|month|day|hour|unixtime|daynumber)\}/g,
    (_, k: string) => values[k] as string,
  );
}
