/**
 * The `process` executor: each task is `cmd` run in a checkout of the deployed SHA, in its own session and
 * process group (so it outlives a restart of `paasta up` and is stopped as a group), with stdout/stderr going
 * straight to files (never a pipe to the runtime, which could die). A one-line `sh` wrapper records the exit
 * code in a file, so that the code is known even when the runtime was not the task's parent.
 * cpus and mem are not enforced by this executor (use the docker executor for limits).
 */
import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { join } from "node:path";
import type { GitOptions } from "../../../deploy/git.js";
import { PaastaError } from "../../../errors.js";
import type { DesiredApp } from "../../../model/app.js";
import { artifactDir, ensureArtifact } from "../artifacts.js";
import { ensurePrivateDir, PRIVATE_FILE_MODE } from "../private-files.js";
import { ProcUsage } from "../proc-usage.js";
import {
  allProcesses,
  environOf,
  groupAlive,
  groupExists,
  groupMembers,
  mainProcess,
  type ProcInfo,
  procInfo,
  runShell,
  signalGroup,
} from "../process-group.js";
import { recordedExitCode, type TaskRecord } from "../store.js";
import type { Executor, Liveness, Orphan, StartedTask } from "./executor.js";

const STRING_SHIM = 'f=$1; sh -c "$2"; rc=$?; printf %s "$rc" > "$f"; exit $rc';
const EXEC_SHIM = 'f=$1; shift; "$@"; rc=$?; printf %s "$rc" > "$f"; exit $rc';

/** Field 22 (starttime) and field 3 (state) of /proc/PID/stat, or undefined when there is no such process. */
export function procStat(pid: number): { start: string; state: string } | undefined {
  const info = procInfo(pid);
  return info && { start: info.start, state: info.state };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** How often a group whose wrapper died is checked for its end (one kill(2) with signal 0). */
const GROUP_WATCH_MS = 500;

/** The live members of a task's process group that belong to that task (a re-used group id does not count). */
function taskMembers(task: TaskRecord, all?: readonly ProcInfo[]): ProcInfo[] {
  if (task.pid === null) return [];
  const mark = `PAASTA_TASK_ID=${task.id}\0`;
  return groupMembers(task.pid, all).filter((m) => {
    const environ = environOf(m.pid);
    return environ.startsWith(mark) || environ.includes(`\0${mark}`) || isLeader(task, m);
  });
}

/** The task's own wrapper shell, still running (its start time tells it from a re-used PID). */
function isLeader(task: TaskRecord, m: ProcInfo): boolean {
  return m.pid === task.pid && (task.proc_start === null || m.start === task.proc_start);
}

export class ProcessExecutor implements Executor {
  readonly name = "process" as const;
  onExit?: (taskId: string) => void;

  constructor(
    private readonly stateDir: string,
    private readonly git?: GitOptions,
  ) {}

  async prepare(app: DesiredApp): Promise<void> {
    if (!app.git_url) throw new PaastaError("PAASTA_NO_GIT_URL", { service: app.service });
    await ensureArtifact(this.stateDir, app.service, app.git_url, app.git_sha, this.git);
  }

  async start(task: TaskRecord, app: DesiredApp, env: Record<string, string>): Promise<StartedTask> {
    const cmd = app.config.cmd;
    if (cmd === null || (Array.isArray(cmd) && cmd.length === 0)) {
      throw new PaastaError("PAASTA_INTERNAL", {
        detail: `${app.service}.${app.instance} has no cmd: the process executor runs cmd in a checkout of the repository`,
      });
    }
    await this.prepare(app);
    ensurePrivateDir(task.log_dir);
    const exitFile = join(task.log_dir, "exit_code");
    const args =
      typeof cmd === "string"
        ? ["-c", STRING_SHIM, "paasta-task", exitFile, cmd]
        : ["-c", EXEC_SHIM, "paasta-task", exitFile, ...cmd, ...app.config.args];
    const out = openSync(join(task.log_dir, "stdout"), "a", PRIVATE_FILE_MODE);
    const err = openSync(join(task.log_dir, "stderr"), "a", PRIVATE_FILE_MODE);
    try {
      const child = spawn("/bin/sh", args, {
        cwd: artifactDir(this.stateDir, app.service, app.git_sha),
        env,
        detached: true,
        stdio: ["ignore", out, err],
      });
      const pid = child.pid;
      if (pid === undefined) {
        const error = await new Promise<Error>((resolve) => child.once("error", resolve));
        throw new PaastaError("PAASTA_INTERNAL", {
          detail: `cannot start ${app.service}.${app.instance}: ${error.message}`,
        });
      }
      child.on("error", () => {});
      child.on("exit", () => {
        this.onExit?.(task.id);
        this.watchGroup(task.id, pid);
      });
      child.unref();
      return { pid, container_id: null, proc_start: procStat(pid)?.start ?? null, host: "127.0.0.1", port: task.port };
    } finally {
      closeSync(out);
      closeSync(err);
    }
  }

  private readonly proc = new ProcUsage();

  /** Each task's process group, read from /proc (proc-usage.ts). */
  async usage(tasks: readonly TaskRecord[]): Promise<Map<string, { cpu_seconds: number; memory_bytes: number }>> {
    const byGroup = new Map(tasks.flatMap((t) => (t.pid === null ? [] : [[t.pid, t.id] as const])));
    const out = new Map<string, { cpu_seconds: number; memory_bytes: number }>();
    for (const [pgid, u] of this.proc.read(new Set(byGroup.keys()))) out.set(byGroup.get(pgid) as string, u);
    return out;
  }

  /**
   * The wrapper exited but its group may live on (the wrapper alone was killed): the group's end is signalled
   * too, as the wrapper's exit would have been.
   */
  private watchGroup(taskId: string, pgid: number): void {
    if (!groupExists(pgid)) return;
    const timer = setInterval(() => {
      if (groupExists(pgid)) return;
      clearInterval(timer);
      this.onExit?.(taskId);
    }, GROUP_WATCH_MS);
    timer.unref();
  }

  /** Alive while any process of its group runs: the service outlives a killed wrapper and is still the task. */
  async liveness(task: TaskRecord): Promise<Liveness> {
    if (task.pid === null) return { alive: false, exitCode: null };
    const leader = procInfo(task.pid);
    if (leader && leader.state !== "Z" && isLeader(task, leader)) return { alive: true };
    if (groupExists(task.pid) && taskMembers(task).length > 0) return { alive: true };
    return { alive: false, exitCode: recordedExitCode(task) };
  }

  /** The services' own processes (below the wrapper shells), for status: one look at /proc for all tasks. */
  servicePids(tasks: readonly TaskRecord[]): Map<string, number> {
    const all = allProcesses();
    const out = new Map<string, number>();
    for (const t of tasks) {
      const main = mainProcess(taskMembers(t, all));
      if (main) out.set(t.id, main.pid);
    }
    return out;
  }

  /** SIGTERM to the whole group, SIGKILL to what is left after the grace period; resolves when none is left. */
  async stop(task: TaskRecord, graceSeconds: number): Promise<void> {
    if (task.pid === null) return;
    const pgid = task.pid;
    if (!(await this.liveness(task)).alive) return;
    signalGroup(pgid, "SIGTERM");
    const termed = Date.now();
    const deadline = termed + graceSeconds * 1000;
    while (groupAlive(pgid, termed) && Date.now() < deadline) await sleep(50);
    if (groupAlive(pgid, termed)) {
      signalGroup(pgid, "SIGKILL");
      const killed = Date.now();
      while (groupAlive(pgid, killed) && Date.now() < killed + 5000) await sleep(50);
    }
  }

  exec(
    _task: TaskRecord,
    app: DesiredApp,
    command: string,
    env: Record<string, string>,
    timeoutMs: number,
  ): Promise<number> {
    return runShell(command, { cwd: artifactDir(this.stateDir, app.service, app.git_sha), env, timeoutMs });
  }

  /**
   * Process groups with this runtime's mark (PAASTA_RUNTIME_ID in their environment) whose task the store does
   * not know as live: every member counts, not only leaders (a group whose wrapper died is still a task).
   */
  async findOrphans(runtimeId: string, known: ReadonlySet<string>): Promise<Orphan[]> {
    const groups = new Map<number, string>();
    for (const p of allProcesses()) {
      if (p.state === "Z" || groups.has(p.pgid)) continue;
      const environ = environOf(p.pid);
      if (!environ.includes(`PAASTA_RUNTIME_ID=${runtimeId}\0`)) continue;
      const taskId = /(?:^|\0)PAASTA_TASK_ID=([^\0]+)/.exec(environ)?.[1];
      if (taskId && !known.has(taskId)) groups.set(p.pgid, taskId);
    }
    return [...groups].map(([pgid, taskId]) => ({
      taskId,
      // The group leader is the wrapper the launch recorded as the task's pid (gone if the wrapper died).
      started: {
        pid: pgid,
        container_id: null,
        proc_start: procStat(pgid)?.start ?? null,
        host: "127.0.0.1",
        port: null,
      },
      kill: async () => {
        signalGroup(pgid, "SIGKILL");
        const end = Date.now() + 5000;
        while (groupAlive(pgid) && Date.now() < end) await sleep(50);
      },
    }));
  }
}
