/**
 * Carrying out one job's decision against the backend's records: runs are recorded (a run that exists already
 * is simply there), attempts recorded then launched, kills, announcements (`job.run.finished` once per run,
 * `job.action.overdue` once per attempt in this process), pruning. Returns when to look at the job again.
 */
import type { BatchStore } from "../../backends/batch.js";
import { isLive, type JobRecords, jobKey } from "../../model/jobs/records.js";
import type { RuntimeContext } from "../context.js";
import type { LoadedJob } from "./configs.js";
import type { Decision, JobSituation } from "./decide.js";
import type { JobMetrics } from "./metrics.js";
import { lastSuccess, launchSpec, newRun } from "./specs.js";
import { effectiveEnabled } from "./views.js";

export interface ApplyContext {
  readonly ctx: RuntimeContext;
  readonly store: BatchStore;
  readonly metrics: JobMetrics;
  /** Overdue reports already made (run.action.attempt keys). */
  readonly seen: Set<string>;
  /** How soon a job with something running is looked at again (ms). */
  readonly pollMs: number;
  readonly decide: (s: JobSituation) => Decision;
}

export interface Applied {
  /** Something was recorded: decide again at once (a new run starts in the same tick). */
  readonly changed: boolean;
  /** Something of it runs (an attempt's end is worth a look at once). */
  readonly busy: boolean;
  readonly wakeAt: number;
}

export function situation(
  l: LoadedJob,
  records: JobRecords,
  now: number,
  triggers: ReadonlySet<string> = new Set(),
): JobSituation | undefined {
  const job = l.config;
  if (!job) return undefined;
  const control = records.controls.find((c) => c.service === l.service && c.job === l.job);
  return {
    job,
    enabled: effectiveEnabled(job, control),
    enabledSince: control?.enabled ? control.since : null,
    runs: records.runs.filter((r) => r.service === l.service && r.job === l.job),
    attempts: records.attempts.filter((a) => a.service === l.service && a.job === l.job),
    now,
    triggers,
  };
}

export async function applyIntents(
  a: ApplyContext,
  l: LoadedJob,
  records: JobRecords,
  now: number,
  triggers: ReadonlySet<string> = new Set(),
): Promise<Applied> {
  const s = situation(l, records, now, triggers);
  if (!s) return { changed: false, busy: false, wakeAt: Number.POSITIVE_INFINITY };
  const job = s.job;
  const d = a.decide(s);
  let changed = false;
  const base = { service: l.service, cluster: a.ctx.cluster, job: l.job, at: new Date(now).toISOString() };
  for (const i of d.intents) {
    const runOf = (n: number) => s.runs.find((r) => r.run === n);
    switch (i.kind) {
      case "create-run":
        await a.store.createRun(newRun(job, l.versions, { ...i, manual: false }));
        changed = true;
        break;
      case "start-attempt": {
        const run = runOf(i.run);
        if (!run) break;
        const first = !s.attempts.some((x) => x.run === i.run);
        const spec = launchSpec(job, run, i.action, i.attempt, {
          manual: false,
          lastSuccess: lastSuccess(s.runs, s.attempts, run),
        });
        if ((await a.store.startAttempt(spec)) && first && !run.manual)
          a.metrics.startDelay.observe(Math.max(0, Date.now() - run.scheduled_at) / 1000);
        changed = true;
        break;
      }
      case "kill-attempt":
        await a.store.killAttempt({ service: l.service, job: l.job, ...i }, i.reason, false);
        changed = true;
        break;
      case "overdue": {
        const key = `${jobKey(l)}.${i.run}.${i.action}.${i.attempt}`;
        if (a.seen.has(key)) break;
        a.seen.add(key);
        a.ctx.events.emit("job.action.overdue", {
          ...base,
          instance: i.action ? `${l.job}.${i.action}` : l.job,
          run: i.run,
          action: i.action,
          expected_runtime_seconds: i.expected_seconds,
          running_seconds: i.running_seconds,
        });
        break;
      }
      case "run-finished":
        await a.store.markReported({ service: l.service, job: l.job, run: i.run });
        a.metrics.finished.inc({ state: i.state });
        a.ctx.events.emit("job.run.finished", {
          ...base,
          instance: l.job,
          run: i.run,
          state: i.state,
          failed_actions: i.failed,
          manual: runOf(i.run)?.manual ?? false,
        });
        break;
      case "prune-run":
        await a.store.deleteRun({ service: l.service, job: l.job, run: i.run });
        break;
    }
  }
  const busy = s.attempts.some(isLive) || changed;
  const wakeAt = Math.min(d.wakeAt ?? Number.POSITIVE_INFINITY, busy ? now + a.pollMs : Number.POSITIVE_INFINITY);
  return { changed, busy, wakeAt };
}
