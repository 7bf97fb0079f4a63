/**
 * One-off runs on the local runtime (`paasta remote-run`): an instance's command (or the one given) run once
 * with the cluster's executor, its output (stderr folded into stdout) kept in its directory and copied to the
 * runtime's log stream, stopped after its maximum duration. Recorded in SQLite before the launch.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type Database from "better-sqlite3";
import { oneOffCommand } from "../../../model/jobs/app.js";
import type { OneOffRecord, OneOffRuns, OneOffSpec } from "../../batch.js";
import type { SecretReader } from "../../powers.js";
import type { Executor } from "../executors/executor.js";
import { captureOutput } from "../log-capture.js";
import type { RuntimeLog } from "../runtime-log.js";
import type { Store } from "../store.js";
import { deliverBatchSecrets, removeTaskSecrets } from "../task-secrets.js";
import { identity, type Launch, launchFor, taskFor } from "./launch.js";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS one_off_runs (
  id TEXT PRIMARY KEY, service TEXT NOT NULL, instance TEXT NOT NULL, user TEXT NOT NULL, command TEXT NOT NULL,
  state TEXT NOT NULL, started_at INTEGER NOT NULL, ended_at INTEGER, exit_code INTEGER, reason TEXT, pid INTEGER,
  proc_start TEXT, container_id TEXT, log_dir TEXT NOT NULL, deadline INTEGER NOT NULL, launch TEXT NOT NULL);
`;

interface Row extends Omit<OneOffRecord, "where"> {
  readonly pid: number | null;
  readonly proc_start: string | null;
  readonly container_id: string | null;
  readonly log_dir: string;
  readonly deadline: number;
  readonly launch: string;
}

export class LocalOneOffs implements OneOffRuns {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Database.Database,
    private readonly o: {
      store: Store;
      executor: Executor;
      log: RuntimeLog;
      runtimeId: string;
      stateDir: string;
      inheritEnv?: NodeJS.ProcessEnv;
      secrets?: () => SecretReader | undefined;
    },
  ) {
    db.exec(SCHEMA);
    this.watch();
  }

  /** While one-off runs are live, reap them (and stop those past their deadline) every second. */
  private watch(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.refresh()
        .then((live) => {
          if (live === 0) this.stopWatching();
        })
        .catch(() => this.stopWatching()); // the store was closed
    }, 1000);
    this.timer.unref();
  }

  private stopWatching(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  async startOneOff(spec: OneOffSpec): Promise<OneOffRecord> {
    const command = oneOffCommand(spec.config.cmd, spec.config.args) ?? "";
    const id = `remote-run.${spec.service}.${spec.instance}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    const config = { ...spec.config, cmd: `exec 2>&1\n${command}`, args: [] };
    const launch = launchFor(
      config,
      spec.version,
      { taskId: id, runtimeId: this.o.runtimeId },
      this.o.inheritEnv,
      spec.config.type,
    );
    const now = Date.now();
    const row: Row = {
      id,
      service: spec.service,
      instance: spec.instance,
      user: spec.user,
      command,
      state: "running",
      started_at: now,
      ended_at: null,
      exit_code: null,
      reason: null,
      pid: null,
      proc_start: null,
      container_id: null,
      log_dir: join(this.o.stateDir, "remote-run", id),
      deadline: now + spec.maxDurationSeconds * 1000,
      launch: JSON.stringify(launch),
    };
    const cols = Object.keys(row);
    this.db
      .prepare(`INSERT INTO one_off_runs (${cols.join(", ")}) VALUES (${cols.map((c) => `@${c}`).join(", ")})`)
      .run(row);
    try {
      const secrets = await deliverBatchSecrets(this.o.secrets?.(), launch.app, row.log_dir);
      const started = await this.o.executor.start(this.task(row, launch), launch.app, { ...launch.env, ...secrets });
      this.update(id, identity(started));
    } catch (e) {
      this.update(id, { state: "failed", ended_at: Date.now(), reason: `could not start: ${(e as Error).message}` });
      removeTaskSecrets(row.log_dir);
    }
    this.watch();
    return this.record(this.row(id) as Row);
  }

  private task(row: Row, launch: Launch) {
    return taskFor({ ...row, task_id: row.id }, launch.app);
  }

  private row(id: string): Row | undefined {
    return this.db.prepare("SELECT * FROM one_off_runs WHERE id = ?").get(id) as Row | undefined;
  }

  private update(id: string, patch: Partial<Row>): void {
    const cols = Object.keys(patch);
    this.db
      .prepare(`UPDATE one_off_runs SET ${cols.map((c) => `${c} = @${c}`).join(", ")} WHERE id = @id`)
      .run({ ...patch, id });
  }

  private record(r: Row): OneOffRecord {
    const { pid, proc_start: _p, container_id, log_dir: _l, deadline: _d, launch: _x, ...rest } = r;
    return { ...rest, where: pid ? `pid ${pid}` : container_id ? `container ${container_id.slice(0, 12)}` : null };
  }

  /** Reaps ended runs and stops those past their maximum duration; returns how many still run. */
  async refresh(): Promise<number> {
    const live = this.db.prepare("SELECT * FROM one_off_runs WHERE state = 'running'").all() as Row[];
    let running = 0;
    for (const r of live) {
      if (r.pid === null && r.container_id === null) {
        // Being launched; a launch a restart interrupted (a minute on) is over.
        if (Date.now() - r.started_at > 60_000)
          this.update(r.id, {
            state: "failed",
            ended_at: Date.now(),
            reason: "the runtime stopped while launching it",
          });
        continue;
      }
      const launch = JSON.parse(r.launch) as Launch;
      const task = this.task(r, launch);
      if (Date.now() > r.deadline && r.reason === null) {
        this.update(r.id, { reason: "stopped: it ran longer than its maximum duration" });
        await this.o.executor.stop(task, 2);
      }
      const l = await this.o.executor.liveness(task);
      captureOutput(this.o.log, this.o.store, task);
      if (l.alive) {
        running++;
        continue;
      }
      const reason = this.row(r.id)?.reason ?? null;
      removeTaskSecrets(r.log_dir);
      this.update(r.id, {
        state: l.exitCode === 0 && reason === null ? "succeeded" : "failed",
        ended_at: Date.now(),
        exit_code: l.exitCode,
      });
    }
    return (
      running +
      live.filter((r) => r.pid === null && r.container_id === null && Date.now() - r.started_at <= 60_000).length
    );
  }

  async oneOffs(filter: { service?: string; instance?: string } = {}): Promise<OneOffRecord[]> {
    await this.refresh();
    const rows = this.db.prepare("SELECT * FROM one_off_runs ORDER BY started_at DESC").all() as Row[];
    return rows
      .filter(
        (r) =>
          (!filter.service || r.service === filter.service) && (!filter.instance || r.instance === filter.instance),
      )
      .map((r) => this.record(r));
  }

  async stopOneOff(id: string): Promise<boolean> {
    const r = this.row(id);
    if (r?.state !== "running") return false;
    this.update(id, { reason: "stopped by paasta remote-run stop" });
    await this.o.executor.stop(this.task(r, JSON.parse(r.launch) as Launch), 2);
    await this.refresh();
    return true;
  }

  async oneOffOutput(id: string, offset: number): Promise<{ lines: string[]; offset: number; note: string | null }> {
    const r = this.row(id);
    if (!r) return { lines: [], offset, note: "no such run" };
    let text = "";
    try {
      text = readFileSync(join(r.log_dir, "stdout"), "utf8");
    } catch {
      return { lines: [], offset, note: null };
    }
    const complete = text.endsWith("\n") || r.state !== "running" ? text : text.slice(0, text.lastIndexOf("\n") + 1);
    const all = complete.split("\n");
    if (all.at(-1) === "") all.pop();
    return { lines: all.slice(offset), offset: all.length, note: null };
  }
}
