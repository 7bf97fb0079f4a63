/**
 * Job runs on the local runtime: records in SQLite (tables.ts), each attempt inserted before its launch, and
 * launched with the cluster's executor (a process in a checkout of the pinned SHA, or a container of its
 * image). Attempts outlive `paasta up`: after a restart a running one is re-adopted (its pid and start time, or
 * its container), one that ended meanwhile is read back from its recorded exit code, and a launch the crash
 * interrupted is found by its task id (adopted) or, if it never started, launched then — never "unknown".
 * Output goes to the runtime's log stream as the action's instance (`paasta logs -s S -i JOB.ACTION`).
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import type { JobControl, JobRecords, JobRef, RunRecord } from "../../../model/jobs/records.js";
import type { AttemptRef, JobFilter, JobRunStore, LaunchSpec, NewRun, RunRef } from "../../batch.js";
import type { SecretReader } from "../../powers.js";
import type { Executor, Orphan } from "../executors/executor.js";
import { captureOutput } from "../log-capture.js";
import type { RuntimeLog } from "../runtime-log.js";
import { recordedExitCode, type Store } from "../store.js";
import { deliverBatchSecrets, removeTaskSecrets } from "../task-secrets.js";
import { batchRuntimeId, identity, type Launch, launchFor, processAlive, taskFor } from "./launch.js";
import { type AttemptRow, JobTables } from "./tables.js";

export interface LocalBatchOptions {
  readonly store: Store;
  readonly executor: Executor;
  readonly log: RuntimeLog;
  readonly runtimeId: string;
  readonly stateDir: string;
  readonly inheritEnv?: NodeJS.ProcessEnv;
  /** How SECRET() values are decrypted at each start (the supervisor's reader; none until the host gives one). */
  readonly secrets?: () => SecretReader | undefined;
}

/** Seconds an attempt being killed gets between SIGTERM and SIGKILL. */
const KILL_GRACE_SECONDS = 2;

export function attemptTaskId(a: AttemptRef): string {
  return `job.${a.service}.${a.job}.${a.run}.${a.action}.${a.attempt}`;
}

export class LocalJobRuns implements JobRunStore {
  readonly tables: JobTables;
  private readonly launching = new Set<string>();
  private readonly listeners = new Set<() => void>();
  private orphans: Map<string, Orphan> | undefined;

  constructor(private readonly o: LocalBatchOptions) {
    this.tables = new JobTables(o.store.db);
  }

  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** The executor calls this when a process it started exits. */
  notify(): void {
    for (const fn of this.listeners) fn();
  }

  async read(filter: JobFilter = {}): Promise<JobRecords> {
    await this.refresh();
    const parts: ReadonlyArray<Partial<JobRef>> = filter.jobs ?? [filter];
    return {
      runs: parts.flatMap((f) => this.tables.runs(f)),
      attempts: parts.flatMap((f) => this.tables.attempts(f)),
      controls: parts.flatMap((f) => this.tables.controls(f)),
    };
  }

  async createRun(run: NewRun): Promise<RunRecord | undefined> {
    return this.tables.insertRun(run, Date.now());
  }

  async startAttempt(spec: LaunchSpec): Promise<boolean> {
    const taskId = attemptTaskId(spec);
    const launch =
      spec.version && !spec.fail
        ? launchFor(spec.config, spec.version, { taskId, runtimeId: this.o.runtimeId }, this.o.inheritEnv, "tron")
        : null;
    const row: AttemptRow = {
      service: spec.service,
      job: spec.job,
      run: spec.run,
      action: spec.action,
      attempt: spec.attempt,
      state: "starting",
      started_at: Date.now(),
      ended_at: null,
      exit_code: null,
      reason: null,
      killed: false,
      manual: spec.manual,
      where: null,
      task_id: taskId,
      pid: null,
      proc_start: null,
      container_id: null,
      log_dir: join(
        this.o.stateDir,
        "jobs",
        spec.service,
        spec.job,
        String(spec.run),
        `${spec.action}.${spec.attempt}`,
      ),
      owner: process.pid,
      launch: JSON.stringify(launch),
    };
    if (!this.tables.insertAttempt(row)) return false;
    if (!launch) {
      this.end(row, "failed", null, spec.fail ?? "nothing is deployed for its deploy group");
      return true;
    }
    await this.launch(row, launch);
    return true;
  }

  private async launch(row: AttemptRow, launch: Launch): Promise<void> {
    this.launching.add(row.task_id);
    try {
      // Plaintexts go to the process only: `launch` (stored) keeps the references.
      const secrets = await deliverBatchSecrets(this.o.secrets?.(), launch.app, row.log_dir);
      const env = { ...launch.env, ...secrets };
      const started = await this.o.executor.start(taskFor(row, launch.app), launch.app, env);
      this.tables.updateAttempt(row.task_id, { state: "running", started_at: Date.now(), ...identity(started) });
      this.lifecycle(
        row,
        `Started attempt ${row.attempt} of run ${row.run} (${started.pid ? `pid ${started.pid}` : started.container_id?.slice(0, 12)})`,
      );
      const now = this.tables.attempt(row.task_id);
      // Killed while it was being launched.
      if (now?.reason) await this.o.executor.stop(taskFor(now, launch.app), KILL_GRACE_SECONDS);
    } catch (e) {
      this.end(row, "failed", null, `could not start: ${(e as Error).message}`);
    } finally {
      this.launching.delete(row.task_id);
      this.notify();
    }
  }

  private lifecycle(row: AttemptRow, message: string): void {
    this.o.log.write({
      service: row.service,
      instance: `${row.job}.${row.action}`,
      component: "task_lifecycle",
      message,
      task: row.task_id,
    });
  }

  private end(row: AttemptRow, state: "succeeded" | "failed", exitCode: number | null, reason: string | null): void {
    this.tables.updateAttempt(row.task_id, { state, ended_at: Date.now(), exit_code: exitCode, reason });
    removeTaskSecrets(row.log_dir);
    const how =
      state === "succeeded"
        ? "succeeded"
        : `failed${reason ? `: ${reason}` : exitCode !== null ? ` (exit code ${exitCode})` : ""}`;
    this.lifecycle(row, `Attempt ${row.attempt} of run ${row.run} ${how}`);
  }

  /** Brings live attempts up to date: exits, output, interrupted launches. */
  private async refresh(): Promise<void> {
    if (!this.orphans) await this.sweep();
    for (const row of this.tables.liveAttempts()) {
      if (row.state === "starting") {
        if (this.launching.has(row.task_id)) continue;
        if (row.owner !== process.pid && processAlive(row.owner)) continue; // another paasta up is launching it
        await this.recoverLaunch(row);
      } else await this.check(row);
    }
  }

  /** Once per process: batch processes of this runtime that no running row knows (launched just before a crash). */
  private async sweep(): Promise<void> {
    const live = this.tables.liveAttempts();
    const known = new Set(live.filter((r) => r.state === "running").map((r) => r.task_id));
    const starting = new Set(live.filter((r) => r.state === "starting").map((r) => r.task_id));
    this.orphans = new Map();
    for (const o of await this.o.executor.findOrphans(batchRuntimeId(this.o.runtimeId), known)) {
      if (starting.has(o.taskId)) this.orphans.set(o.taskId, o);
      else if (!this.isOneOff(o.taskId)) await o.kill();
    }
  }

  /** One-off runs share the runtime id; their own module keeps them. */
  private isOneOff(taskId: string): boolean {
    return taskId.startsWith("remote-run.");
  }

  private async recoverLaunch(row: AttemptRow): Promise<void> {
    const launch = JSON.parse(row.launch) as Launch | null;
    if (!launch) return this.end(row, "failed", null, "nothing is deployed for its deploy group");
    const orphan = this.orphans?.get(row.task_id);
    if (orphan) {
      this.orphans?.delete(row.task_id);
      this.tables.updateAttempt(row.task_id, { state: "running", ...identity(orphan.started) });
      this.lifecycle(row, `Re-adopted attempt ${row.attempt} of run ${row.run}: launched just before a restart`);
      return;
    }
    const code = recordedExitCode(taskFor(row, launch.app));
    if (code !== null) {
      captureOutput(this.o.log, this.o.store, taskFor(row, launch.app));
      return this.end(row, code === 0 ? "succeeded" : "failed", code, null);
    }
    this.lifecycle(row, `Launching attempt ${row.attempt} of run ${row.run}: a restart interrupted its launch`);
    await this.launch(row, launch);
  }

  private async check(row: AttemptRow): Promise<void> {
    const launch = JSON.parse(row.launch) as Launch;
    const task = taskFor(row, launch.app);
    const l = await this.o.executor.liveness(task);
    captureOutput(this.o.log, this.o.store, task);
    if (l.alive) return;
    const ok = l.exitCode === 0 && row.reason === null;
    const why = row.reason ?? (l.exitCode === null ? "ended without an exit code (killed by a signal?)" : null);
    this.end(row, ok ? "succeeded" : "failed", l.exitCode, ok ? null : why);
  }

  async killAttempt(ref: AttemptRef, reason: string, byUser: boolean): Promise<void> {
    const row = this.tables.attempt(attemptTaskId(ref));
    if (!row || (row.state !== "running" && row.state !== "starting")) return;
    this.tables.updateAttempt(row.task_id, { reason, killed: byUser });
    if (row.state === "starting" && !this.launching.has(row.task_id)) {
      return this.end(row, "failed", null, reason);
    }
    const launch = JSON.parse(row.launch) as Launch;
    this.lifecycle(row, `Killing attempt ${row.attempt} of run ${row.run}: ${reason}`);
    await this.o.executor.stop(taskFor(row, launch.app), KILL_GRACE_SECONDS);
    const now = this.tables.attempt(row.task_id);
    if (now?.state === "running") await this.check(now);
  }

  async stopAll(reason: string): Promise<void> {
    for (const row of this.tables.liveAttempts()) await this.killAttempt(row, reason, true);
  }

  async cancelRun(ref: RunRef, reason: string): Promise<void> {
    this.tables.cancelRun(ref, reason);
  }

  async markReported(ref: RunRef): Promise<void> {
    this.tables.markReported(ref);
  }

  async deleteRun(ref: RunRef): Promise<void> {
    for (const g of this.tables.deleteRun(ref)) rmSync(g.log_dir, { recursive: true, force: true });
    rmSync(join(this.o.stateDir, "jobs", ref.service, ref.job, String(ref.run)), { recursive: true, force: true });
  }

  async setControl(control: JobControl): Promise<void> {
    this.tables.setControl(control);
  }
}
