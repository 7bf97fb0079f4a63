/**
 * What is recorded about job runs, the same on every backend (local: SQLite rows; Kubernetes: Jobs, their
 * labels and annotations): a run per scheduled time (or manual start), an attempt per launch of an action.
 * Records are created once, under a unique key, BEFORE anything is launched; everything else (an action's
 * state, why it waits, whether the run succeeded) is derived from them by `state.ts`.
 */

/** What a deploy group ran when a run was created: the run keeps it (new code is for the next run). */
export interface PinnedVersion {
  readonly git_sha: string;
  readonly image_version: string | null;
  /** `services-S:paasta-SHA[-IV]` (relative to the registry). */
  readonly docker_image: string;
  readonly image_url: string | null;
  readonly git_url: string | null;
}

export interface JobRef {
  readonly service: string;
  readonly job: string;
}

export function jobKey(j: JobRef): string {
  return `${j.service}.${j.job}`;
}

export type RunRecordState = "pending" | "skipped" | "cancelled";

export interface RunRecord extends JobRef {
  /** Local: 1, 2, 3 …; Kubernetes: the scheduled time in Unix seconds (deterministic without a database). */
  readonly run: number;
  /** The scheduled time (ms), or the time of a manual start; the command context's `{shortdate}` etc. */
  readonly scheduled_at: number;
  /** Started by a user (start, rerun), not by the schedule. */
  readonly manual: boolean;
  /** pending: runs or will run; skipped: recorded but never run; cancelled: by a user. */
  readonly state: RunRecordState;
  readonly reason: string | null;
  readonly created_at: number;
  /** Deploy group → the version its actions run. */
  readonly versions: Readonly<Record<string, PinnedVersion>>;
  /** The run's actions and what each requires, as configured when it was created (a later edit is for later runs). */
  readonly dag: Readonly<Record<string, readonly string[]>>;
  /** The cleanup action's name, when the job has one. */
  readonly cleanup: string | null;
  /** Its end was announced (`job.run.finished`): announced once, even across restarts. */
  readonly reported: boolean;
}

export type AttemptState = "starting" | "running" | "succeeded" | "failed";

export interface AttemptRecord extends JobRef {
  readonly run: number;
  readonly action: string;
  /** 1 for the first launch, 2 for the first retry … */
  readonly attempt: number;
  /** starting: recorded, launch under way (or interrupted: recovered on restart, never "unknown"). */
  readonly state: AttemptState;
  readonly started_at: number | null;
  readonly ended_at: number | null;
  readonly exit_code: number | null;
  /** Why it ended when that is not just its exit code (killed, exceeded max_runtime, lost …). */
  readonly reason: string | null;
  /** Killed by a user: not retried. */
  readonly killed: boolean;
  /** Launched by a user's `retry`. */
  readonly manual: boolean;
  /** Where it runs, for status: `pid 1234`, a container id, a Job name. */
  readonly where: string | null;
}

/** A user's enable/disable of a job (`tronctl disable`), over the config's `enabled`. */
export interface JobControl extends JobRef {
  readonly enabled: boolean;
  /** When it was set (ms): an enabled job schedules times after it, never the ones it was disabled for. */
  readonly since: number;
}

/** Everything recorded about some jobs' runs. */
export interface JobRecords {
  readonly runs: readonly RunRecord[];
  readonly attempts: readonly AttemptRecord[];
  readonly controls: readonly JobControl[];
}

export function isLive(a: Pick<AttemptRecord, "state">): boolean {
  return a.state === "starting" || a.state === "running";
}

/** Attempts of one run, grouped by action, each list in attempt order. */
export function attemptsByAction(attempts: readonly AttemptRecord[], run: number): Map<string, AttemptRecord[]> {
  const out = new Map<string, AttemptRecord[]>();
  for (const a of attempts) {
    if (a.run !== run) continue;
    const list = out.get(a.action) ?? [];
    list.push(a);
    out.set(a.action, list);
  }
  for (const list of out.values()) list.sort((x, y) => x.attempt - y.attempt);
  return out;
}

/** Records grouped by job (SERVICE.JOB), so that a pass over many jobs reads each job's share directly. */
export function byJob(r: JobRecords): Map<string, JobRecords> {
  const out = new Map<string, { runs: RunRecord[]; attempts: AttemptRecord[]; controls: JobControl[] }>();
  const of = (j: JobRef) => {
    const k = jobKey(j);
    let g = out.get(k);
    if (!g) {
      g = { runs: [], attempts: [], controls: [] };
      out.set(k, g);
    }
    return g;
  };
  for (const x of r.runs) of(x).runs.push(x);
  for (const x of r.attempts) of(x).attempts.push(x);
  for (const x of r.controls) of(x).controls.push(x);
  return out;
}

export const NO_RECORDS: JobRecords = { runs: [], attempts: [], controls: [] };
