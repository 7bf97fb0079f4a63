/**
 * The scheduling decision for one job, pure: from the job's config, its records and the time, what to do now.
 *
 * - Scheduled times after the last recorded one become runs, each exactly once: a time is recorded as a run
 *   (pending) when the scheduler sees it within `start_grace_seconds`, else as skipped (missed while the
 *   scheduler was down); with `allow_overlap: false` and `queueing: false`, a time that comes while a run is
 *   unfinished is skipped too. Nothing before the first time a job is seen (or re-enabled) is scheduled.
 * - Pending runs start in order: with `allow_overlap: false` one at a time (the others queue); manual runs
 *   start at once. In a started run, each action whose requirements succeeded is launched; a failed one is
 *   retried `retries` times, `retries_delay` apart; the cleanup action runs after the others.
 * - A running attempt past `max_runtime` (the action's, or the job's for the whole run) is killed; past
 *   `expected_runtime` it is reported overdue. A finished run is announced once; runs beyond `run_limit` are
 *   pruned (never unfinished ones).
 * The caller carries the intents out (local: SQLite + executors; Kubernetes: Jobs) and calls again at `wakeAt`.
 */
import { canEvaluate, nextAfter, timesBetween } from "../../config/tron-schedule.js";
import type { ResolvedTronJob } from "../../config/types.js";
import { type AttemptRecord, isLive, type RunRecord } from "../../model/jobs/records.js";
import { deriveRun, isTerminalRun, type RunView, type StartPermission } from "../../model/jobs/state.js";

export type Intent =
  | {
      readonly kind: "create-run";
      readonly scheduled_at: number;
      readonly skipped: boolean;
      readonly reason: string | null;
    }
  | { readonly kind: "start-attempt"; readonly run: number; readonly action: string; readonly attempt: number }
  | {
      readonly kind: "kill-attempt";
      readonly run: number;
      readonly action: string;
      readonly attempt: number;
      readonly reason: string;
    }
  | {
      readonly kind: "overdue";
      readonly run: number;
      /** null: the run as a whole passed the job's expected_runtime. */
      readonly action: string | null;
      readonly attempt: number;
      readonly expected_seconds: number;
      readonly running_seconds: number;
    }
  | {
      readonly kind: "run-finished";
      readonly run: number;
      readonly state: "succeeded" | "failed" | "cancelled";
      readonly failed: readonly string[];
    }
  | { readonly kind: "prune-run"; readonly run: number };

export interface JobSituation {
  readonly job: ResolvedTronJob;
  /** The config's `enabled`, unless a user's enable/disable says otherwise. */
  readonly enabled: boolean;
  /** When a user last enabled the job (ms): times before it are not scheduled. */
  readonly enabledSince: number | null;
  readonly runs: readonly RunRecord[];
  readonly attempts: readonly AttemptRecord[];
  readonly now: number;
  /** Cross-job triggers emitted so far (model/jobs/triggers.ts), for actions with `triggered_by`. */
  readonly triggers?: ReadonlySet<string>;
}

export interface Decision {
  readonly intents: readonly Intent[];
  /** When to decide again at the latest (ms); null: only when something changes. */
  readonly wakeAt: number | null;
  /** Every run's derived state, newest first (for status). */
  readonly views: readonly RunView[];
}

/** How often a job whose action waits for a trigger looks whether it was emitted (ms). */
const TRIGGER_POLL_MS = 10_000;

const byTime = (a: RunRecord, b: RunRecord) => a.scheduled_at - b.scheduled_at || a.run - b.run;

/** New scheduled times as create-run intents. */
export function newTimes(s: JobSituation, unfinished: boolean): Intent[] {
  const { job, now } = s;
  if (!s.enabled || !canEvaluate(job.schedule)) return [];
  const grace = job.start_grace_seconds * 1000;
  const scheduled = s.runs.filter((r) => !r.manual).map((r) => r.scheduled_at);
  const last = scheduled.length > 0 ? Math.max(...scheduled) : Number.NEGATIVE_INFINITY;
  let cursor = Math.max(last, s.enabledSince ?? Number.NEGATIVE_INFINITY);
  // A job seen for the first time starts with its latest time within the grace, if any: nothing before it
  // was missed, it predates the job.
  const first = cursor === Number.NEGATIVE_INFINITY;
  if (first) cursor = now - grace - 1;
  const keep = first ? 1 : Math.max(job.run_limit, 1);
  const { times, total } = timesBetween(job.schedule, job.time_zone, cursor, now, keep);
  const out: Intent[] = [];
  const missed = times.filter((t) => t < now - grace);
  const unrecorded = first ? 0 : total - times.length;
  let busy = unfinished;
  for (const t of times) {
    if (t < now - grace) {
      const more = unrecorded > 0 && t === missed[0] ? `; ${unrecorded} earlier time(s) not recorded` : "";
      out.push({
        kind: "create-run",
        scheduled_at: t,
        skipped: true,
        reason: `missed: the scheduler was not running at ${new Date(t).toISOString()}${more}`,
      });
    } else if (busy && !job.allow_overlap && !job.queueing) {
      out.push({
        kind: "create-run",
        scheduled_at: t,
        skipped: true,
        reason: "the previous run was still running (allow_overlap and queueing are false)",
      });
    } else {
      out.push({ kind: "create-run", scheduled_at: t, skipped: false, reason: null });
      busy = true;
    }
  }
  return out;
}

/** Which unstarted pending runs may start now, in order. */
function permissions(s: JobSituation, pending: readonly RunRecord[]): Map<number, StartPermission> {
  const started = new Set(s.attempts.map((a) => a.run));
  const active: number[] = [];
  const out = new Map<number, StartPermission>();
  for (const r of pending) {
    if (started.has(r.run)) {
      const v = deriveRun(s.job, r, s.attempts, s.now, { mayStart: true }, s.triggers ?? new Set());
      if (!isTerminalRun(v.state)) active.push(r.run);
      out.set(r.run, { mayStart: true });
    } else if (r.manual || s.job.allow_overlap || active.length === 0) {
      active.push(r.run);
      out.set(r.run, { mayStart: true });
    } else out.set(r.run, { mayStart: false, blockedBy: active[0] as number });
  }
  return out;
}

/** Kills and overdue reports for a started run's live attempts; deadlines still ahead go to `wake`. */
function deadlines(s: JobSituation, v: RunView, wake: (t: number) => void): Intent[] {
  const out: Intent[] = [];
  const { job, now } = s;
  const runStart = v.started_at;
  for (const a of v.actions) {
    const last = a.attempts.at(-1);
    if (!last || !isLive(last) || last.started_at === null) continue;
    const conf = job.actions.find((x) => x.name === a.name) ?? job.cleanup_action;
    const running = (now - last.started_at) / 1000;
    const ids = { run: v.record.run, action: a.name, attempt: last.attempt };
    const max = conf?.name === a.name ? conf.max_runtime_seconds : null;
    if (max !== null && running > max) {
      out.push({ kind: "kill-attempt", ...ids, reason: `exceeded max_runtime (${max}s)` });
      continue;
    }
    if (max !== null) wake(last.started_at + max * 1000 + 1);
    if (job.max_runtime_seconds !== null && runStart !== null) {
      const end = runStart + job.max_runtime_seconds * 1000;
      if (now > end) {
        out.push({
          kind: "kill-attempt",
          ...ids,
          reason: `the run exceeded the job's max_runtime (${job.max_runtime})`,
        });
        continue;
      }
      wake(end + 1);
    }
    const expected = conf?.name === a.name ? conf.expected_runtime_seconds : null;
    if (expected !== null) {
      if (running > expected)
        out.push({ kind: "overdue", ...ids, expected_seconds: expected, running_seconds: Math.round(running) });
      else wake(last.started_at + expected * 1000 + 1);
    }
  }
  if (job.expected_runtime_seconds !== null && runStart !== null && !isTerminalRun(v.state)) {
    const running = (now - runStart) / 1000;
    if (running > job.expected_runtime_seconds) {
      out.push({
        kind: "overdue",
        run: v.record.run,
        action: null,
        attempt: 0,
        expected_seconds: job.expected_runtime_seconds,
        running_seconds: Math.round(running),
      });
    } else wake(runStart + job.expected_runtime_seconds * 1000 + 1);
  }
  return out;
}

/** Oldest finished runs beyond run_limit (announced ones only; unfinished runs are never pruned). */
function prunable(views: readonly RunView[], limit: number): Intent[] {
  const done = views
    .filter((v) => isTerminalRun(v.state) && (v.state === "skipped" || v.record.reported))
    .sort((a, b) => byTime(b.record, a.record));
  return done.slice(Math.max(limit, 1)).map((v) => ({ kind: "prune-run", run: v.record.run }));
}

export function decide(s: JobSituation): Decision {
  let wakeAt: number | null = null;
  const wake = (t: number) => {
    if (wakeAt === null || t < wakeAt) wakeAt = t;
  };
  const runs = [...s.runs].sort(byTime);
  const pending = runs.filter((r) => r.state === "pending");
  const perms = permissions(s, pending);
  const views = runs.map((r) => deriveRun(s.job, r, s.attempts, s.now, perms.get(r.run), s.triggers ?? new Set()));
  const intents: Intent[] = newTimes(
    s,
    views.some((v) => !isTerminalRun(v.state)),
  );
  for (const v of views) {
    if (isTerminalRun(v.state)) {
      if (!v.record.reported && v.state !== "skipped")
        intents.push({
          kind: "run-finished",
          run: v.record.run,
          state: v.state as "succeeded" | "failed" | "cancelled",
          failed: v.actions.filter((a) => a.state === "failed").map((a) => a.name),
        });
      continue;
    }
    for (const a of v.actions) {
      if (a.ready)
        intents.push({ kind: "start-attempt", run: v.record.run, action: a.name, attempt: a.attempts.length + 1 });
      else if (a.retryAt !== null) wake(a.retryAt);
      else if (a.triggerDeadline !== undefined) wake(Math.min(a.triggerDeadline + 1, s.now + TRIGGER_POLL_MS));
    }
    intents.push(...deadlines(s, v, wake));
  }
  intents.push(...prunable(views, s.job.run_limit));
  if (s.enabled) {
    const next = nextAfter(s.job.schedule, s.job.time_zone, s.now);
    if (next !== null) wake(next);
  }
  return { intents, wakeAt, views: views.reverse() };
}
