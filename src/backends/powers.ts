/**
 * Optional powers of a backend (like Nomad's separate driver interfaces): a caller detects each with its
 * `can…` guard and offers the feature only where the backend has it. Adding a power: an interface and a guard
 * here, an implementation in the backends that can, and callers that degrade clearly where it is absent.
 */
import type { LogFilter } from "../logs/reader.js";
import type { LogLine } from "../logs/writer.js";
import type { AppRef } from "../model/app.js";
import type { InstanceStatus } from "../model/status.js";
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
 * Batch work (backends/batch.ts): job runs and one-off runs, recorded where the backend keeps its state. The
 * scheduler and the jobs API use it; `paasta up` and `paasta deployd` run the scheduler where it is present.
 */
export interface BatchRunner {
  batch(): BatchStore;
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

export function canRunBatch<B extends Any>(b: B): b is B & BatchRunner {
  return typeof (b as Partial<BatchRunner>).batch === "function";
}
