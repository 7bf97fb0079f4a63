/**
 * Jobs and runs on the wire (API, CLI, dashboard): zod is the source, the TS types are inferred. Times are ISO
 * 8601 strings, durations seconds. `JobsApi` is what the API's job routes are given by the host (the scheduler
 * in `paasta up`, a reader of the cluster in `paasta api`).
 */
import { z } from "@hono/zod-openapi";

export const ActionStateWire = z
  .enum(["scheduled", "waiting", "running", "succeeded", "failed", "cancelled", "skipped"])
  .openapi("ActionState");
export const RunStateWire = z
  .enum(["scheduled", "running", "succeeded", "failed", "cancelled", "skipped"])
  .openapi("RunState");

export const ScheduleWire = z
  .object({
    type: z.string(),
    value: z.string(),
    /** "every day at 04:00:00 (UTC)" */
    words: z.string(),
    time_zone: z.string(),
  })
  .openapi("JobSchedule");

export const ActionRunWire = z
  .object({
    name: z.string(),
    cleanup: z.boolean(),
    state: ActionStateWire,
    why: z.string().nullable(),
    /** Launches so far (the first one and its retries). */
    attempts: z.number().int(),
    retries: z.number().int(),
    exit_code: z.number().int().nullable(),
    started_at: z.string().nullable(),
    ended_at: z.string().nullable(),
    duration_s: z.number().nullable(),
    where: z.string().nullable(),
  })
  .openapi("ActionRun");

export const RunWire = z
  .object({
    /** SERVICE.JOB.RUN */
    id: z.string(),
    service: z.string(),
    job: z.string(),
    run: z.number().int(),
    scheduled_at: z.string(),
    manual: z.boolean(),
    state: RunStateWire,
    why: z.string().nullable(),
    started_at: z.string().nullable(),
    ended_at: z.string().nullable(),
    duration_s: z.number().nullable(),
    actions: z.array(ActionRunWire),
  })
  .openapi("JobRun");

export const RunBriefWire = RunWire.pick({ run: true, state: true, scheduled_at: true, ended_at: true, manual: true });

export const JobSummaryWire = z
  .object({
    service: z.string(),
    job: z.string(),
    schedule: ScheduleWire.nullable(),
    /** Scheduling is on: the config's `enabled`, unless a user disabled (or enabled) it. */
    enabled: z.boolean(),
    /** A user's `disable`/`enable` overrides the config since this time. */
    control: z.object({ enabled: z.boolean(), since: z.string() }).nullable(),
    /** Why the current config cannot be used; the job runs its last good definition meanwhile. */
    config_error: z.string().nullable(),
    next_runs: z.array(z.string()),
    last_runs: z.array(RunBriefWire),
  })
  .openapi("JobSummary");

export const ActionConfigWire = z.object({
  name: z.string(),
  cleanup: z.boolean(),
  command: z.string(),
  requires: z.array(z.string()),
  retries: z.number().int(),
  retries_delay_s: z.number(),
  expected_runtime_s: z.number().nullable(),
  max_runtime_s: z.number().nullable(),
  deploy_group: z.string().nullable(),
});

export const JobDetailWire = JobSummaryWire.extend({
  queueing: z.boolean().nullable(),
  allow_overlap: z.boolean().nullable(),
  run_limit: z.number().int().nullable(),
  actions: z.array(ActionConfigWire),
  runs: z.array(RunWire),
}).openapi("Job");

export const JobVerb = z.enum(["start", "rerun", "retry", "cancel", "kill", "disable", "enable"]).openapi("JobVerb");

export const VerbResultWire = z
  .object({ target: z.string(), verb: JobVerb, message: z.string(), run: RunWire.nullable() })
  .openapi("JobVerbResult");

export const OneOffWire = z
  .object({
    id: z.string(),
    service: z.string(),
    instance: z.string(),
    user: z.string(),
    command: z.string(),
    state: z.enum(["running", "succeeded", "failed"]),
    started_at: z.string(),
    ended_at: z.string().nullable(),
    exit_code: z.number().int().nullable(),
    reason: z.string().nullable(),
    where: z.string().nullable(),
  })
  .openapi("OneOffRun");

export const OneOffOutputWire = z
  .object({ run: OneOffWire, lines: z.array(z.string()), offset: z.number().int(), note: z.string().nullable() })
  .openapi("OneOffRunOutput");

export type ActionRunWire = z.infer<typeof ActionRunWire>;
export type RunWire = z.infer<typeof RunWire>;
export type JobSummaryWire = z.infer<typeof JobSummaryWire>;
export type JobDetailWire = z.infer<typeof JobDetailWire>;
export type JobVerb = z.infer<typeof JobVerb>;
export type VerbResultWire = z.infer<typeof VerbResultWire>;
export type OneOffWire = z.infer<typeof OneOffWire>;
export type OneOffOutputWire = z.infer<typeof OneOffOutputWire>;

/** A verb's target: a job, one of its runs, or one action of a run. */
export interface JobTarget {
  readonly service: string;
  readonly job: string;
  readonly run?: number;
  readonly action?: string;
}

/** What the API's job and remote-run routes are given. */
export interface JobsApi {
  list(): Promise<JobSummaryWire[]>;
  job(service: string, job: string): Promise<JobDetailWire>;
  run(service: string, job: string, run: number): Promise<RunWire>;
  verb(target: JobTarget, verb: JobVerb): Promise<VerbResultWire>;
  startOneOff(o: {
    service: string;
    instance: string;
    cmd?: string;
    user: string;
    maxDurationSeconds?: number;
  }): Promise<OneOffWire>;
  oneOffs(service?: string): Promise<OneOffWire[]>;
  oneOff(id: string, offset: number): Promise<OneOffOutputWire>;
  stopOneOff(id: string): Promise<OneOffWire>;
}
