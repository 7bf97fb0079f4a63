/**
 * Optional powers of a backend (like Nomad's separate driver interfaces): a caller detects each with its
 * `can…` guard and offers the feature only where the backend has it. Adding a power: an interface and a guard
 * here, an implementation in the backends that can, and callers that degrade clearly where it is absent.
 */
import type { LogFilter } from "../logs/reader.js";
import type { LogLine } from "../logs/writer.js";
import type { AppRef } from "../model/app.js";
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

export function canRunBatch<B extends Any>(b: B): b is B & BatchRunner {
  return typeof (b as Partial<BatchRunner>).batch === "function";
}
