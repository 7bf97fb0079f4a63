/**
 * The `process` executor: each task is `cmd` run in a checkout of the deployed SHA, in its own session and
 * process group (so it outlives a restart of `paasta up` and is stopped as a group), with stdout/stderr going
 * straight to files (never a pipe to the runtime, which could die). A one-line `sh` wrapper records the exit
 * code in a file, so that the code is known even when the runtime was not the task's parent.
 * cpus and mem are not enforced by this executor (use the docker executor for limits).
 */
import { spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { GitOptions } from "../../../deploy/git.js";
import { PaastaError } from "../../../errors.js";
import type { DesiredApp } from "../../../model/app.js";
import { artifactDir, ensureArtifact } from "../artifacts.js";
import { ProcUsage } from "../proc-usage.js";
import { runShell, signalGroup } from "../process-group.js";
import { recordedExitCode, type TaskRecord } from "../store.js";
import type { Executor, Liveness, StartedTask } from "./executor.js";

const STRING_SHIM = 'f=$1; sh -c "$2"; rc=$?; printf %s "$rc" > "$f"; exit $rc';
const EXEC_SHIM = 'f=$1; shift; "$@"; rc=$?; printf %s "$rc" > "$f"; exit $rc';

/** Field 22 (starttime) and field 3 (state) of /proc/PID/stat, or undefined when there is no such process. */
export function procStat(pid: number): { start: string; state: string } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    const rest = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { state: rest[0] as string, start: rest[19] as string };
  } catch {
    return undefined;
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
    mkdirSync(task.log_dir, { recursive: true });
    const exitFile = join(task.log_dir, "exit_code");
    const args =
      typeof cmd === "string"
        ? ["-c", STRING_SHIM, "paasta-task", exitFile, cmd]
        : ["-c", EXEC_SHIM, "paasta-task", exitFile, ...cmd, ...app.config.args];
    const out = openSync(join(task.log_dir, "stdout"), "a");
    const err = openSync(join(task.log_dir, "stderr"), "a");
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
      child.on("exit", () => this.onExit?.(task.id));
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

  async liveness(task: TaskRecord): Promise<Liveness> {
    if (task.pid === null) return { alive: false, exitCode: null };
    const stat = procStat(task.pid);
    const alive =
      stat !== undefined && stat.state !== "Z" && (task.proc_start === null || stat.start === task.proc_start);
    if (alive) return { alive: true };
    return { alive: false, exitCode: recordedExitCode(task) };
  }

  async stop(task: TaskRecord, graceSeconds: number): Promise<void> {
    if (task.pid === null) return;
    const pgid = task.pid;
    if ((await this.liveness(task)).alive) signalGroup(pgid, "SIGTERM");
    const deadline = Date.now() + graceSeconds * 1000;
    while (groupAlive(pgid) && Date.now() < deadline) await sleep(50);
    if (groupAlive(pgid)) {
      signalGroup(pgid, "SIGKILL");
      const hard = Date.now() + 5000;
      while (groupAlive(pgid) && Date.now() < hard) await sleep(50);
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

  async findOrphans(
    runtimeId: string,
    known: ReadonlySet<string>,
  ): Promise<Array<{ taskId: string; kill(): Promise<void> }>> {
    const out: Array<{ taskId: string; kill(): Promise<void> }> = [];
    let pids: string[];
    try {
      pids = readdirSync("/proc").filter((p) => /^\d+$/.test(p));
    } catch {
      return out; // not Linux: no sweep
    }
    for (const p of pids) {
      const pid = Number(p);
      let environ: string;
      try {
        environ = readFileSync(`/proc/${pid}/environ`, "latin1");
      } catch {
        continue;
      }
      if (!environ.includes(`PAASTA_RUNTIME_ID=${runtimeId}\0`)) continue;
      const taskId = /(?:^|\0)PAASTA_TASK_ID=([^\0]+)/.exec(environ)?.[1];
      if (!taskId || known.has(taskId)) continue;
      // Only the group leader (the wrapper shell): its group holds the whole task.
      let pgid = -1;
      try {
        const text = readFileSync(`/proc/${pid}/stat`, "utf8");
        pgid = Number(text.slice(text.lastIndexOf(")") + 2).split(" ")[2]);
      } catch {
        continue;
      }
      if (pgid !== pid) continue;
      out.push({
        taskId,
        kill: async () => {
          signalGroup(pid, "SIGKILL");
          const end = Date.now() + 5000;
          while (groupAlive(pid) && Date.now() < end) await sleep(50);
        },
      });
    }
    return out;
  }
}
