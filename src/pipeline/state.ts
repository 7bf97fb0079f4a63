/**
 * The durable state of one commit's pipeline, and the decisions taken from it. Pure: every function returns a
 * new state; the runner does the I/O and the store keeps the document (see docs/design/0003-pipeline-state.md).
 */
import type { Plan, PlanStep, Stage } from "./plan.js";

export type StepStatus = "pending" | "running" | "succeeded" | "failed" | "skipped";
export type PipelineStatus = "running" | "paused" | "stopped" | "succeeded" | "failed";

export interface StepRecord {
  readonly name: string;
  readonly kind: "build" | "deploy";
  readonly stage: number;
  readonly status: StepStatus;
  readonly started_at: string | null;
  readonly ended_at: string | null;
  /** The latest progress line, or why the step failed or was skipped. */
  readonly detail: string | null;
  /** A failure that `ignore_failure` let the pipeline continue past. */
  readonly ignored?: boolean;
  /** Deploy steps: the tag that marked this commit, the commit the group ran before, a rollback. */
  readonly tag?: string | null;
  readonly previous_sha?: string | null;
  readonly rolled_back_to?: string | null;
  /** The step's output, the last LOG_LINES lines. */
  readonly log: readonly string[];
}

export interface Runner {
  readonly host: string;
  readonly pid: number;
  readonly user: string;
  readonly since: string;
  /** Refreshed while the runner works, so other machines can tell a live runner from a dead one. */
  readonly heartbeat: string;
}

export interface Approval {
  readonly by: string;
  readonly at: string;
}

export interface PipelineState {
  readonly version: 1;
  readonly service: string;
  readonly git_sha: string;
  readonly status: PipelineStatus;
  /** Why it is paused, stopped or failed. */
  readonly reason: string | null;
  /** The stage (key) a paused pipeline waits in front of. */
  readonly paused_before: string | null;
  readonly created_at: string;
  readonly updated_at: string;
  readonly runner: Runner | null;
  readonly approvals: Readonly<Record<string, Approval>>;
  readonly steps: readonly StepRecord[];
}

export const LOG_LINES = 100;
const LOG_LINE_CHARS = 400;

function freshStep(s: PlanStep): StepRecord {
  return {
    name: s.name,
    kind: s.kind,
    stage: s.stage,
    status: s.disabled ? "skipped" : "pending",
    started_at: null,
    ended_at: null,
    detail: s.disabled ? "disabled in deploy.yaml" : null,
    log: [],
  };
}

export function newState(plan: Plan, service: string, sha: string, now: string): PipelineState {
  return {
    version: 1,
    service,
    git_sha: sha,
    status: "running",
    reason: null,
    paused_before: null,
    created_at: now,
    updated_at: now,
    runner: null,
    approvals: {},
    steps: plan.stages.flatMap((st) => st.steps.map(freshStep)),
  };
}

/**
 * Aligns a stored state with the plan of the current deploy.yaml: steps keep their records by name, new steps
 * start pending, removed steps are dropped, and `disabled` is applied to steps that have not run.
 */
export function syncSteps(plan: Plan, state: PipelineState): PipelineState {
  const byName = new Map(state.steps.map((s) => [s.name, s]));
  const steps = plan.stages.flatMap((st) =>
    st.steps.map((p) => {
      const old = byName.get(p.name);
      const untouched = !old || old.status === "pending" || (old.status === "skipped" && old.started_at === null);
      return untouched ? freshStep(p) : { ...old, kind: p.kind, stage: p.stage };
    }),
  );
  return { ...state, steps };
}

export type Decision =
  | { readonly kind: "run"; readonly stage: Stage; readonly steps: readonly PlanStep[] }
  | { readonly kind: "pause"; readonly stage: Stage; readonly reason: string }
  | { readonly kind: "failed"; readonly step: string; readonly reason: string }
  | { readonly kind: "stop"; readonly reason: string }
  | { readonly kind: "done" };

export interface Range {
  /** Index of the first stage to consider (--from); earlier stages are left as they are. */
  readonly from?: number;
  /** Index of the last stage to run (--to). */
  readonly to?: number;
}

export function stepOf(state: PipelineState, name: string): StepRecord | undefined {
  return state.steps.find((s) => s.name === name);
}

const finished = (r: StepRecord | undefined) =>
  r !== undefined && (r.status === "succeeded" || r.status === "skipped" || (r.status === "failed" && r.ignored));

/**
 * What happens next: the first stage in range that is not finished runs (its pending steps, and steps left
 * `running` by a runner that is gone), unless a failed step stops the pipeline or an unapproved gate pauses it.
 */
export function decide(plan: Plan, state: PipelineState, range: Range = {}): Decision {
  const first = range.from ?? 0;
  const last = range.to ?? plan.stages.length - 1;
  for (let i = first; i <= last && i < plan.stages.length; i++) {
    const stage = plan.stages[i] as Stage;
    const records = stage.steps.map((s) => stepOf(state, s.name));
    const failed = records.find((r) => r?.status === "failed" && !r.ignored);
    if (failed) return { kind: "failed", step: failed.name, reason: failed.detail ?? "failed" };
    const todo = stage.steps.filter((_, j) => !finished(records[j]));
    if (todo.length === 0) continue;
    const started = records.some((r) => r?.started_at);
    if (stage.gate && !started && !state.approvals[stage.key]) return { kind: "pause", stage, reason: stage.gate };
    return { kind: "run", stage, steps: todo };
  }
  const rest = plan.stages.slice(last + 1).flatMap((st) => st.steps.filter((s) => !finished(stepOf(state, s.name))));
  if (rest.length > 0) {
    const name = plan.stages[last]?.key ?? "";
    return { kind: "stop", reason: `stopped after ${name} (--to); ${rest.length} step(s) left` };
  }
  return { kind: "done" };
}

/** The pipeline's status for a decision. */
export function settle(state: PipelineState, d: Decision, now: string): PipelineState {
  const base = { ...state, updated_at: now, paused_before: null, reason: null };
  switch (d.kind) {
    case "run":
      return { ...base, status: "running" };
    case "pause":
      return { ...base, status: "paused", paused_before: d.stage.key, reason: d.reason, runner: null };
    case "failed":
      return { ...base, status: "failed", reason: `${d.step}: ${d.reason}`, runner: null };
    case "stop":
      return { ...base, status: "stopped", reason: d.reason, runner: null };
    case "done":
      return { ...base, status: "succeeded", runner: null };
  }
}

export function patchStep(
  state: PipelineState,
  name: string,
  patch: Partial<Omit<StepRecord, "name" | "log">>,
  now: string,
): PipelineState {
  return {
    ...state,
    updated_at: now,
    steps: state.steps.map((s) => (s.name === name ? { ...s, ...patch } : s)),
  };
}

export function startStep(state: PipelineState, name: string, now: string): PipelineState {
  const old = stepOf(state, name);
  // A step left running by a runner that is gone keeps its start: a deploy's timeout counts from the mark.
  const started_at = old?.status === "running" && old.started_at ? old.started_at : now;
  return patchStep(state, name, { status: "running", started_at, ended_at: null, detail: null }, now);
}

export function endStep(
  state: PipelineState,
  name: string,
  outcome: { ok: boolean; detail: string; ignoreFailure?: boolean },
  now: string,
): PipelineState {
  return patchStep(
    state,
    name,
    {
      status: outcome.ok ? "succeeded" : "failed",
      ended_at: now,
      detail: outcome.detail,
      ignored: !outcome.ok && outcome.ignoreFailure ? true : undefined,
    },
    now,
  );
}

/** Appends output lines to a step's log, keeping the last LOG_LINES (each cut to a sane length). */
export function appendLog(state: PipelineState, name: string, lines: readonly string[]): PipelineState {
  if (lines.length === 0) return state;
  const cut = lines.map((l) => (l.length > LOG_LINE_CHARS ? `${l.slice(0, LOG_LINE_CHARS)}…` : l));
  return {
    ...state,
    steps: state.steps.map((s) => (s.name === name ? { ...s, log: [...s.log, ...cut].slice(-LOG_LINES) } : s)),
  };
}

export function approve(state: PipelineState, stageKey: string, by: string, now: string): PipelineState {
  return { ...state, updated_at: now, approvals: { ...state.approvals, [stageKey]: { by, at: now } } };
}

/** For `run --retry`: failed steps (not ignored ones) become pending again. */
export function resetFailed(state: PipelineState, now: string): PipelineState {
  return {
    ...state,
    updated_at: now,
    status: "running",
    reason: null,
    steps: state.steps.map((s) =>
      s.status === "failed" && !s.ignored
        ? { ...s, status: "pending", started_at: null, ended_at: null, detail: "retried" }
        : s,
    ),
  };
}

/** Whether `runner` is alive: same host → its process exists; another host → a heartbeat within `staleMs`. */
export function runnerAlive(
  runner: Runner | null,
  here: { host: string; pidAlive: (pid: number) => boolean; now: number; staleMs: number },
): boolean {
  if (!runner) return false;
  if (runner.host === here.host) return here.pidAlive(runner.pid);
  return here.now - Date.parse(runner.heartbeat) < here.staleMs;
}
