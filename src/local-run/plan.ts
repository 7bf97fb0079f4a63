/**
 * A local run, fully decided before anything starts (so `--dry-run` prints exactly what would run): the
 * executor, image, command, environment, resources, ports, volumes and health-check mode.
 */

import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { userInfo } from "node:os";
import type { ResolvedHealthcheck } from "../config/types.js";
import { expandCommand } from "../model/tron-command.js";
import { instanceType, type LocalRunTarget, runEnv, runnable } from "./spec.js";

export interface RunPlan {
  readonly executor: "docker" | "process";
  readonly service: string;
  readonly instance: string;
  readonly cluster: string;
  /** The instance type (kubernetes, eks, adhoc) or tron for an action. */
  readonly kind: string;
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
  readonly target: LocalRunTarget;
  readonly executor: "docker" | "process";
  readonly image: string | null;
  readonly imageSource: RunPlan["imageSource"];
  readonly gitSha: string;
  readonly imageVersion: string | null;
  readonly cmd?: string;
  /** The date a Tron action's `{shortdate}`… are filled with (`--date`; default now). */
  readonly date?: Date;
  readonly interactive: boolean;
  readonly hostPort: number | null;
  readonly healthcheckMode: RunPlan["healthcheckMode"];
  readonly extraVolumes: readonly string[];
  readonly cwd: string;
}

/** The command a run executes: -C, else a shell for -I, else the configured command (a string runs via sh -c). */
export function runCommand(
  t: LocalRunTarget,
  cmd: string | undefined,
  interactive: boolean,
  date: Date = new Date(),
): string[] | null {
  if (cmd !== undefined) return ["sh", "-c", cmd];
  if (interactive) return ["sh"];
  if (t.kind === "action") {
    const context = { time: date, name: `${t.job.service}.${t.job.name}`, actionname: t.action.name };
    return ["sh", "-c", expandCommand(t.action.command, context)];
  }
  const c = t.config;
  if (typeof c.cmd === "string") return ["sh", "-c", c.cmd];
  if (c.cmd !== null) return [...c.cmd, ...c.args];
  return c.args.length > 0 ? [...c.args] : null;
}

export function makePlan(i: PlanInput): RunPlan {
  const t = i.target;
  const r = runnable(t);
  const inContainer = i.executor === "docker";
  // Inside a container an instance listens on container_port (an action on the published port itself); as a
  // process, on the host port itself.
  const containerPort =
    i.hostPort === null ? null : inContainer && t.kind === "instance" ? t.config.container_port : i.hostPort;
  const env = runEnv(t, {
    image: i.image ?? `services-${r.service}:paasta-${i.gitSha}`,
    gitSha: i.gitSha,
    imageVersion: i.imageVersion,
    port: containerPort,
  });
  const binds: string[] = [];
  const skipped: string[] = [];
  for (const v of r.volumes) {
    const bind = `${v.hostPath}:${v.containerPath}:${v.mode.toLowerCase()}`;
    if (existsSync(v.hostPath)) binds.push(bind);
    else skipped.push(bind);
  }
  binds.push(...i.extraVolumes);
  const cpus = r.cpus + r.cpu_burst_add;
  let user = "user";
  try {
    user = userInfo().username.replace(/[^a-zA-Z0-9_.-]/g, "");
  } catch {
    // no passwd entry
  }
  const healthcheck = t.kind === "instance" && t.config.type !== "adhoc" ? t.config.healthcheck : null;
  return {
    executor: i.executor,
    service: r.service,
    instance: env.PAASTA_INSTANCE as string,
    cluster: env.PAASTA_CLUSTER as string,
    kind: instanceType(t),
    image: inContainer ? i.image : null,
    imageSource: inContainer ? i.imageSource : null,
    gitSha: i.gitSha,
    command: runCommand(t, i.cmd, i.interactive, i.date),
    env,
    name: `paasta_local_run_${user}_${randomBytes(3).toString("hex")}`,
    labels: {
      "paasta.yelp.com/service": r.service,
      "paasta.yelp.com/instance": env.PAASTA_INSTANCE as string,
      "paasta.yelp.com/cluster": env.PAASTA_CLUSTER as string,
      "paasta.yelp.com/git_sha": i.gitSha,
      "paasta.yelp.com/local_run": "true",
    },
    hostPort: i.hostPort,
    containerPort,
    cpus,
    memoryBytes: Math.round(r.mem * 1024 * 1024),
    cpuPeriod: r.cfs_period_us,
    cpuQuota: Math.round(cpus * r.cfs_period_us),
    binds,
    skippedVolumes: skipped,
    interactive: i.interactive,
    healthcheck: healthcheck?.mode ? healthcheck : null,
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
