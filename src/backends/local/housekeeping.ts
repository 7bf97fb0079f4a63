/**
 * Housekeeping of a local cluster's state dir, so that it stays bounded however many bounces it sees: task
 * history older than the retention (and beyond 10 per app) is deleted with its task directory, checkouts of
 * versions that neither run nor are among the recent ones kept for rollback are deleted, logs of services that
 * are gone are deleted, the SQLite file gives its free pages back, and process groups of tasks the store does
 * not know as live are stopped (the same sweep as at start). Run at start and then periodically; it reports
 * the disk use of each part of the state dir (status, /metrics).
 */
import { lstatSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { artifactsRoot } from "./artifacts.js";
import type { Executor } from "./executors/executor.js";
import type { RuntimeLog } from "./runtime-log.js";
import type { Store } from "./store.js";

export interface Retention {
  /** Days a stopped or failed task stays in the history. */
  readonly historyDays: number;
  /** Checkouts kept per service beyond the versions that run or are desired (rollback targets). */
  readonly keepVersions: number;
}

export interface DiskUse {
  readonly state: number;
  readonly logs: number;
  readonly tasks: number;
  readonly artifacts: number;
  readonly total: number;
}

export interface HousekeepingReport {
  readonly tasksPruned: number;
  readonly taskDirsRemoved: number;
  readonly checkoutsRemoved: number;
  readonly logsRemoved: number;
  readonly orphansStopped: number;
  readonly disk: DiskUse;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** A checkout being extracted is left alone this long before it counts as an abandoned temporary directory. */
const TMP_GRACE_MS = 60 * 60 * 1000;

export class Housekeeper {
  lastReport: HousekeepingReport | undefined;

  constructor(
    private readonly o: {
      readonly stateDir: string;
      readonly store: Store;
      readonly log: RuntimeLog;
      readonly executor: Executor;
      readonly runtimeId: string;
      readonly retention: Retention;
    },
  ) {}

  async run(): Promise<HousekeepingReport> {
    const { store, retention } = this.o;
    const tasksPruned = store.compact(retention.historyDays * DAY_MS);
    const known = new Set(store.tasks().map((t) => t.id));
    const taskDirsRemoved = removeEntries(join(this.o.stateDir, "tasks"), (name) => !known.has(name));
    const checkoutsRemoved = this.removeOldCheckouts();
    // The stream of a service that is gone, once it is as old as the history kept ("paasta" is the runtime's own).
    const services = new Set(["paasta", ...store.apps().map((a) => a.service), ...store.tasks().map((t) => t.service)]);
    const oldBefore = Date.now() - retention.historyDays * DAY_MS;
    const logsRemoved = removeEntries(
      this.o.log.dir,
      (name) => !services.has(name.replace(/\.jsonl(\.1)?$/, "")) && mtime(join(this.o.log.dir, name)) < oldBefore,
    );
    const live = new Set(store.liveTasks().map((t) => t.id));
    let orphansStopped = 0;
    for (const orphan of await this.o.executor.findOrphans(this.o.runtimeId, live)) {
      await orphan.kill();
      orphansStopped++;
    }
    this.lastReport = {
      tasksPruned,
      taskDirsRemoved,
      checkoutsRemoved,
      logsRemoved,
      orphansStopped,
      disk: diskUse(this.o.stateDir, this.o.log.dir),
    };
    return this.lastReport;
  }

  /** Per service: keeps the SHAs that run or are desired and the `keepVersions` newest others. */
  private removeOldCheckouts(): number {
    const root = artifactsRoot(this.o.stateDir);
    const inUse = new Set([
      ...this.o.store.apps().map((a) => `${a.service}/${a.app.git_sha}`),
      ...this.o.store.liveTasks().map((t) => `${t.service}/${t.git_sha}`),
    ]);
    let removed = 0;
    for (const service of entries(root)) {
      const dir = join(root, service);
      const now = Date.now();
      const shas = entries(dir)
        .filter((sha) => !sha.includes(".tmp-") || now - mtime(join(dir, sha)) > TMP_GRACE_MS)
        .map((sha) => ({ sha, at: mtime(join(dir, sha)) }))
        .sort((a, b) => b.at - a.at);
      let kept = 0;
      for (const { sha } of shas) {
        if (inUse.has(`${service}/${sha}`)) continue;
        if (!sha.includes(".tmp-") && kept < this.o.retention.keepVersions) {
          kept++;
          continue;
        }
        rmSync(join(dir, sha), { recursive: true, force: true });
        removed++;
      }
    }
    return removed;
  }
}

function entries(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function mtime(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

/** Removes the entries of `dir` that `doomed` names; how many. */
function removeEntries(dir: string, doomed: (name: string) => boolean): number {
  let n = 0;
  for (const name of entries(dir)) {
    if (!doomed(name)) continue;
    rmSync(join(dir, name), { recursive: true, force: true });
    n++;
  }
  return n;
}

/** Bytes under `path` (files' sizes; a directory walked recursively, symbolic links not followed). */
export function bytesUnder(path: string): number {
  let st: ReturnType<typeof lstatSync>;
  try {
    st = lstatSync(path);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.size;
  let total = 0;
  for (const e of entries(path)) total += bytesUnder(join(path, e));
  return total;
}

export function diskUse(stateDir: string, logDir: string): DiskUse {
  const state = ["state.sqlite", "state.sqlite-wal", "state.sqlite-shm"].reduce(
    (n, f) => n + bytesUnder(join(stateDir, f)),
    0,
  );
  const logs = bytesUnder(logDir);
  const tasks = bytesUnder(join(stateDir, "tasks"));
  const artifacts = bytesUnder(artifactsRoot(stateDir));
  return { state, logs, tasks, artifacts, total: bytesUnder(stateDir) };
}
