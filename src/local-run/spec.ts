/**
 * What `paasta local-run` runs for SERVICE.INSTANCE on CLUSTER: the resolved config exactly as production
 * resolves it — kubernetes/eks/adhoc instances through resolveInstance, Tron actions (`-i JOB.ACTION`) through
 * resolveTronJob — and what deployments.json says its deploy group runs. The environment comes from the same
 * task-environment function the runtime and the Kubernetes pods use.
 */
import { hostname, userInfo } from "node:os";
import { loadServiceDir } from "../config/file-check.js";
import type { Problem } from "../config/problem.js";
import { instanceNames, resolveInstance, resolveTronJob } from "../config/resolve/index.js";
import type { SystemConfig } from "../config/system.js";
import type { ResolvedInstanceConfig, ResolvedTronAction, ResolvedTronJob } from "../config/types.js";
import { deploymentFor, readDeployments } from "../deploy/deployments-file.js";
import { PaastaError } from "../errors.js";
import { dockerImageName } from "../image/naming.js";
import { paastaEnv, type TaskIdentity } from "../model/task-env.js";

export interface Deployed {
  readonly git_sha: string;
  readonly image_version: string | null;
}

/** A long-running/adhoc instance, or one action of a Tron job; `deployed`: what its deploy group runs. */
export type LocalRunTarget =
  | { readonly kind: "instance"; readonly config: ResolvedInstanceConfig; readonly deployed: Deployed | null }
  | {
      readonly kind: "action";
      readonly job: ResolvedTronJob;
      readonly action: ResolvedTronAction;
      readonly deployed: Deployed | null;
    };

/** The resolved fields both kinds share (resources, env, volumes, deploy group, registry). */
export function runnable(t: LocalRunTarget): ResolvedInstanceConfig | ResolvedTronAction {
  return t.kind === "instance" ? t.config : t.action;
}

/** PAASTA_INSTANCE_TYPE: the instance's type, or `tron` for an action. */
export function instanceType(t: LocalRunTarget): string {
  return t.kind === "instance" ? t.config.type : "tron";
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
}): LocalRunTarget {
  const svc = loadServiceDir(o.soaDir, o.service);
  const deployments = readDeployments(o.soaDir, svc.name);
  const deployedFor = (dg: string | null): Deployed | null => {
    const d = dg ? deploymentFor(deployments, dg) : undefined;
    return d ? { git_sha: d.git_sha, image_version: d.image_version ?? null } : null;
  };
  for (const kind of ["kubernetes", "eks", "adhoc"] as const) {
    if (!instanceNames(svc, kind, o.cluster).includes(o.instance)) continue;
    const r = resolveInstance(svc, o.system, o.cluster, o.instance, kind);
    if (!r.ok) throw invalid(r.problems, o.onProblem);
    return { kind: "instance", config: r.config, deployed: deployedFor(r.config.deploy_group) };
  }
  const dot = o.instance.indexOf(".");
  if (dot > 0 && instanceNames(svc, "tron", o.cluster).includes(o.instance.slice(0, dot))) {
    const r = resolveTronJob(svc, o.system, o.cluster, o.instance.slice(0, dot));
    if (!r.ok) throw invalid(r.problems, o.onProblem);
    const name = o.instance.slice(dot + 1);
    const action = [...r.config.actions, ...(r.config.cleanup_action ? [r.config.cleanup_action] : [])].find(
      (a) => a.name === name,
    );
    if (action) return { kind: "action", job: r.config, action, deployed: deployedFor(action.deploy_group) };
  }
  throw new PaastaError("PAASTA_INSTANCE_NOT_FOUND", { instance: o.instance, service: svc.name, cluster: o.cluster });
}

/** The image a deployed (or given) SHA runs: `REGISTRY/services-S:paasta-SHA[-IV]`, or the registry-less name. */
export function deployedImage(t: LocalRunTarget, sha: string, imageVersion: string | null): string {
  const r = runnable(t);
  const name = dockerImageName(r.service, sha, imageVersion);
  return r.docker_registry ? `${r.docker_registry.replace(/\/+$/, "")}/${name}` : name;
}

function identity(t: LocalRunTarget, run: { image: string; gitSha: string; imageVersion: string | null }) {
  const r = runnable(t);
  const id: TaskIdentity = {
    service: r.service,
    instance: t.kind === "instance" ? t.config.instance : t.action.instance,
    cluster: t.kind === "instance" ? t.config.cluster : t.job.cluster,
    deploy_group: r.deploy_group,
    instance_type: instanceType(t),
    docker_image: run.image,
    git_sha: run.gitSha,
    image_version: run.imageVersion,
    cpus: r.cpus,
    mem: r.mem,
    disk: r.disk,
    gpus: t.kind === "instance" ? t.config.gpus : null,
    team: t.kind === "instance" ? t.config.monitoring.team : t.job.monitoring.team,
  };
  return id;
}

/**
 * The production environment of the run: what the runtime injects (PAASTA_SERVICE, …, PAASTA_PORT when a port
 * is given), the user `env` (which wins), and what PaaSTA's local-run adds (HOST, PAASTA_HOST,
 * PAASTA_LAUNCHED_BY, PAASTA_CLUSTER).
 */
export function runEnv(
  t: LocalRunTarget,
  run: { image: string; gitSha: string; imageVersion: string | null; port: number | null },
): Record<string, string> {
  const id = identity(t, run);
  const host = hostname();
  return {
    ...paastaEnv(id, run.port),
    ...runnable(t).env,
    HOST: host,
    PAASTA_HOST: host,
    PAASTA_LAUNCHED_BY: launchedBy(),
    PAASTA_CLUSTER: id.cluster,
  };
}

function launchedBy(): string {
  try {
    return process.env.SUDO_USER ?? userInfo().username;
  } catch {
    return "unknown";
  }
}
