/**
 * The `local` backend: the embedded single-machine runtime. Apps are stored in SQLite; the supervisor makes
 * the processes (or containers) follow them. `apply` only records the desired app and returns at once: the
 * bounce proceeds over the following ticks.
 */
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { DEFAULTS } from "../../config/resolve/defaults.js";
import { readLogs, readNew } from "../../logs/reader.js";
import type { DesiredApp } from "../../model/app.js";
import type { DesiredRoute, MeshMember, ObservedRoute } from "../../model/mesh.js";
import type {
  ApplyResult,
  AppRef,
  Backend,
  InstanceStatus,
  LogQuery,
  LogSource,
  LogTail,
  ObservedApp,
  RecordStore,
  ReplicaRestarter,
  ReplicaScaler,
  ReplicaUsage,
  SecretDelivery,
  SecretReader,
  StatusLister,
  TaskExit,
  TaskExitSource,
  UsageReader,
} from "../backend.js";
import type { BatchStore } from "../batch.js";
import type { MeshMembership, MeshRouter } from "../mesh-powers.js";
import type { BatchRunner } from "../powers.js";
import type { AdoptionResult } from "./adoption.js";
import type { MeshDrainer } from "./drain.js";
import type { Executor } from "./executors/executor.js";
import { type DiskUse, Housekeeper, type HousekeepingReport, type Retention } from "./housekeeping.js";
import { LocalBatch } from "./jobs/index.js";
import { LocalMesh } from "./mesh.js";
import { OwnerLock } from "./owner-lock.js";
import { FileRecords } from "./records.js";
import { RuntimeLog } from "./runtime-log.js";
import { instanceStatus, observedApps } from "./status.js";
import { isTerminal, Store } from "./store.js";
import { Supervisor } from "./supervisor.js";

export interface LocalBackendOptions {
  readonly cluster: string;
  readonly stateDir: string;
  readonly executor: (stateDir: string) => Executor;
  readonly inheritEnv?: NodeJS.ProcessEnv;
  readonly tickMs?: number;
  readonly portRange?: readonly [number, number];
  /** What housekeeping keeps (default: the system config's defaults, DEFAULTS.local_*). */
  readonly retention?: Retention;
  /** How often housekeeping runs while supervising (default 60 s). */
  readonly housekeepingMs?: number;
  /** drain_method hacheck through the local proxy (the host gives it; without it hacheck drains as noop). */
  readonly meshDrainer?: MeshDrainer;
}

const HOUSEKEEPING_MS = 60_000;

export class LocalBackend
  implements
    Backend,
    ReplicaRestarter,
    LogSource,
    RecordStore,
    StatusLister,
    ReplicaScaler,
    UsageReader,
    SecretDelivery,
    MeshRouter,
    MeshMembership,
    BatchRunner,
    TaskExitSource
{
  readonly kind = "local";
  /** Applying only records the app; the supervisor does the work. */
  readonly applyConcurrency = 1;
  readonly store: Store;
  readonly log: RuntimeLog;
  readonly supervisor: Supervisor;
  readonly runtimeId: string;
  readonly cluster: string;
  /** Mesh routes and members (the proxy component serves them). */
  readonly mesh: LocalMesh;
  readonly stateDir: string;
  private batchStore: LocalBatch | undefined;
  private readonly records: FileRecords;
  private readonly executor: Executor;
  private readonly housekeeper: Housekeeper;
  private readonly housekeepingMs: number;
  private housekeeping: Promise<HousekeepingReport | undefined> | undefined;
  private housekeepTimer: NodeJS.Timeout | undefined;
  /** Held while this backend supervises (from start to close). */
  private lock: OwnerLock | undefined;

  constructor(private readonly o: LocalBackendOptions) {
    this.cluster = o.cluster;
    this.stateDir = o.stateDir;
    this.records = new FileRecords(join(o.stateDir, "records"));
    this.store = new Store(o.stateDir);
    let id = this.store.meta("runtime_id");
    if (!id) {
      id = randomUUID();
      this.store.setMeta("runtime_id", id);
    }
    this.runtimeId = id;
    this.log = new RuntimeLog(join(o.stateDir, "logs"), o.cluster);
    this.mesh = new LocalMesh(this.store);
    this.executor = o.executor(o.stateDir);
    this.supervisor = new Supervisor({
      store: this.store,
      executor: this.executor,
      log: this.log,
      runtimeId: id,
      stateDir: o.stateDir,
      inheritEnv: o.inheritEnv,
      tickMs: o.tickMs,
      portRange: o.portRange,
      onChange: () => this.mesh.emit(),
      meshDrainer: o.meshDrainer,
    });
    this.housekeepingMs = o.housekeepingMs ?? HOUSEKEEPING_MS;
    this.housekeeper = new Housekeeper({
      stateDir: o.stateDir,
      store: this.store,
      log: this.log,
      executor: this.executor,
      runtimeId: id,
      retention: o.retention ?? {
        historyDays: DEFAULTS.local_history_days,
        keepVersions: DEFAULTS.local_keep_versions,
      },
    });
  }

  observeRoutes(): Promise<ObservedRoute[]> {
    return this.mesh.observeRoutes();
  }
  applyRoute(route: DesiredRoute): Promise<ApplyResult> {
    return this.mesh.applyRoute(route);
  }
  removeRoute(route: ObservedRoute): Promise<void> {
    return this.mesh.removeRoute(route);
  }
  meshRoutes(): DesiredRoute[] {
    return this.mesh.meshRoutes();
  }
  meshMembers(): MeshMember[] {
    return this.mesh.meshMembers();
  }
  registrationsOf(ref: AppRef): readonly string[] | undefined {
    return this.mesh.registrationsOf(ref);
  }
  onMeshChange(fn: () => void): () => void {
    return this.mesh.onMeshChange(fn);
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
      secrets: () => this.supervisor.secrets,
    });
    return this.batchStore;
  }

  /**
   * Becomes the state dir's one owner (else PAASTA_STATE_DIR_LOCKED naming the holder), re-adopts running tasks
   * and starts supervising.
   */
  async start(): Promise<AdoptionResult> {
    this.lock ??= OwnerLock.acquire(this.stateDir);
    const r = await this.supervisor.adopt();
    this.supervisor.start();
    void this.housekeep(); // in the background: a large state dir must not delay the start
    return r;
  }

  /** One housekeeping run now (then one every housekeepingMs while supervising). */
  async housekeep(): Promise<HousekeepingReport | undefined> {
    if (this.housekeeping) return this.housekeeping;
    clearTimeout(this.housekeepTimer);
    this.housekeeping = this.housekeeper
      .run()
      .then((r) => {
        const removed = r.tasksPruned + r.taskDirsRemoved + r.checkoutsRemoved + r.logsRemoved + r.orphansStopped;
        if (removed > 0) this.log.write({ ...RUNTIME, component: "task_lifecycle", message: describeRun(r) });
        return r;
      })
      .catch((e: unknown) => {
        this.log.write({ ...RUNTIME, component: "task_lifecycle", level: "debug", message: `housekeeping: ${e}` });
        return undefined;
      })
      .finally(() => {
        this.housekeeping = undefined;
        if (this.lock) this.housekeepTimer = setTimeout(() => void this.housekeep(), this.housekeepingMs).unref();
      });
    return this.housekeeping;
  }

  /** The disk use of the state dir at the last housekeeping run (for /metrics and health). */
  get diskUse(): DiskUse | undefined {
    return this.housekeeper.lastReport?.disk;
  }

  async observe(): Promise<ObservedApp[]> {
    return observedApps(this.store);
  }

  async apply(app: DesiredApp): Promise<ApplyResult> {
    const current = this.store.app(app.service, app.instance);
    if (current && !current.removing && JSON.stringify(current.app) === JSON.stringify(app)) return "unchanged";
    this.store.putApp(app);
    // No longer autoscaled: the autoscaler's count goes (a later autoscaled config starts from min_instances).
    if (current?.scaled != null && !app.config.autoscaled) this.store.setScaled(app.service, app.instance, null);
    this.supervisor.poke();
    return current && !current.removing ? "updated" : "created";
  }

  /** An autoscaler's count: recorded beside the app (no bounce), followed by the supervisor's next tick. */
  async scaleReplicas(ref: AppRef, replicas: number): Promise<boolean> {
    const rec = this.store.app(ref.service, ref.instance);
    if (!rec || rec.removing) return false;
    if (rec.scaled !== replicas) {
      this.store.setScaled(ref.service, ref.instance, Math.max(0, Math.round(replicas)));
      this.supervisor.poke();
    }
    return true;
  }

  /** CPU time and memory of the healthy tasks of each app's current version (the executor measures them). */
  async readUsage(): Promise<ReplicaUsage[]> {
    const current = new Map(this.store.apps().map((a) => [`${a.service}.${a.instance}`, a.app.config_hash]));
    const tasks = this.store
      .liveTasks()
      .filter((t) => t.state === "healthy" && current.get(`${t.service}.${t.instance}`) === t.config_hash);
    const at = Date.now();
    const usage = (await this.supervisor.executorUsage(tasks)) ?? new Map();
    return tasks.flatMap((t) => {
      const u = usage.get(t.id);
      return u
        ? [{ service: t.service, instance: t.instance, replica: t.id, config_hash: t.config_hash, at, ...u }]
        : [];
    });
  }

  useSecrets(reader: SecretReader): void {
    this.supervisor.useSecrets(reader);
  }

  onTaskExit(fn: (e: TaskExit) => void): () => void {
    return this.supervisor.onTaskExit(fn);
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
    return instanceStatus(this.store, this.cluster, this.supervisor, ref, (tasks) =>
      this.executor.servicePids ? this.executor.servicePids(tasks) : new Map(),
    );
  }

  /** Every app's status as `status` gives it, with one look for the services' PIDs (the monitor, the dashboard). */
  async listStatuses(): Promise<InstanceStatus[]> {
    const pids = this.executor.servicePids ? this.executor.servicePids(this.store.liveTasks()) : new Map();
    return this.store
      .apps()
      .flatMap((rec) => instanceStatus(this.store, this.cluster, this.supervisor, rec, () => pids) ?? []);
  }

  /** The runtime's stream of the service: task output and lifecycle lines. */
  async readLogs(q: LogQuery): Promise<LogTail> {
    const { lines, offsets } = readLogs([this.log.pathOf(q.service)], q.filter, q.limit);
    return { lines, next: async () => readNew(offsets, q.filter) };
  }

  readRecord(name: string): Promise<string | undefined> {
    return this.records.read(name);
  }

  writeRecord(name: string, text: string): Promise<void> {
    return this.records.write(name, text);
  }

  async close(): Promise<void> {
    const lock = this.lock;
    this.lock = undefined; // no further housekeeping runs
    clearTimeout(this.housekeepTimer);
    await this.housekeeping;
    await this.supervisor.close();
    this.store.close();
    lock?.release();
  }
}

const RUNTIME = { service: "paasta", instance: "runtime" } as const;

function describeRun(r: HousekeepingReport): string {
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `Housekeeping: ${r.tasksPruned} old task(s) forgotten, ${r.taskDirsRemoved} task dir(s) and ${r.checkoutsRemoved} checkout(s) deleted, ${r.logsRemoved} old log(s) deleted, ${r.orphansStopped} orphan(s) stopped; state dir ${mb(r.disk.total)}`;
}
