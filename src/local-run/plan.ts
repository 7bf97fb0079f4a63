/**
 * A local run, fully decided before anything starts (so `--dry-run` prints exactly what would run): the
 * executor, image, command, environment, resources, ports, volumes and health-check mode.
 */

import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { userInfo } from "node:os";
import type { ResolvedHealthcheck } from "../config/types.js";
import { interpolateTronCommand, type LocalRunSpec, runEnv } from "./spec.js";

export interface RunPlan {
  readonly executor: "docker" | "process";
  readonly service: string;
  readonly instance: string;
  readonly cluster: string;
  readonly kind: LocalRunSpec["kind"];
  /** docker: the image to run; null for the process executor. */
  readonly image: string | null;
  /** How the image is obtained: built from the current directory, pulled, or already there. */
  readonly imageSource: "build" | "pull" | "local-or-pull" | null;
  readonly gitSha: string;
  /** argv; null runs the image's own command (docker only). */
  readonly command: readonly string[] | null;
  readonly env: Readonly<Record<string, string>>;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly hostPort: number | null;
  readonly containerPort: number | null;
  readonly cpus: number;
  readonly memoryBytes: number;
  readonly cpuPeriod: number;
  readonly cpuQuota: number;
  /** `hostPath:containerPath:ro|rw` of volumes whose host path exists. */
  readonly binds: readonly string[];
  /** Configured volumes skipped because their host path does not exist. */
  readonly skippedVolumes: readonly string[];
  readonly interactive: boolean;
  readonly healthcheck: ResolvedHealthcheck | null;
  readonly healthcheckMode: "run" | "skip" | "only";
  /** The process executor's working directory (the service's repository). */
  readonly cwd: string;
}

export interface PlanInput {
  readonly spec: LocalRunSpec;
  readonly executor: "docker" | "process";
  readonly image: string | null;
  readonly imageSource: RunPlan["imageSource"];
  readonly gitSha: string;
  readonly imageVersion: string | null;
  readonly cmd?: string;
  readonly interactive: boolean;
  readonly hostPort: number | null;
  readonly healthcheckMode: RunPlan["healthcheckMode"];
  readonly extraVolumes: readonly string[];
  readonly cwd: string;
}

/** The command a run executes: -C, else a shell for -I, else the instance's cmd (a string runs via sh -c). */
export function runCommand(spec: LocalRunSpec, cmd: string | undefined, interactive: boolean): string[] | null {
  if (cmd !== undefined) return ["sh", "-c", cmd];
  if (interactive) return ["sh"];
  if (typeof spec.cmd === "string")
    return ["sh", "-c", spec.kind === "tron" ? interpolateTronCommand(spec.cmd) : spec.cmd];
  if (Array.isArray(spec.cmd)) return [...spec.cmd, ...spec.args];
  return spec.args.length > 0 ? [...spec.args] : null;
}

export function makePlan(i: PlanInput): RunPlan {
  const s = i.spec;
  const inContainer = i.executor === "docker";
  const containerPort = i.hostPort === null ? null : inContainer ? s.containerPort : i.hostPort;
  const env = runEnv(s, {
    image: i.image ?? `services-${s.service}:paasta-${i.gitSha}`,
    gitSha: i.gitSha,
    imageVersion: i.imageVersion,
    // Inside a container the service listens on container_port; as a process, on the host port itself.
    port: containerPort,
  });
  const binds: string[] = [];
  const skipped: string[] = [];
  for (const v of s.volumes) {
    const bind = `${v.hostPath}:${v.containerPath}:${v.mode.toLowerCase()}`;
    if (existsSync(v.hostPath)) binds.push(bind);
    else skipped.push(bind);
  }
  binds.push(...i.extraVolumes);
  const cpus = s.cpus + s.cpuBurstAdd;
  let user = "user";
  try {
    user = userInfo().username.replace(/[^a-zA-Z0-9_.-]/g, "");
  } catch {
    // no passwd entry
  }
  return {
    executor: i.executor,
    service: s.service,
    instance: s.instance,
    cluster: s.cluster,
    kind: s.kind,
    image: inContainer ? i.image : null,
    imageSource: inContainer ? i.imageSource : null,
    gitSha: i.gitSha,
    command: runCommand(s, i.cmd, i.interactive),
    env,
    name: `paasta_local_run_${user}_${randomBytes(3).toString("hex")}`,
    labels: {
      "paasta.yelp.com/service": s.service,
      "paasta.yelp.com/instance": s.instance,
      "paasta.yelp.com/cluster": s.cluster,
      "paasta.yelp.com/git_sha": i.gitSha,
      "paasta.yelp.com/local_run": "true",
    },
    hostPort: i.hostPort,
    containerPort,
    cpus,
    memoryBytes: Math.round(s.mem * 1024 * 1024),
    cpuPeriod: s.cfsPeriodUs,
    cpuQuota: Math.round(cpus * s.cfsPeriodUs),
    binds,
    skippedVolumes: skipped,
    interactive: i.interactive,
    healthcheck: s.healthcheck?.mode ? s.healthcheck : null,
    healthcheckMode: i.healthcheckMode,
    cwd: i.cwd,
  };
}

const shellQuote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`);

/** The equivalent command line, as `--dry-run` prints it. */
export function commandLine(p: RunPlan): string[] {
  if (p.executor === "process") {
    return ["env", ...Object.entries(p.env).map(([k, v]) => `${k}=${v}`), ...(p.command ?? [])];
  }
  const out = ["docker", "run", "--rm", "--init", `--name=${p.name}`];
  for (const [k, v] of Object.entries(p.labels)) out.push(`--label=${k}=${v}`);
  for (const [k, v] of Object.entries(p.env)) out.push(`--env=${k}=${v}`);
  out.push(`--memory=${p.memoryBytes}b`, `--cpu-period=${p.cpuPeriod}`, `--cpu-quota=${p.cpuQuota}`);
  if (p.hostPort !== null && p.containerPort !== null) out.push(`--publish=127.0.0.1:${p.hostPort}:${p.containerPort}`);
  for (const b of p.binds) out.push(`--volume=${b}`);
  if (p.interactive) out.push("--interactive", "--tty");
  out.push(p.image ?? "IMAGE", ...(p.command ?? []));
  return out;
}

export function quoteCommandLine(argv: readonly string[]): string {
  return argv.map(shellQuote).join(" ");
}
