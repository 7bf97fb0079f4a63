/**
 * Job runs, attempts, user controls and one-off runs in the local runtime's SQLite store (the same database as
 * the tasks). The unique keys are the guarantee: one run per (job, scheduled time), one row per (run, action,
 * attempt), inserted before anything is launched; an insert that changes nothing means "already there".
 */
import type Database from "better-sqlite3";
import type { AttemptRecord, JobControl, JobRef, RunRecord } from "../../../model/jobs/records.js";
import type { NewRun, RunRef } from "../../batch.js";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS job_runs (
  service TEXT NOT NULL, job TEXT NOT NULL, run INTEGER NOT NULL, scheduled_at INTEGER NOT NULL,
  sched_key INTEGER, manual INTEGER NOT NULL, state TEXT NOT NULL, reason TEXT, created_at INTEGER NOT NULL,
  versions TEXT NOT NULL, dag TEXT NOT NULL, cleanup TEXT, reported INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (service, job, run), UNIQUE (service, job, sched_key));
CREATE TABLE IF NOT EXISTS job_attempts (
  service TEXT NOT NULL, job TEXT NOT NULL, run INTEGER NOT NULL, action TEXT NOT NULL, attempt INTEGER NOT NULL,
  state TEXT NOT NULL, started_at INTEGER, ended_at INTEGER, exit_code INTEGER, reason TEXT,
  killed INTEGER NOT NULL DEFAULT 0, manual INTEGER NOT NULL DEFAULT 0, task_id TEXT NOT NULL UNIQUE,
  pid INTEGER, proc_start TEXT, container_id TEXT, log_dir TEXT NOT NULL, owner INTEGER, launch TEXT NOT NULL,
  PRIMARY KEY (service, job, run, action, attempt));
CREATE INDEX IF NOT EXISTS job_attempts_live ON job_attempts (state);
CREATE TABLE IF NOT EXISTS job_controls (
  service TEXT NOT NULL, job TEXT NOT NULL, enabled INTEGER NOT NULL, since INTEGER NOT NULL,
  PRIMARY KEY (service, job));
`;

/** An attempt's row: the record plus how to find (or launch again) its process. */
export interface AttemptRow extends AttemptRecord {
  readonly task_id: string;
  readonly pid: number | null;
  readonly proc_start: string | null;
  readonly container_id: string | null;
  readonly log_dir: string;
  /** The `paasta up` process that launched it (a launch interrupted by its death is recovered). */
  readonly owner: number | null;
  /** JSON {app, env}: what was to be launched, recorded before the launch. */
  readonly launch: string;
}

type Row = Record<string, unknown>;

function runOf(r: Row): RunRecord {
  return {
    service: r.service as string,
    job: r.job as string,
    run: r.run as number,
    scheduled_at: r.scheduled_at as number,
    manual: r.manual === 1,
    state: r.state as RunRecord["state"],
    reason: (r.reason as string | null) ?? null,
    created_at: r.created_at as number,
    versions: JSON.parse(r.versions as string),
    dag: JSON.parse(r.dag as string),
    cleanup: (r.cleanup as string | null) ?? null,
    reported: r.reported === 1,
  };
}

function attemptOf(r: Row): AttemptRow {
  return {
    ...(r as unknown as AttemptRow),
    killed: r.killed === 1,
    manual: r.manual === 1,
    where: r.pid ? `pid ${r.pid}` : r.container_id ? `container ${(r.container_id as string).slice(0, 12)}` : null,
  };
}

const WHERE_JOB = "(@service IS NULL OR service = @service) AND (@job IS NULL OR job = @job)";

export class JobTables {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(readonly db: Database.Database) {
    db.exec(SCHEMA);
  }

  private stmt(sql: string): Database.Statement {
    let st = this.statements.get(sql);
    if (!st) {
      st = this.db.prepare(sql);
      this.statements.set(sql, st);
    }
    return st;
  }

  runs(filter: Partial<JobRef> = {}): RunRecord[] {
    const args = { service: filter.service ?? null, job: filter.job ?? null };
    return (this.stmt(`SELECT * FROM job_runs WHERE ${WHERE_JOB}`).all(args) as Row[]).map(runOf);
  }

  attempts(filter: Partial<JobRef> = {}): AttemptRow[] {
    const args = { service: filter.service ?? null, job: filter.job ?? null };
    return (this.stmt(`SELECT * FROM job_attempts WHERE ${WHERE_JOB}`).all(args) as Row[]).map(attemptOf);
  }

  liveAttempts(): AttemptRow[] {
    return (this.stmt("SELECT * FROM job_attempts WHERE state IN ('starting', 'running')").all() as Row[]).map(
      attemptOf,
    );
  }

  controls(filter: Partial<JobRef> = {}): JobControl[] {
    const args = { service: filter.service ?? null, job: filter.job ?? null };
    return (this.stmt(`SELECT * FROM job_controls WHERE ${WHERE_JOB}`).all(args) as Row[]).map((r) => ({
      service: r.service as string,
      job: r.job as string,
      enabled: r.enabled === 1,
      since: r.since as number,
    }));
  }

  /** Numbers the run (1, 2, …); undefined when a run of that scheduled time exists. */
  insertRun(r: NewRun, now: number): RunRecord | undefined {
    return this.db.transaction(() => {
      const next =
        ((
          this.stmt("SELECT MAX(run) AS n FROM job_runs WHERE service = ? AND job = ?").get(r.service, r.job) as {
            n: number | null;
          }
        ).n ?? 0) + 1;
      const info = this.stmt(
        `INSERT OR IGNORE INTO job_runs (service, job, run, scheduled_at, sched_key, manual, state, reason, created_at,
           versions, dag, cleanup) VALUES (@service, @job, @run, @scheduled_at, @sched_key, @manual, @state, @reason,
           @created_at, @versions, @dag, @cleanup)`,
      ).run({
        service: r.service,
        job: r.job,
        run: next,
        scheduled_at: r.scheduled_at,
        sched_key: r.manual ? null : r.scheduled_at,
        manual: r.manual ? 1 : 0,
        state: r.state,
        reason: r.reason,
        created_at: now,
        versions: JSON.stringify(r.versions),
        dag: JSON.stringify(r.dag),
        cleanup: r.cleanup,
      });
      return info.changes === 0 ? undefined : { ...r, run: next, created_at: now, reported: false };
    })();
  }

  /** Inserts the attempt's row; false when it exists (recorded by another scheduler, or before a restart). */
  insertAttempt(a: AttemptRow): boolean {
    const row = { ...a, killed: a.killed ? 1 : 0, manual: a.manual ? 1 : 0 };
    delete (row as { where?: unknown }).where;
    const cols = Object.keys(row);
    return (
      this.stmt(
        `INSERT OR IGNORE INTO job_attempts (${cols.join(", ")}) VALUES (${cols.map((c) => `@${c}`).join(", ")})`,
      ).run(row).changes > 0
    );
  }

  updateAttempt(taskId: string, patch: Partial<Omit<AttemptRow, "killed" | "manual">> & { killed?: boolean }): void {
    const row: Row = { ...patch };
    if (patch.killed !== undefined) row.killed = patch.killed ? 1 : 0;
    const cols = Object.keys(row);
    if (cols.length === 0) return;
    this.stmt(`UPDATE job_attempts SET ${cols.map((c) => `${c} = @${c}`).join(", ")} WHERE task_id = @task_id`).run({
      ...row,
      task_id: taskId,
    });
  }

  attempt(taskId: string): AttemptRow | undefined {
    const r = this.stmt("SELECT * FROM job_attempts WHERE task_id = ?").get(taskId) as Row | undefined;
    return r ? attemptOf(r) : undefined;
  }

  cancelRun(ref: RunRef, reason: string): void {
    this.stmt(
      "UPDATE job_runs SET state = 'cancelled', reason = ? WHERE service = ? AND job = ? AND run = ? AND state = 'pending'",
    ).run(reason, ref.service, ref.job, ref.run);
  }

  markReported(ref: RunRef): void {
    this.stmt("UPDATE job_runs SET reported = 1 WHERE service = ? AND job = ? AND run = ?").run(
      ref.service,
      ref.job,
      ref.run,
    );
  }

  /** Deletes the run and its attempts; returns the attempts' task ids and log directories. */
  deleteRun(ref: RunRef): Array<{ task_id: string; log_dir: string }> {
    return this.db.transaction(() => {
      const gone = this.stmt("SELECT task_id, log_dir FROM job_attempts WHERE service = ? AND job = ? AND run = ?").all(
        ref.service,
        ref.job,
        ref.run,
      ) as Array<{ task_id: string; log_dir: string }>;
      this.stmt("DELETE FROM job_attempts WHERE service = ? AND job = ? AND run = ?").run(
        ref.service,
        ref.job,
        ref.run,
      );
      this.stmt("DELETE FROM job_runs WHERE service = ? AND job = ? AND run = ?").run(ref.service, ref.job, ref.run);
      for (const g of gone) this.stmt("DELETE FROM log_offsets WHERE task_id = ?").run(g.task_id);
      return gone;
    })();
  }

  setControl(c: JobControl): void {
    this.stmt(
      `INSERT INTO job_controls (service, job, enabled, since) VALUES (?, ?, ?, ?)
         ON CONFLICT(service, job) DO UPDATE SET enabled = excluded.enabled, since = excluded.since`,
    ).run(c.service, c.job, c.enabled ? 1 : 0, c.since);
  }
}
