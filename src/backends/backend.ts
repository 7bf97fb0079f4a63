/**
 * The backend contract: what the reconciler needs from a cluster, and nothing more. Like Nomad's driver
 * interface, optional powers are separate interfaces detected at run time.
 *
 * Semantics:
 * - `observe()` returns every app this platform manages on the cluster (our records / managed label only);
 *   anything else is invisible and never touched.
 * - `apply(app)` makes the cluster converge towards `app` and returns what it did: "unchanged" (nothing was
 *   written), "created", or "updated". It must be idempotent and must not wait for the rollout to finish;
 *   bounces progress over later passes (level-based).
 * - `remove(ref)` stops and forgets an app (drains per its drain method first where the backend can). It works
 *   without a prior `observe()` (a fresh process may remove what an earlier one created).
 * - `status(ref)` reports versions, replicas, health and why a bounce is stuck.
 * - `applyConcurrency`: how many apps a reconcile pass may apply at once on this backend.
 *
 * Optional powers (powers.ts) are detected by callers with the `can…` guards; no caller outside
 * src/backends tests `kind`, which is for messages only.
 */
import type { AppRef, DesiredApp } from "../model/app.js";
import type { DeployStatus, InstanceStatus, VersionStatus } from "../model/status.js";

export { type AppRef, appKey } from "../model/app.js";

/** One version of an app as it runs: identified by its config hash. */
export interface ObservedVersion {
  readonly git_sha: string;
  readonly image_version: string | null;
  readonly config_hash: string;
  readonly replicas: number;
  readonly ready_replicas: number;
}

export interface ObservedApp extends AppRef {
  readonly namespace?: string;
  /** The config hash of the version the backend is converging to. */
  readonly desired_config_hash: string | null;
  readonly desired_replicas: number;
  readonly versions: readonly ObservedVersion[];
}

export type ApplyResult = "created" | "updated" | "unchanged";

export type { DeployStatus, InstanceStatus, TaskState, TaskStatus, VersionStatus } from "../model/status.js";

export interface Backend {
  /** A short name for messages ("local", "kubernetes"); never branched on outside src/backends. */
  readonly kind: string;
  /** Apps a reconcile pass applies at the same time (in plan order). */
  readonly applyConcurrency: number;
  observe(): Promise<ObservedApp[]>;
  apply(app: DesiredApp): Promise<ApplyResult>;
  remove(ref: AppRef): Promise<void>;
  status(ref: AppRef, verbosity?: number): Promise<InstanceStatus | undefined>;
  close?(): Promise<void>;
}

export {
  canListMeshMembers,
  canReadMeshStatus,
  canRouteMesh,
  type MeshMembership,
  type MeshRouter,
  type MeshStatusReader,
} from "./mesh-powers.js";
export {
  type BatchRunner,
  type ChangeWatcher,
  canCacheState,
  canCleanupShared,
  canDeliverSecrets,
  canListStatuses,
  canReadLogs,
  canReadScaling,
  canReadUsage,
  canReportTaskExits,
  canRestartReplica,
  canRunBatch,
  canScaleReplicas,
  canStoreRecords,
  canWatchChanges,
  type LogQuery,
  type LogSource,
  type LogTail,
  type RecordStore,
  type ReplicaRestarter,
  type ReplicaScaler,
  type ReplicaUsage,
  type ScalingObservation,
  type ScalingReader,
  type SecretDelivery,
  type SecretReader,
  type SharedObjectCleanup,
  type StateCache,
  type StatusLister,
  type TaskExit,
  type TaskExitSource,
  type UsageReader,
} from "./powers.js";

/**
 * PaaSTA's bounce_status from an InstanceStatus (reference §7.6): Stopped when nothing should run and nothing
 * is ready; Waiting while ready replicas differ from desired; Deploying while the desired version has fewer
 * replicas than desired; else Running.
 */
export function deployStatusOf(
  desired: number,
  versions: readonly Pick<VersionStatus, "desired" | "replicas" | "ready_replicas">[],
): DeployStatus {
  const ready = versions.reduce((n, v) => n + v.ready_replicas, 0);
  const running = versions.reduce((n, v) => n + v.replicas, 0);
  if (desired === 0 && (ready === 0 || running === 0)) return "Stopped";
  const current = versions.find((v) => v.desired);
  if ((current?.ready_replicas ?? 0) < desired || versions.some((v) => !v.desired && v.replicas > 0)) {
    return (current?.replicas ?? 0) < desired ? "Deploying" : "Waiting";
  }
  if (ready !== desired) return "Waiting";
  return "Running";
}
