/**
 * Optional powers of a backend (like Nomad's separate driver interfaces): a caller detects each with its
 * `can…` guard and offers the feature only where the backend has it. Adding a power: an interface and a guard
 * here, an implementation in the backends that can, and callers that degrade clearly where it is absent.
 */
import type { LogFilter } from "../logs/reader.js";
import type { LogLine } from "../logs/writer.js";
import type { AppRef, DesiredApp } from "../model/app.js";
import type { InstanceStatus } from "../model/status.js";
import type { TaskSecrets } from "../secrets/task.js";
import type { BatchStore } from "./batch.js";

/** Restart one replica (a task, a pod): the backend replaces it with one of the current version. */
export interface ReplicaRestarter {
  restartReplica(ref: AppRef, replicaId: string): Promise<boolean>;
}

/**
 * Tell the reconciler when something it manages changed outside it (a hand edit, a pod that died), so a pass
 * runs at once instead of at the next resync. The watcher reconnects by itself; the returned function stops it.
 */
export interface ChangeWatcher {
  watchChanges(onChange: () => void, onError?: (e: unknown) => void): () => void;
}

export interface LogQuery {
  readonly service: string;
  readonly filter: LogFilter;
  /** At most this many of the latest lines. */
  readonly limit: number;
}

/** The latest lines, and a way to fetch what was written after them (for `paasta logs -f`). */
export interface LogTail {
  readonly lines: readonly LogLine[];
  next(): Promise<readonly LogLine[]>;
}

/** The output of an app's replicas (stdout/stderr) and the backend's own lifecycle lines. */
export interface LogSource {
  readLogs(q: LogQuery): Promise<LogTail>;
}

/**
 * Every managed instance's status in one sweep (a few list calls, whatever the instance count), for readers
 * that look at all of them every pass (the monitor). Without it, a caller asks `status(ref)` per instance.
 */
export interface StatusLister {
  listStatuses(): Promise<InstanceStatus[]>;
}

/**
 * Small durable records the control plane keeps beside what it manages (the monitor's alert state): a file
 * in the local state dir, a ConfigMap on Kubernetes. `writeRecord` replaces the whole record.
 */
export interface RecordStore {
  readRecord(name: string): Promise<string | undefined>;
  writeRecord(name: string, text: string): Promise<void>;
}

/**
 * A watched, in-memory copy of what the backend manages (Kubernetes: informers over the managed objects), so
 * that passes, status and checks read memory instead of making a request per instance. Hosts that run for a
 * while (`deployd`, `paasta api`) start it; one-shot commands do not, and read the cluster as before.
 */
export interface StateCache {
  /** Starts the copy in the background (list once, then watch); resolves once it is complete. Idempotent. */
  startCache(): Promise<void>;
  stopCache(): void;
  /** True once the copy is complete; until then `status`/`observe` read the cluster, and `cachedStatuses` is empty. */
  readonly cacheReady: boolean;
  /** The status of every managed instance, from memory (no request). */
  cachedStatuses(): InstanceStatus[];
  /** Called with the instance whose objects (workloads, pods, …) changed; returns the unsubscribe function. */
  onStateChange(fn: (ref: AppRef) => void): () => void;
}

/**
 * Set an autoscaled app's replica count now, without a bounce (the count is not part of the config hash): the
 * local autoscaler's decisions, and the API's POST …/autoscaler (PaaSTA's bespoke autoscaling). The count
 * holds until the next decision (or POST); the backend keeps it across restarts.
 */
export interface ReplicaScaler {
  /** False when the app is unknown (not applied yet). */
  scaleReplicas(ref: AppRef, replicas: number): Promise<boolean>;
}

/** Resource use of one running replica, as counters (a rate needs two readings). */
export interface ReplicaUsage {
  readonly service: string;
  readonly instance: string;
  readonly replica: string;
  /** Only replicas of the app's current version that are healthy are measured. */
  readonly config_hash: string;
  /** CPU time used so far (all processes of the replica), seconds. */
  readonly cpu_seconds: number;
  /** Resident memory now, bytes. */
  readonly memory_bytes: number;
  /** When it was read (ms since the epoch). */
  readonly at: number;
}

/** What each running replica uses (the local runtime: /proc or the container engine's stats): the local autoscaler's input. */
export interface UsageReader {
  readUsage(): Promise<ReplicaUsage[]>;
}

/** What the cluster's own autoscaler (Kubernetes: the HPA) says about an app, for status and the API. */
export interface ScalingObservation {
  /** Whether an autoscaler object is in place (none while paused, or for bespoke autoscaling). */
  readonly active: boolean;
  readonly current_replicas: number;
  readonly desired_replicas: number;
  /** Each metric's current value as the autoscaler sees it (utilisation as a fraction, or a raw value). */
  readonly metrics: ReadonlyArray<{ readonly type: string; readonly current: number | null }>;
}

export interface ScalingReader {
  readScaling(ref: AppRef): Promise<ScalingObservation | undefined>;
}

/** Where a backend gets secret values from (built by the host from soa-configs and the secrets provider). */
export interface SecretReader {
  /** SECRET(name) → plaintext of each secret the app refers to. */
  values(app: DesiredApp): Promise<ReadonlyMap<string, Uint8Array>>;
  /** A task's secret env values and secret volume files. */
  task(app: DesiredApp): Promise<TaskSecrets>;
}

/**
 * Delivers SECRET() values itself: the local runtime decrypts them at task start, Kubernetes keeps a Secret per
 * service secret. The host hands it the reader once; plaintexts never reach the state it stores.
 */
export interface SecretDelivery {
  useSecrets(reader: SecretReader): void;
}

/**
 * Objects a backend keeps per service rather than per app (Kubernetes: the Secrets of SECRET() values), removed
 * after a pass once no desired app and no running workload uses them; services in `keepServices` (left as they
 * run) are not touched. The reconcile calls it only when it may delete (the safety rails). Returns what it removed.
 */
export interface SharedObjectCleanup {
  cleanupShared(desired: readonly DesiredApp[], keepServices: ReadonlySet<string>): Promise<string[]>;
}

/**
 * Batch work (backends/batch.ts): job runs and one-off runs, recorded where the backend keeps its state. The
 * scheduler and the jobs API use it; `paasta up` and `paasta deployd` run the scheduler where it is present.
 */
export interface BatchRunner {
  batch(): BatchStore;
}

/** A replica of a long-running app that ended on its own (crashed, OOM-killed …), not one the backend stopped. */
export interface TaskExit {
  readonly service: string;
  readonly instance: string;
  readonly task: string;
  readonly exitCode: number | null;
  /** What the backend can tell: "exited with code 3", "OOMKilled: …". */
  readonly reason: string;
  readonly at: string;
}

/** How every backend words an exit the engine or the kubelet says was an OOM kill. */
export function oomKilledReason(exitCode: number | string | null): string {
  return `OOMKilled: exited with code ${exitCode ?? "unknown"} (it used more memory than its mem)`;
}

export function isOomKilled(reason: string): boolean {
  return reason.startsWith("OOMKilled:");
}

/** Reports task exits as they are noticed (the monitor's OOM check listens through the runtime's events). */
export interface TaskExitSource {
  /** Subscribes; returns the unsubscribe function. */
  onTaskExit(fn: (e: TaskExit) => void): () => void;
}

type Any = object;

export function canRestartReplica<B extends Any>(b: B): b is B & ReplicaRestarter {
  return typeof (b as Partial<ReplicaRestarter>).restartReplica === "function";
}

export function canWatchChanges<B extends Any>(b: B): b is B & ChangeWatcher {
  return typeof (b as Partial<ChangeWatcher>).watchChanges === "function";
}

export function canReadLogs<B extends Any>(b: B): b is B & LogSource {
  return typeof (b as Partial<LogSource>).readLogs === "function";
}

export function canListStatuses<B extends Any>(b: B): b is B & StatusLister {
  return typeof (b as Partial<StatusLister>).listStatuses === "function";
}

export function canStoreRecords<B extends Any>(b: B): b is B & RecordStore {
  return (
    typeof (b as Partial<RecordStore>).readRecord === "function" &&
    typeof (b as Partial<RecordStore>).writeRecord === "function"
  );
}

export function canCacheState<B extends Any>(b: B): b is B & StateCache {
  return typeof (b as Partial<StateCache>).startCache === "function";
}

export function canScaleReplicas<B extends Any>(b: B): b is B & ReplicaScaler {
  return typeof (b as Partial<ReplicaScaler>).scaleReplicas === "function";
}

export function canReadUsage<B extends Any>(b: B): b is B & UsageReader {
  return typeof (b as Partial<UsageReader>).readUsage === "function";
}

export function canReadScaling<B extends Any>(b: B): b is B & ScalingReader {
  return typeof (b as Partial<ScalingReader>).readScaling === "function";
}

export function canDeliverSecrets<B extends Any>(b: B): b is B & SecretDelivery {
  return typeof (b as Partial<SecretDelivery>).useSecrets === "function";
}

export function canCleanupShared<B extends Any>(b: B): b is B & SharedObjectCleanup {
  return typeof (b as Partial<SharedObjectCleanup>).cleanupShared === "function";
}

export function canReportTaskExits<B extends Any>(b: B): b is B & TaskExitSource {
  return typeof (b as Partial<TaskExitSource>).onTaskExit === "function";
}

export function canRunBatch<B extends Any>(b: B): b is B & BatchRunner {
  return typeof (b as Partial<BatchRunner>).batch === "function";
}
