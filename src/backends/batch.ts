/**
 * Batch work on a backend (the BatchRunner power): the runs of scheduled jobs and one-off runs. The records
 * (model/jobs/records.ts) live where the backend keeps state — the local runtime's SQLite store, or the Jobs
 * themselves on Kubernetes — and every record is created once under a unique key BEFORE anything is launched,
 * so that a restarted or second scheduler sees "exists" and never launches the same thing twice.
 */
import type { ResolvedInstanceConfig } from "../config/types.js";
import type { AttemptRecord, JobControl, JobRecords, JobRef, PinnedVersion, RunRecord } from "../model/jobs/records.js";

export interface RunRef extends JobRef {
  readonly run: number;
}

export interface AttemptRef extends RunRef {
  readonly action: string;
  readonly attempt: number;
}

/** One launch of one action of one run. */
export interface LaunchSpec extends AttemptRef {
  readonly cluster: string;
  readonly manual: boolean;
  /** The instance the action runs as: resources, env, volumes, namespace, registry (config/resolve/tron-action). */
  readonly config: ResolvedInstanceConfig;
  /** The command, its Tron context already expanded. */
  readonly command: string;
  /** What its deploy group ran when the run was created; null when nothing was deployed (it fails at once). */
  readonly version: PinnedVersion | null;
  /** Kubernetes: the Job's activeDeadlineSeconds (the local scheduler kills it itself). */
  readonly maxRuntimeSeconds: number | null;
  /** Set when it cannot run (nothing deployed, no longer configured): recorded as failed, nothing launched. */
  readonly fail?: string;
}

export type NewRun = Omit<RunRecord, "run" | "created_at" | "reported">;

/** Which jobs to read: all, one service's, one job, or a set of jobs. */
export interface JobFilter extends Partial<JobRef> {
  readonly jobs?: readonly JobRef[];
}

export interface JobRunStore {
  /**
   * The records of every job (or one service / job), brought up to date first: the local runtime reaps exited
   * processes and recovers interrupted launches; Kubernetes reads the Jobs.
   */
  read(filter?: JobFilter): Promise<JobRecords>;
  /** Records a run; undefined when one exists for that scheduled time already (never a second one). */
  createRun(run: NewRun): Promise<RunRecord | undefined>;
  /** Records the attempt, then launches it; false when it was recorded already (nothing is launched then). */
  startAttempt(spec: LaunchSpec): Promise<boolean>;
  /** Stops a live attempt; it ends failed with `reason`. A user's kill is not retried. */
  killAttempt(ref: AttemptRef, reason: string, byUser: boolean): Promise<void>;
  cancelRun(ref: RunRef, reason: string): Promise<void>;
  /** The run's end was announced (`job.run.finished`). */
  markReported(ref: RunRef): Promise<void>;
  deleteRun(ref: RunRef): Promise<void>;
  setControl(control: JobControl): Promise<void>;
  /** Called when an attempt this process launched ends (so the scheduler looks at once); returns unsubscribe. */
  onChange?(fn: () => void): () => void;
  /** Stops every live attempt (they end failed with `reason`). */
  stopAll?(reason: string): Promise<void>;
}

/** A one-off run of an instance (`paasta remote-run`): a task locally, a Job on Kubernetes. */
export interface OneOffSpec {
  readonly service: string;
  readonly instance: string;
  readonly cluster: string;
  readonly config: ResolvedInstanceConfig;
  readonly version: PinnedVersion;
  readonly user: string;
  /** It is stopped after this long. */
  readonly maxDurationSeconds: number;
}

export interface OneOffRecord {
  readonly id: string;
  readonly service: string;
  readonly instance: string;
  readonly user: string;
  readonly command: string;
  readonly state: "running" | "succeeded" | "failed";
  readonly started_at: number;
  readonly ended_at: number | null;
  readonly exit_code: number | null;
  readonly reason: string | null;
  readonly where: string | null;
}

export interface OneOffRuns {
  startOneOff(spec: OneOffSpec): Promise<OneOffRecord>;
  oneOffs(filter?: { service?: string; instance?: string }): Promise<OneOffRecord[]>;
  stopOneOff(id: string): Promise<boolean>;
  /** Output lines after `offset` (a count of lines already read), and the new offset; `note` when unreadable. */
  oneOffOutput(id: string, offset: number): Promise<{ lines: string[]; offset: number; note: string | null }>;
}

export type BatchStore = JobRunStore & OneOffRuns;

export type { AttemptRecord };
