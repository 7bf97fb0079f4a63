/** Derived run states → the wire shapes of the API (model/jobs/wire.ts). */
import { nextRuns } from "../../config/tron-schedule.js";
import type { ResolvedTronJob } from "../../config/types.js";
import type { JobControl, JobRecords } from "../../model/jobs/records.js";
import type { ActionView, RunView } from "../../model/jobs/state.js";
import type { ActionRunWire, JobDetailWire, JobSummaryWire, RunWire } from "../../model/jobs/wire.js";
import { scheduleWords } from "../../model/jobs/words.js";
import type { LoadedJob } from "./configs.js";
import { decide } from "./decide.js";
import { actionOf } from "./specs.js";

const iso = (t: number | null | undefined) => (t === null || t === undefined ? null : new Date(t).toISOString());
const seconds = (a: number | null, b: number | null, now: number) =>
  a === null ? null : Math.round(((b ?? now) - a) / 100) / 10;

function actionWire(job: ResolvedTronJob | undefined, a: ActionView, now: number): ActionRunWire {
  const first = a.attempts[0];
  const last = a.attempts.at(-1);
  const ended = last && (last.state === "succeeded" || last.state === "failed") ? last.ended_at : null;
  return {
    name: a.name,
    cleanup: a.cleanup,
    state: a.state,
    why: a.why,
    attempts: a.attempts.length,
    retries: (job && actionOf(job, a.name)?.retries) ?? 0,
    exit_code: last?.exit_code ?? null,
    started_at: iso(first?.started_at),
    ended_at: iso(ended),
    duration_s: seconds(first?.started_at ?? null, ended, now),
    where: last?.where ?? null,
  };
}

export function runWire(job: ResolvedTronJob | undefined, v: RunView, now: number): RunWire {
  const r = v.record;
  return {
    id: `${r.service}.${r.job}.${r.run}`,
    service: r.service,
    job: r.job,
    run: r.run,
    scheduled_at: new Date(r.scheduled_at).toISOString(),
    manual: r.manual,
    state: v.state,
    why: v.why,
    started_at: iso(v.started_at),
    ended_at: iso(v.ended_at),
    duration_s: seconds(v.started_at, v.ended_at, now),
    actions: v.actions.map((a) => actionWire(job, a, now)),
  };
}

export function effectiveEnabled(job: ResolvedTronJob | undefined, control: JobControl | undefined): boolean {
  return control ? control.enabled : (job?.enabled ?? false);
}

/** Every run's view, newest first (the scheduler's own decision, so status says what the scheduler will do). */
export function runViews(
  loaded: LoadedJob,
  records: JobRecords,
  now: number,
  triggers: ReadonlySet<string> = new Set(),
): RunView[] {
  const job = loaded.config;
  if (!job) return [];
  const control = records.controls.find((c) => c.service === loaded.service && c.job === loaded.job);
  return [
    ...decide({
      job,
      enabled: effectiveEnabled(job, control),
      enabledSince: control?.enabled ? control.since : null,
      runs: records.runs.filter((r) => r.service === loaded.service && r.job === loaded.job),
      attempts: records.attempts.filter((a) => a.service === loaded.service && a.job === loaded.job),
      now,
      triggers,
    }).views,
  ];
}

export function summaryWire(
  loaded: LoadedJob,
  records: JobRecords,
  now: number,
  triggers: ReadonlySet<string> = new Set(),
  last = 5,
): JobSummaryWire {
  const job = loaded.config;
  const control = records.controls.find((c) => c.service === loaded.service && c.job === loaded.job);
  const enabled = effectiveEnabled(job, control);
  const views = runViews(loaded, records, now, triggers);
  return {
    service: loaded.service,
    job: loaded.job,
    schedule: job
      ? {
          type: job.schedule.type,
          value: job.schedule.value,
          words: scheduleWords(job.schedule, job.time_zone),
          time_zone: job.time_zone,
        }
      : null,
    enabled,
    control: control ? { enabled: control.enabled, since: new Date(control.since).toISOString() } : null,
    config_error: loaded.problems.length > 0 ? loaded.problems.join("; ") : null,
    next_runs:
      job && enabled ? nextRuns(job.schedule, job.time_zone, 3, new Date(now)).map((d) => d.toISOString()) : [],
    last_runs: views.slice(0, last).map((v) => ({
      run: v.record.run,
      state: v.state,
      scheduled_at: new Date(v.record.scheduled_at).toISOString(),
      ended_at: iso(v.ended_at),
      manual: v.record.manual,
    })),
  };
}

export function detailWire(
  loaded: LoadedJob,
  records: JobRecords,
  now: number,
  triggers: ReadonlySet<string> = new Set(),
): JobDetailWire {
  const job = loaded.config;
  const actions = job ? [...job.actions, ...(job.cleanup_action ? [job.cleanup_action] : [])] : [];
  return {
    ...summaryWire(loaded, records, now, triggers),
    queueing: job?.queueing ?? null,
    allow_overlap: job?.allow_overlap ?? null,
    run_limit: job?.run_limit ?? null,
    actions: actions.map((a) => ({
      name: a.name,
      cleanup: a === job?.cleanup_action,
      command: a.command,
      requires: [...a.requires],
      retries: a.retries,
      retries_delay_s: a.retries_delay_seconds,
      expected_runtime_s: a.expected_runtime_seconds,
      max_runtime_s: a.max_runtime_seconds,
      deploy_group: a.deploy_group,
    })),
    runs: runViews(loaded, records, now, triggers).map((v) => runWire(job, v, now)),
  };
}
