/**
 * The local runtime's state, in SQLite under the cluster's state_dir: the apps it runs (their last applied
 * DesiredApp) and every task (one replica of one app version) with its process identity, so that a restarted
 * `paasta up` re-adopts running tasks instead of duplicating or orphaning them. Synchronous (better-sqlite3,
 * WAL): every state change is on disk before the next step.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type Database from "better-sqlite3";
import type { DesiredApp } from "../../model/app.js";
import type { TaskState } from "../backend.js";
import { ensurePrivateDir, ensurePrivateFile, tightenIfPresent } from "./private-files.js";

export interface TaskRecord {
  id: string;
  service: string;
  instance: string;
  config_hash: string;
  git_sha: string;
  image_version: string | null;
  state: TaskState;
  /** Process id (process executor) or container id (docker executor). */
  pid: number | null;
  container_id: string | null;
  /** Kernel start time of the process (/proc/PID/stat field 22), to tell a re-used PID apart. */
  proc_start: string | null;
  host: string;
  port: number | null;
  created_at: number;
  started_at: number | null;
  healthy_since: number | null;
  stopped_at: number | null;
  draining_since: number | null;
  /** Consecutive failed health checks. */
  failures: number;
  last_exit_code: number | null;
  reason: string | null;
  log_dir: string;
  /** Times this replica was restarted: the failed task it replaced had this many, plus one. */
  restarts: number;
  /** The failed task this one replaced (null for a first start or a new version's task). */
  replaces: string | null;
}

/** The exit code a task's wrapper wrote to `exit_code` in its log directory; null when none was written. */
export function recordedExitCode(task: TaskRecord): number | null {
  try {
    const text = readFileSync(join(task.log_dir, "exit_code"), "utf8").trim();
    return text === "" ? null : Number(text);
  } catch {
    return null;
  }
}

export interface AppRecord {
  service: string;
  instance: string;
  app: DesiredApp;
  /** Removed from the desired state: drain everything, then forget the app. */
  removing: boolean;
  updated_at: number;
  /** The replica count an autoscaler set (ReplicaScaler); null until one does. Used while the app is autoscaled. */
  scaled: number | null;
}

/** The replicas an app's record asks for now: 0 when removed; the autoscaler's count when autoscaled and set. */
export function replicasOf(rec: AppRecord): number {
  if (rec.removing) return 0;
  const app = rec.app;
  if (app.desired_state === "start" && app.config.autoscaled && rec.scaled !== null) return rec.scaled;
  return app.replicas;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS apps (
  service TEXT NOT NULL, instance TEXT NOT NULL, app TEXT NOT NULL, removing INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL, PRIMARY KEY (service, instance));
CREATE TABLE IF NOT EXISTS tasks (
  id TEXT PRIMARY KEY, service TEXT NOT NULL, instance TEXT NOT NULL, config_hash TEXT NOT NULL,
  git_sha TEXT NOT NULL, image_version TEXT, state TEXT NOT NULL, pid INTEGER, container_id TEXT, proc_start TEXT,
  host TEXT NOT NULL, port INTEGER, created_at INTEGER NOT NULL, started_at INTEGER, healthy_since INTEGER,
  stopped_at INTEGER, draining_since INTEGER, failures INTEGER NOT NULL DEFAULT 0, last_exit_code INTEGER,
  reason TEXT, log_dir TEXT NOT NULL, restarts INTEGER NOT NULL DEFAULT 0, replaces TEXT);
CREATE INDEX IF NOT EXISTS tasks_app ON tasks (service, instance);
CREATE INDEX IF NOT EXISTS tasks_state ON tasks (state);
CREATE TABLE IF NOT EXISTS log_offsets (task_id TEXT NOT NULL, stream TEXT NOT NULL, offset INTEGER NOT NULL,
  PRIMARY KEY (task_id, stream));
`;

/** The WAL is truncated to this after a checkpoint. */
const WAL_LIMIT_BYTES = 4 * 1024 * 1024;

/**
 * Makes freed pages reclaimable (`auto_vacuum = INCREMENTAL`, which `compact` then uses). A database created
 * without it (before this version) is rebuilt once by VACUUM; when another connection holds it busy, that waits
 * for a later start.
 */
function reclaimable(db: Database.Database): void {
  if (db.pragma("auto_vacuum", { simple: true }) === 2) return;
  db.pragma("auto_vacuum = INCREMENTAL");
  try {
    db.exec("VACUUM");
  } catch {
    // busy: the next open converts it
  }
}

const TERMINAL: ReadonlySet<TaskState> = new Set(["stopped", "failed"]);

export function isTerminal(state: TaskState): boolean {
  return TERMINAL.has(state);
}

export class Store {
  readonly db: Database.Database;
  /** Parsed apps, valid while neither this connection (writes) nor another one (data_version) changed them. */
  private appsCache: { dataVersion: number; writes: number; apps: AppRecord[] } | undefined;
  private writes = 0;
  private liveCache: { dataVersion: number; writes: number; tasks: TaskRecord[] } | undefined;
  private readonly statements = new Map<string, Database.Statement>();

  /** Prepared statements are cached: preparing costs more than running them. */
  private stmt(sql: string): Database.Statement {
    let st = this.statements.get(sql);
    if (!st) {
      st = this.db.prepare(sql);
      this.statements.set(sql, st);
    }
    return st;
  }

  constructor(stateDir: string) {
    ensurePrivateDir(stateDir);
    const path = join(stateDir, "state.sqlite");
    ensurePrivateFile(path);
    for (const extra of ["-wal", "-shm"]) tightenIfPresent(`${path}${extra}`);
    const open = createRequire(import.meta.url)("better-sqlite3") as typeof Database;
    this.db = new open(path);
    this.db.pragma("busy_timeout = 5000");
    reclaimable(this.db);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    // After a checkpoint the WAL is cut back to this size instead of keeping its high-water mark.
    this.db.pragma(`journal_size_limit = ${WAL_LIMIT_BYTES}`);
    this.db.exec(SCHEMA);
    this.migrate();
  }

  /** Columns added after a state directory was created. */
  private migrate(): void {
    const cols = new Set((this.db.pragma("table_info(tasks)") as Array<{ name: string }>).map((c) => c.name));
    if (!cols.has("restarts")) this.db.exec("ALTER TABLE tasks ADD COLUMN restarts INTEGER NOT NULL DEFAULT 0");
    if (!cols.has("replaces")) this.db.exec("ALTER TABLE tasks ADD COLUMN replaces TEXT");
    const apps = new Set((this.db.pragma("table_info(apps)") as Array<{ name: string }>).map((c) => c.name));
    if (!apps.has("scaled")) this.db.exec("ALTER TABLE apps ADD COLUMN scaled INTEGER");
  }

  /**
   * The newest failed task of an app version that no task has replaced yet: a new task takes its place, with its
   * restart count plus one and its exit code (as a pod's restartCount and lastState). Call it with no await
   * before insertTask, so two launches never take the same one.
   */
  unreplacedFailure(service: string, instance: string, configHash: string): TaskRecord | undefined {
    return this.stmt(
      `SELECT * FROM tasks t WHERE service = ? AND instance = ? AND config_hash = ? AND state = 'failed'
         AND NOT EXISTS (SELECT 1 FROM tasks r WHERE r.replaces = t.id)
       ORDER BY COALESCE(stopped_at, created_at) DESC LIMIT 1`,
    ).get(service, instance, configHash) as TaskRecord | undefined;
  }

  /**
   * Keeps the file small: history older than `maxAgeMs` (and beyond `keep` per app) is deleted, the WAL is
   * checkpointed and truncated, and free pages are given back to the file system. Returns the tasks deleted.
   */
  compact(maxAgeMs: number, keep = 10): number {
    const deleted = this.pruneTerminal(keep, Date.now() - maxAgeMs);
    this.stmt("DELETE FROM log_offsets WHERE task_id NOT IN (SELECT id FROM tasks)").run();
    this.db.pragma("incremental_vacuum");
    this.db.pragma("wal_checkpoint(TRUNCATE)");
    return deleted;
  }

  close(): void {
    this.db.close();
  }

  meta(key: string): string | undefined {
    return (this.stmt("SELECT value FROM meta WHERE key = ?").get(key) as { value: string } | undefined)?.value;
  }

  setMeta(key: string, value: string): void {
    this.stmt("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(
      key,
      value,
    );
  }

  apps(): AppRecord[] {
    const dataVersion = this.dataVersion();
    const c = this.appsCache;
    if (c && c.dataVersion === dataVersion && c.writes === this.writes) return c.apps;
    const apps = this.readApps();
    this.appsCache = { dataVersion, writes: this.writes, apps };
    return apps;
  }

  private dataVersion(): number {
    return this.db.pragma("data_version", { simple: true }) as number;
  }

  private readApps(): AppRecord[] {
    const rows = this.stmt("SELECT * FROM apps ORDER BY service, instance").all() as Array<{
      service: string;
      instance: string;
      app: string;
      removing: number;
      updated_at: number;
      scaled: number | null;
    }>;
    return rows.map((r) => ({
      service: r.service,
      instance: r.instance,
      app: JSON.parse(r.app) as DesiredApp,
      removing: r.removing === 1,
      updated_at: r.updated_at,
      scaled: r.scaled ?? null,
    }));
  }

  app(service: string, instance: string): AppRecord | undefined {
    return this.apps().find((a) => a.service === service && a.instance === instance);
  }

  putApp(app: DesiredApp): void {
    this.writes++;
    this.stmt(
      `INSERT INTO apps (service, instance, app, removing, updated_at) VALUES (?, ?, ?, 0, ?)
         ON CONFLICT(service, instance) DO UPDATE SET app = excluded.app, removing = 0, updated_at = excluded.updated_at`,
    ).run(app.service, app.instance, JSON.stringify(app), Date.now());
  }

  /** Records the replica count an autoscaler set (no bounce: the app itself is unchanged). */
  setScaled(service: string, instance: string, replicas: number | null): void {
    this.writes++;
    this.stmt("UPDATE apps SET scaled = ?, updated_at = ? WHERE service = ? AND instance = ?").run(
      replicas,
      Date.now(),
      service,
      instance,
    );
  }

  markRemoving(service: string, instance: string): void {
    this.writes++;
    this.stmt("UPDATE apps SET removing = 1, updated_at = ? WHERE service = ? AND instance = ?").run(
      Date.now(),
      service,
      instance,
    );
  }

  deleteApp(service: string, instance: string): void {
    this.writes++;
    this.db.transaction(() => {
      this.stmt("DELETE FROM apps WHERE service = ? AND instance = ?").run(service, instance);
      const ids = this.stmt("SELECT id FROM tasks WHERE service = ? AND instance = ?").all(service, instance) as Array<{
        id: string;
      }>;
      for (const { id } of ids) this.stmt("DELETE FROM log_offsets WHERE task_id = ?").run(id);
      this.stmt("DELETE FROM tasks WHERE service = ? AND instance = ?").run(service, instance);
    })();
  }

  tasks(service?: string, instance?: string): TaskRecord[] {
    if (service === undefined) return this.stmt("SELECT * FROM tasks ORDER BY created_at").all() as TaskRecord[];
    return this.stmt("SELECT * FROM tasks WHERE service = ? AND instance = ? ORDER BY created_at").all(
      service,
      instance,
    ) as TaskRecord[];
  }

  /** Tasks that are not stopped or failed. Cached until the store changes; callers must not mutate them. */
  liveTasks(): TaskRecord[] {
    const dataVersion = this.dataVersion();
    const c = this.liveCache;
    if (c && c.dataVersion === dataVersion && c.writes === this.writes) return c.tasks;
    const tasks = this.stmt(
      "SELECT * FROM tasks WHERE state NOT IN ('stopped', 'failed') ORDER BY created_at",
    ).all() as TaskRecord[];
    this.liveCache = { dataVersion, writes: this.writes, tasks };
    return tasks;
  }

  insertTask(t: TaskRecord): void {
    this.writes++;
    const cols = Object.keys(t);
    this.stmt(`INSERT INTO tasks (${cols.join(", ")}) VALUES (${cols.map((c) => `@${c}`).join(", ")})`).run(t);
  }

  updateTask(id: string, patch: Partial<TaskRecord>): void {
    this.writes++;
    const cols = Object.keys(patch);
    if (cols.length === 0) return;
    this.stmt(`UPDATE tasks SET ${cols.map((c) => `${c} = @${c}`).join(", ")} WHERE id = @id`).run({ ...patch, id });
  }

  /**
   * Keeps the newest `keep` terminal tasks of each app (history for status) that ended after `since`, deletes
   * the others. Returns how many were deleted.
   */
  pruneTerminal(keep = 10, since = 0): number {
    this.writes++;
    const rows = this.stmt(
      "SELECT id, service, instance, COALESCE(stopped_at, created_at) AS ended FROM tasks WHERE state IN ('stopped', 'failed') ORDER BY ended DESC",
    ).all() as Array<{ id: string; service: string; instance: string; ended: number }>;
    let deleted = 0;
    const seen = new Map<string, number>();
    const del = this.stmt("DELETE FROM tasks WHERE id = ?");
    const delOffsets = this.stmt("DELETE FROM log_offsets WHERE task_id = ?");
    this.db.transaction(() => {
      for (const r of rows) {
        const key = `${r.service}.${r.instance}`;
        const n = (seen.get(key) ?? 0) + 1;
        seen.set(key, n);
        if (n > keep || r.ended < since) {
          del.run(r.id);
          delOffsets.run(r.id);
          deleted++;
        }
      }
    })();
    return deleted;
  }

  logOffset(taskId: string, stream: string): number {
    return (
      (
        this.stmt("SELECT offset FROM log_offsets WHERE task_id = ? AND stream = ?").get(taskId, stream) as
          | { offset: number }
          | undefined
      )?.offset ?? 0
    );
  }

  setLogOffset(taskId: string, stream: string, offset: number): void {
    this.stmt(
      "INSERT INTO log_offsets (task_id, stream, offset) VALUES (?, ?, ?) ON CONFLICT(task_id, stream) DO UPDATE SET offset = excluded.offset",
    ).run(taskId, stream, offset);
  }
}
