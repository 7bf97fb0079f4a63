/**
 * Cross-job triggers (Tron's): an action with `trigger_downstreams` emits, when it succeeds, triggers named
 * `SERVICE.JOB.ACTION.KEY.VALUE` — `true` means `{shortdate: "{shortdate}"}`, the values expanded in its run's
 * context; an action with `triggered_by` waits until each of its triggers (expanded in its own run's context)
 * was emitted, at most `trigger_timeout` after its run's scheduled time. Emitted triggers are derived from the
 * records (an upstream attempt that succeeded), so nothing else is stored and a restart loses none.
 */
import type { ResolvedTronAction, ResolvedTronJob } from "../../config/types.js";
import { expandCommand } from "../tron-command.js";
import type { AttemptRecord, JobRef, RunRecord } from "./records.js";

function context(run: RunRecord, action: string) {
  return {
    time: new Date(run.scheduled_at),
    runid: `${run.service}.${run.job}.${run.run}`,
    name: `${run.service}.${run.job}`,
    actionname: action,
  };
}

/** The triggers an action emits when it succeeds in `run`. */
export function emitsOf(job: ResolvedTronJob, action: ResolvedTronAction, run: RunRecord): string[] {
  const d = action.trigger_downstreams;
  if (d === false) return [];
  const params: Readonly<Record<string, string>> = d === true ? { shortdate: "{shortdate}" } : d;
  return Object.entries(params).map(
    ([key, template]) =>
      `${job.service}.${job.name}.${action.name}.${key}.${expandCommand(template, context(run, action.name))}`,
  );
}

/** Every trigger a job's records show emitted (an action with trigger_downstreams that succeeded). */
export function emitted(
  job: ResolvedTronJob,
  runs: readonly RunRecord[],
  attempts: readonly AttemptRecord[],
): string[] {
  const out: string[] = [];
  const emitters = [...job.actions, ...(job.cleanup_action ? [job.cleanup_action] : [])].filter(
    (a) => a.trigger_downstreams !== false,
  );
  if (emitters.length === 0) return out;
  for (const run of runs) {
    for (const a of emitters) {
      if (attempts.some((x) => x.run === run.run && x.action === a.name && x.state === "succeeded"))
        out.push(...emitsOf(job, a, run));
    }
  }
  return out;
}

/** The triggers an action of `run` waits for. */
export function requiredBy(action: ResolvedTronAction, run: RunRecord): string[] {
  return action.triggered_by.map((t) => expandCommand(t, context(run, action.name)));
}

/** The jobs whose triggers a job waits for (the first two parts of each `triggered_by`). */
export function upstreamJobs(job: ResolvedTronJob): JobRef[] {
  const out = new Map<string, JobRef>();
  for (const a of [...job.actions, ...(job.cleanup_action ? [job.cleanup_action] : [])]) {
    for (const t of a.triggered_by) {
      const [service, name] = t.split(".");
      if (service && name) out.set(`${service}.${name}`, { service, job: name });
    }
  }
  return [...out.values()];
}
