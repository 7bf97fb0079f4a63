/**
 * The `local` backend: the embedded single-machine runtime. Apps are stored in SQLite; the supervisor makes
 * the processes (or containers) follow them. `apply` only records the desired app and returns at once: the
 * bounce proceeds over the following ticks.
 */
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { readLogs, readNew } from "../../logs/reader.js";
import type { DesiredApp } from "../../model/app.js";
import {
  type ApplyResult,
  type AppRef,
  type Backend,
  deployStatusOf,
  type InstanceStatus,
  type LogQuery,
  type LogSource,
  type LogTail,
  type ObservedApp,
  type ReplicaRestarter,
  type TaskStatus,
  type VersionStatus,
} from "../backend.js";
import type { BatchStore } from "../batch.js";
import type { BatchRunner } from "../powers.js";
import type { Executor } from "./executors/executor.js";
import { LocalBatch } from "./jobs/index.js";
import { RuntimeLog } from "./runtime-log.js";
import { isTerminal, Store, type TaskRecord } from "./store.js";
import { Supervisor } from "./supervisor.js";

export interface LocalBackendOptions {
  readonly cluster: string;
  readonly stateDir: string;
  readonly executor: (stateDir: string) => Executor;
  readonly inheritEnv?: NodeJS.ProcessEnv;
  readonly tickMs?: number;
  readonly portRange?: readonly [number, number];
  readonly defaultGraceSeconds?: number;
}

export class LocalBackend implements Backend, ReplicaRestarter, LogSource, BatchRunner {
  readonly kind = "local";
  /** Applying only records the app; the supervisor does the work. */
  readonly applyConcurrency = 1;
  readonly store: Store;
  readonly log: RuntimeLog;
  readonly supervisor: Supervisor;
  readonly runtimeId: string;
  readonly cluster: string;
  private batchStore: LocalBatch | undefined;

  constructor(private readonly o: LocalBackendOptions) {
    this.cluster = o.cluster;
    this.store = new Store(o.stateDir);
    let id = this.store.meta("runtime_id");
    if (!id) {
      id = randomUUID();
      this.store.setMeta("runtime_id", id);
    }
    this.runtimeId = id;
    this.log = new RuntimeLog(join(o.stateDir, "logs"), o.cluster);
    this.supervisor = new Supervisor({
      store: this.store,
      executor: o.executor(o.stateDir),
      log: this.log,
      runtimeId: id,
      stateDir: o.stateDir,
      inheritEnv: o.inheritEnv,
      tickMs: o.tickMs,
      portRange: o.portRange,
      defaultGraceSeconds: o.defaultGraceSeconds,
    });
  }

  /** Job runs and one-off runs, with an executor of their own (jobs/). */
  batch(): BatchStore {
    this.batchStore ??= new LocalBatch({
      store: this.store,
      executor: this.o.executor(this.o.stateDir),
      log: this.log,
      runtimeId: this.runtimeId,
      stateDir: this.o.stateDir,
      inheritEnv: this.o.inheritEnv,
    });
    return this.batchStore;
  }

  /** Re-adopts running tasks and starts supervising. */
  async start(): Promise<Awaited<ReturnType<Supervisor["adopt"]>>> {
    const r = await this.supervisor.adopt();
    this.supervisor.start();
    return r;
  }

  async observe(): Promise<ObservedApp[]> {
    return this.store
      .apps()
      .filter((a) => !a.removing)
      .map((rec) => {
        const tasks = this.store
          .tasks(rec.service, rec.instance)
          .filter((t) => !isTerminal(t.state) && t.state !== "draining");
        return {
          service: rec.service,
          instance: rec.instance,
          desired_config_hash: rec.app.config_hash,
          desired_replicas: rec.app.replicas,
          versions: versionsOf(tasks, rec.app).map(({ tasks: _t, desired: _d, ...v }) => v),
        };
      });
  }

  async apply(app: DesiredApp): Promise<ApplyResult> {
    const current = this.store.app(app.service, app.instance);
    if (current && !current.removing && JSON.stringify(current.app) === JSON.stringify(app)) return "unchanged";
    this.store.putApp(app);
    this.supervisor.poke();
    return current && !current.removing ? "updated" : "created";
  }

  async remove(ref: AppRef): Promise<void> {
    this.store.markRemoving(ref.service, ref.instance);
    this.supervisor.poke();
  }

  async restartReplica(ref: AppRef, replicaId: string): Promise<boolean> {
    const rec = this.store.app(ref.service, ref.instance);
    const task = this.store.tasks(ref.service, ref.instance).find((t) => t.id === replicaId && !isTerminal(t.state));
    if (!rec || !task) return false;
    // Draining the task makes the supervisor start a replacement of the current version.
    this.store.updateTask(task.id, {
      state: "draining",
      draining_since: Date.now(),
      reason: "restart requested through the API",
    });
    this.supervisor.poke();
    return true;
  }

  async status(ref: AppRef): Promise<InstanceStatus | undefined> {
    const rec = this.store.app(ref.service, ref.instance);
    if (!rec) return undefined;
    const app = rec.app;
    const all = this.store.tasks(ref.service, ref.instance);
    const live = all.filter((t) => !isTerminal(t.state));
    const versions = versionsOf(live, app, all, (t) => this.supervisor.isHappy(t, app));
    const desired = rec.removing ? 0 : app.replicas;
    const deployStatus = deployStatusOf(desired, versions);
    return {
      service: ref.service,
      instance: ref.instance,
      cluster: this.cluster,
      desired_state: app.desired_state,
      desired_instances: desired,
      bounce_method: app.config.bounce_method,
      deploy_status: deployStatus,
      deploy_status_message:
        deployStatus === "Running" || deployStatus === "Stopped" ? null : this.whyNotRunning(app, versions, all),
      versions,
      error_message: null,
    };
  }

  /** Words for a stuck or progressing bounce: new tasks happy, the last failure, a crash loop's backoff. */
  private whyNotRunning(app: DesiredApp, versions: VersionStatus[], all: TaskRecord[]): string {
    const current = versions.find((v) => v.desired);
    const parts = [
      `${current?.ready_replicas ?? 0}/${app.replicas} tasks of ${app.git_sha.slice(0, 8)} (${app.config_hash}) healthy`,
    ];
    const old = versions.filter((v) => !v.desired && v.replicas > 0);
    if (old.length > 0)
      parts.push(
        `old versions still running: ${old.map((v) => `${v.git_sha.slice(0, 8)} ${v.ready_replicas}/${v.replicas}`).join(", ")}`,
      );
    const failing = all
      .filter((t) => t.config_hash === app.config_hash && t.reason && (t.state === "failed" || t.failures > 0))
      .at(-1);
    if (failing?.reason) parts.push(`last problem: ${failing.reason}`);
    const backoff = this.supervisor.backoffOf(app.service, app.instance, app.config_hash);
    if (backoff && backoff.failures > 0) {
      parts.push(
        `crash loop: ${backoff.failures} failure(s)${backoff.waitMs > 0 ? `, next start in ${Math.ceil(backoff.waitMs / 1000)}s` : ""}`,
      );
    }
    return parts.join("; ");
  }

  /** The runtime's stream of the service: task output and lifecycle lines. */
  async readLogs(q: LogQuery): Promise<LogTail> {
    const { lines, offsets } = readLogs([this.log.pathOf(q.service)], q.filter, q.limit);
    return { lines, next: async () => readNew(offsets, q.filter) };
  }

  async close(): Promise<void> {
    await this.supervisor.close();
    this.store.close();
  }
}

function taskStatus(t: TaskRecord, restarts: number): TaskStatus {
  return {
    id: t.id,
    host: t.host,
    port: t.port,
    state: t.state,
    healthy: t.state === "healthy",
    restarts,
    started_at: t.started_at === null ? null : new Date(t.started_at).toISOString(),
    last_exit_code: t.last_exit_code,
    reason: t.reason,
    pid: t.pid,
  };
}

function versionsOf(
  live: TaskRecord[],
  app: DesiredApp,
  all: TaskRecord[] = live,
  happy: (t: TaskRecord) => boolean = (t) => t.state === "healthy",
): VersionStatus[] {
  const byHash = new Map<string, TaskRecord[]>();
  byHash.set(app.config_hash, []);
  for (const t of live) byHash.set(t.config_hash, [...(byHash.get(t.config_hash) ?? []), t]);
  const versions: VersionStatus[] = [];
  for (const [hash, tasks] of byHash) {
    if (tasks.length === 0 && hash !== app.config_hash) continue;
    const sample = tasks[0];
    const restarts = all.filter((t) => t.config_hash === hash && t.state === "failed").length;
    const running = tasks.filter((t) => t.state !== "draining");
    versions.push({
      git_sha: sample?.git_sha ?? app.git_sha,
      image_version: sample?.image_version ?? app.image_version,
      config_hash: hash,
      desired: hash === app.config_hash,
      replicas: running.length,
      ready_replicas: running.filter(happy).length,
      tasks: tasks.map((t) => taskStatus(t, restarts)),
    });
  }
  return versions.sort((a, b) => Number(b.desired) - Number(a.desired));
}
