/**
 * The local runtime's state, in SQLite under the cluster's state_dir: the apps it runs (their last applied
 * DesiredApp) and every task (one replica of one app version) with its process identity, so that a restarted
 * `paasta up` re-adopts running tasks instead of duplicating or orphaning them. Synchronous (better-sqlite3,
 * WAL): every state change is on disk before the next step.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type Database from "better-sqlite3";
import type { DesiredApp } from "../../model/app.js";
import type { TaskState } from "../backend.js";

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
  reason TEXT, log_dir TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS tasks_app ON tasks (service, instance);
CREATE INDEX IF NOT EXISTS tasks_state ON tasks (state);
CREATE TABLE IF NOT EXISTS log_offsets (task_id TEXT NOT NULL, stream TEXT NOT NULL, offset INTEGER NOT NULL,
  PRIMARY KEY (task_id, stream));
`;

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
    mkdirSync(stateDir, { recursive: true });
    const open = createRequire(import.meta.url)("better-sqlite3") as typeof Database;
    this.db = new open(join(stateDir, "state.sqlite"));
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma("busy_timeout = 5000");
    this.db.exec(SCHEMA);
    const columns = this.db.prepare("PRAGMA table_info(apps)").all() as Array<{ name: string }>;
    if (!columns.some((c) => c.name === "scaled")) this.db.exec("ALTER TABLE apps ADD COLUMN scaled INTEGER");
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

  /** Keeps the newest `keep` terminal tasks of each app (history for status), deletes older ones. */
  pruneTerminal(keep = 10): void {
    this.writes++;
    const rows = this.stmt(
      "SELECT id, service, instance FROM tasks WHERE state IN ('stopped', 'failed') ORDER BY COALESCE(stopped_at, created_at) DESC",
    ).all() as Array<{ id: string; service: string; instance: string }>;
    const seen = new Map<string, number>();
    const del = this.stmt("DELETE FROM tasks WHERE id = ?");
    const delOffsets = this.stmt("DELETE FROM log_offsets WHERE task_id = ?");
    this.db.transaction(() => {
      for (const r of rows) {
        const key = `${r.service}.${r.instance}`;
        const n = (seen.get(key) ?? 0) + 1;
        seen.set(key, n);
        if (n > keep) {
          del.run(r.id);
          delOffsets.run(r.id);
        }
      }
    })();
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
