/**
 * The state of a run and of each of its actions, derived from the records alone (pure): the same answer on
 * every backend, after any restart, and never "unknown". An action is scheduled (its run has not started),
 * waiting (on what it requires, or for a retry), running, succeeded, failed (after its retries), cancelled or
 * skipped (its run was, or something it requires failed). The cleanup action runs once the others are done,
 * whatever their outcome.
 */
import type { ResolvedTronJob } from "../../config/types.js";
import { type AttemptRecord, attemptsByAction, isLive, type RunRecord } from "./records.js";
import { requiredBy } from "./triggers.js";

export type ActionState = "scheduled" | "waiting" | "running" | "succeeded" | "failed" | "cancelled" | "skipped";
export type RunState = "scheduled" | "running" | "succeeded" | "failed" | "cancelled" | "skipped";

const TERMINAL: ReadonlySet<ActionState> = new Set(["succeeded", "failed", "cancelled", "skipped"]);

export function isTerminalAction(s: ActionState): boolean {
  return TERMINAL.has(s);
}

export function isTerminalRun(s: RunState): boolean {
  return s === "succeeded" || s === "failed" || s === "cancelled" || s === "skipped";
}

export interface ActionView {
  readonly name: string;
  readonly cleanup: boolean;
  readonly state: ActionState;
  /** One line: why it waits, why it was skipped, how it ended. */
  readonly why: string | null;
  /** May be launched now (its run started, what it requires succeeded, a retry's delay is over). */
  readonly ready: boolean;
  /** When an automatic retry may start (ms), while waiting for one. */
  readonly retryAt: number | null;
  /** Until when it waits for triggers (ms), while it does. */
  readonly triggerDeadline?: number;
  readonly attempts: readonly AttemptRecord[];
}

export interface RunView {
  readonly record: RunRecord;
  readonly state: RunState;
  readonly why: string | null;
  readonly started_at: number | null;
  readonly ended_at: number | null;
  readonly actions: readonly ActionView[];
}

/** What the scheduler decided about a run that has not started: it may start now, or it waits behind another. */
export interface StartPermission {
  readonly mayStart: boolean;
  readonly blockedBy?: number;
}

function configOf(job: ResolvedTronJob | undefined, name: string) {
  return (
    job?.actions.find((x) => x.name === name) ?? (job?.cleanup_action?.name === name ? job.cleanup_action : undefined)
  );
}

/** The configured settings an action's state depends on (from the current job config, by name). */
function settings(job: ResolvedTronJob | undefined, name: string) {
  const a = configOf(job, name);
  return { retries: a?.retries ?? 0, delay: a?.retries_delay_seconds ?? 0 };
}

function exitText(a: AttemptRecord): string {
  if (a.reason) return a.reason;
  return a.exit_code === null ? "failed" : `exit code ${a.exit_code}`;
}

/**
 * `triggers`: the cross-job triggers emitted so far (triggers.ts); an action that waits for one that is not
 * there waits, then fails at its trigger_timeout. Without the set, triggers are not waited for.
 */
export function deriveRun(
  job: ResolvedTronJob | undefined,
  run: RunRecord,
  allAttempts: readonly AttemptRecord[],
  now: number,
  permission: StartPermission = { mayStart: false },
  triggers?: ReadonlySet<string>,
): RunView {
  const byAction = attemptsByAction(allAttempts, run.run);
  const starts = [...byAction.values()].flat().map((a) => a.started_at ?? now);
  const startedAt = starts.length > 0 ? Math.min(...starts) : null;
  const started = startedAt !== null || permission.mayStart;
  const maxRun = job?.max_runtime_seconds ?? null;
  const timedOut = maxRun !== null && startedAt !== null && now - startedAt > maxRun * 1000;
  const memo = new Map<string, ActionView>();

  const fromAttempts = (name: string, cleanup: boolean): ActionView | undefined => {
    const attempts = byAction.get(name) ?? [];
    const last = attempts.at(-1);
    const base = { name, cleanup, attempts, ready: false, retryAt: null };
    if (!last) return undefined;
    if (isLive(last)) return { ...base, state: "running", why: `attempt ${last.attempt} running${where(last)}` };
    if (last.state === "succeeded") return { ...base, state: "succeeded", why: null };
    const { retries, delay } = settings(job, name);
    const automatic = attempts.filter((a) => !a.manual).length;
    const retryable = !last.killed && !last.manual && !timedOut && run.state === "pending" && automatic <= retries;
    if (!retryable) return { ...base, state: "failed", why: `attempt ${last.attempt}: ${exitText(last)}` };
    const retryAt = (last.ended_at ?? now) + delay * 1000;
    return {
      ...base,
      state: "waiting",
      ready: now >= retryAt,
      retryAt,
      why: `attempt ${last.attempt}: ${exitText(last)}; retry ${automatic} of ${retries}${now < retryAt ? ` in ${Math.ceil((retryAt - now) / 1000)}s` : ""}`,
    };
  };

  const notRun = (name: string, cleanup: boolean, state: ActionState, why: string | null, ready = false) => ({
    name,
    cleanup,
    state,
    why,
    ready,
    retryAt: null,
    attempts: [],
  });

  /** Waiting for (or timed out on) triggers that were not emitted; undefined when none are missing. */
  const awaitTriggers = (name: string): ActionView | undefined => {
    const conf = configOf(job, name);
    if (!conf || !triggers || conf.triggered_by.length === 0) return undefined;
    const missing = requiredBy(conf, run).filter((t) => !triggers.has(t));
    if (missing.length === 0) return undefined;
    const deadline = run.scheduled_at + conf.trigger_timeout_seconds * 1000;
    if (now > deadline)
      return notRun(name, false, "failed", `trigger ${missing[0]} not emitted within ${conf.trigger_timeout_seconds}s`);
    return {
      ...notRun(name, false, "waiting", `waiting for trigger ${missing.join(", ")}`),
      triggerDeadline: deadline,
    };
  };

  const view = (name: string, seen: ReadonlySet<string> = new Set()): ActionView => {
    const hit = memo.get(name);
    if (hit) return hit;
    let v = fromAttempts(name, false);
    if (!v) {
      const requires = run.dag[name] ?? [];
      const blocked = requires
        .filter((r) => !seen.has(r) && r in run.dag)
        .map((r) => view(r, new Set([...seen, name])))
        .find((r) => r.state === "failed" || r.state === "cancelled" || r.state === "skipped");
      if (run.state === "skipped") v = notRun(name, false, "skipped", run.reason);
      else if (run.state === "cancelled") v = notRun(name, false, "cancelled", run.reason ?? "cancelled");
      else if (timedOut) v = notRun(name, false, "skipped", "the run exceeded the job's max_runtime");
      else if (blocked) v = notRun(name, false, "skipped", `${blocked.name} ${blocked.state}`);
      else if (!started) v = notRun(name, false, "scheduled", queuedWhy(permission));
      else {
        const waitingOn = requires.filter((r) => view(r, new Set([...seen, name])).state !== "succeeded");
        v =
          waitingOn.length > 0
            ? notRun(name, false, "waiting", `waiting for ${waitingOn.join(", ")}`)
            : (awaitTriggers(name) ?? notRun(name, false, "scheduled", "starting", true));
      }
    }
    memo.set(name, v);
    return v;
  };

  const main = Object.keys(run.dag).map((n) => view(n));
  const cleanup = run.cleanup ? cleanupView(run, run.cleanup, main, fromAttempts, started, permission) : undefined;
  const actions = cleanup ? [...main, cleanup] : main;
  const state = runState(run, actions, started);
  const ends = actions.flatMap((a) => a.attempts.map((x) => x.ended_at ?? 0));
  return {
    record: run,
    state,
    why: state === "scheduled" ? queuedWhy(permission) : state === "skipped" ? run.reason : null,
    started_at: startedAt,
    ended_at: isTerminalRun(state) ? (ends.length > 0 ? Math.max(...ends) : run.created_at) : null,
    actions,
  };
}

function where(a: AttemptRecord): string {
  return a.where ? ` (${a.where})` : "";
}

function queuedWhy(p: StartPermission): string {
  return p.blockedBy !== undefined ? `queued behind run ${p.blockedBy}` : "not started yet";
}

function cleanupView(
  run: RunRecord,
  name: string,
  main: readonly ActionView[],
  fromAttempts: (name: string, cleanup: boolean) => ActionView | undefined,
  started: boolean,
  permission: StartPermission,
): ActionView {
  const own = fromAttempts(name, true);
  if (own) return own;
  const base = { name, cleanup: true, ready: false, retryAt: null, attempts: [] };
  const anyRan = main.some((a) => a.attempts.length > 0);
  if (run.state === "skipped") return { ...base, state: "skipped", why: run.reason };
  if (run.state === "cancelled" && !anyRan) return { ...base, state: "cancelled", why: run.reason ?? "cancelled" };
  if (!started) return { ...base, state: "scheduled", why: queuedWhy(permission) };
  const pending = main.filter((a) => !isTerminalAction(a.state)).map((a) => a.name);
  if (pending.length > 0) return { ...base, state: "waiting", why: `runs after ${pending.join(", ")}` };
  return { ...base, state: "scheduled", why: "starting", ready: true };
}

function runState(run: RunRecord, actions: readonly ActionView[], started: boolean): RunState {
  if (run.state === "skipped") return "skipped";
  if (actions.every((a) => isTerminalAction(a.state))) {
    if (actions.some((a) => a.state === "failed")) return "failed";
    if (run.state === "cancelled" || actions.some((a) => a.state === "cancelled")) return "cancelled";
    return actions.some((a) => a.state === "skipped") ? "failed" : "succeeded";
  }
  return started ? "running" : "scheduled";
}
