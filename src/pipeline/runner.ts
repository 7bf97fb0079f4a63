/**
 * The pipeline runner: claims a commit's pipeline in its durable state, then runs what `decide` says next
 * (a stage's steps concurrently) until the pipeline succeeds, fails, pauses at a gate or reaches --to. Every
 * change is recorded in the store as it happens, so a runner that dies leaves a state the next one resumes.
 */
import { hostname } from "node:os";
import type { SystemConfig } from "../config/system.js";
import { ensureCommit, type GitOptions } from "../deploy/git.js";
import type { RecordContext } from "../deploy/record.js";
import { PaastaError } from "../errors.js";
import { createLogWriter, deployEvent, type LogWriter } from "../logs/writer.js";
import { runBuildStep } from "./build-step.js";
import { runDeployStep } from "./deploy-step.js";
import { loadPlan, loadService, rangeOf } from "./load.js";
import { notificationFor, notificationSink } from "./notify.js";
import type { Plan, PlanStep } from "./plan.js";
import {
  appendLog,
  approve,
  type Decision,
  decide,
  endStep,
  newState,
  type PipelineState,
  patchStep,
  type Range,
  type Runner,
  resetFailed,
  runnerAlive,
  type StepRecord,
  settle,
  startStep,
  stepOf,
  syncSteps,
} from "./state.js";
import type { StepContext, StepOutcome } from "./step-context.js";
import { openStore, type PipelineStore, pidAlive } from "./store.js";

export interface PipelineEvents {
  onStart?(state: PipelineState, plan: Plan): void;
  onStepStart?(step: PlanStep, rec: StepRecord): void;
  onStepLine?(step: PlanStep, line: string): void;
  onStepProgress?(step: PlanStep, text: string): void;
  onStepEnd?(step: PlanStep, rec: StepRecord): void;
  onEnd?(state: PipelineState, decision: Decision): void;
}

export interface RunOptions {
  readonly soaDir: string;
  readonly system?: SystemConfig;
  readonly service: string;
  /** The commit: a full SHA or a prefix the service's repository knows. */
  readonly sha: string;
  readonly from?: string;
  readonly to?: string;
  /** Failed steps run again (deploy groups are still never marked twice for the commit). */
  readonly retry?: boolean;
  /** Who acts: written on events and approvals. */
  readonly user: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly git?: GitOptions;
  readonly log?: LogWriter;
  /** Deploy waits poll the clusters this often (ms; default 1000). */
  readonly pollMs?: number;
  readonly events?: PipelineEvents;
  /** Approve the gate the pipeline is paused at (`continue`); refused unless it is paused exactly there. */
  readonly approveGate?: string;
}

export interface StepTiming {
  readonly name: string;
  /** Time inside the step's own work (marks, waits, make, pushes). */
  readonly work_ms: number;
  /** From the runner starting the step to the step's end being recorded. */
  readonly total_ms: number;
}

export interface RunResult {
  readonly state: PipelineState;
  readonly decision: Decision;
  readonly timings: { readonly wall_ms: number; readonly steps: readonly StepTiming[] };
}

/** A runner on another machine counts as gone when its heartbeat is older than this. */
export const STALE_MS = 120_000;
const FLUSH_MS = 5_000;
const HEARTBEAT_MS = 30_000;

const iso = () => new Date().toISOString();
const short = (sha: string) => sha.slice(0, 8);

function claim(o: RunOptions, plan: Plan, sha: string, range: Range, me: Runner, seen: { existed: boolean }) {
  return (s: PipelineState | null): PipelineState => {
    seen.existed = s !== null;
    let st = s ? syncSteps(plan, s) : newState(plan, o.service, sha, me.since);
    const other = st.runner;
    const mine = other?.host === me.host && other.pid === me.pid;
    if (other && !mine && runnerAlive(other, { host: me.host, pidAlive, now: Date.now(), staleMs: STALE_MS })) {
      throw new PaastaError("PAASTA_PIPELINE_BUSY", {
        service: o.service,
        sha: short(sha),
        runner: `${other.user} (pid ${other.pid} on ${other.host}, since ${other.since})`,
        stale: `${STALE_MS / 1000}s`,
      });
    }
    if (o.approveGate !== undefined) {
      if (st.status !== "paused" || st.paused_before !== o.approveGate)
        throw new PaastaError("PAASTA_PIPELINE_NOT_PAUSED", { service: o.service, sha: short(sha), status: st.status });
      st = approve(st, o.approveGate, o.user, me.since);
    }
    if (o.retry) st = resetFailed(st, me.since);
    const fromStage = range.from === undefined ? undefined : plan.stages[range.from];
    if (fromStage?.gate && !st.approvals[fromStage.key])
      st = approve(st, fromStage.key, `${o.user} (--from)`, me.since);
    return { ...st, status: "running", reason: null, paused_before: null, runner: me, updated_at: me.since };
  };
}

interface Driver {
  readonly o: RunOptions;
  readonly plan: Plan;
  readonly range: Range;
  readonly store: PipelineStore;
  readonly sha: string;
  readonly url: string;
  readonly record: RecordContext;
  readonly log: LogWriter;
  readonly me: Runner;
  state: PipelineState;
  /** Output and progress not recorded yet, by step. */
  readonly pending: Map<string, { lines: string[]; progress: string | null }>;
  lastWrite: number;
  checkout: Promise<{ dir: string; remove: () => void }> | null;
  readonly timings: StepTiming[];
}

function event(d: Driver, message: string): void {
  d.log.write(deployEvent({ service: d.o.service, message: `pipeline ${short(d.sha)}: ${message}`, user: d.o.user }));
}

/** Records a change, with the output and progress gathered since the last write and a fresh heartbeat. */
async function record(d: Driver, change: (s: PipelineState) => PipelineState = (s) => s): Promise<void> {
  const drained = [...d.pending].map(([name, p]) => ({ name, lines: p.lines.splice(0), progress: p.progress }));
  for (const p of d.pending.values()) p.progress = null;
  const now = iso();
  const next = await d.store.update(d.sha, (s) => {
    let st = s ?? d.state;
    for (const p of drained) {
      st = appendLog(st, p.name, p.lines);
      if (p.progress !== null && stepOf(st, p.name)?.status === "running")
        st = patchStep(st, p.name, { detail: p.progress }, now);
    }
    st = change(st);
    return st.runner?.pid === d.me.pid && st.runner.host === d.me.host
      ? { ...st, runner: { ...st.runner, heartbeat: now } }
      : st;
  });
  if (next) d.state = next;
  d.lastWrite = Date.now();
}

function stepContext(d: Driver, step: PlanStep): StepContext {
  const buf = { lines: [] as string[], progress: null as string | null };
  d.pending.set(step.name, buf);
  const sink = notificationSink(d.log, d.o.user);
  return {
    record: d.record,
    system: d.o.system,
    service: d.o.service,
    sha: d.sha,
    env: d.o.env ?? process.env,
    pollMs: d.o.pollMs ?? 1000,
    record0: stepOf(d.state, step.name) as StepRecord,
    line(text) {
      buf.lines.push(text);
      d.o.events?.onStepLine?.(step, text);
    },
    progress(text) {
      buf.progress = text;
      d.o.events?.onStepProgress?.(step, text);
    },
    save: (patch) => record(d, (s) => patchStep(s, step.name, patch, iso())),
    async notify(s, ev, detail) {
      const n = notificationFor(s, ev, { service: d.o.service, sha: d.sha, channel: d.plan.channel, detail });
      if (n) await sink.send(n);
    },
    checkout() {
      d.checkout ??= import("./build-step.js").then((m) => m.checkoutCommit(d.url, d.sha, d.o.git));
      return d.checkout.then((c) => c.dir);
    },
  };
}

async function runStep(d: Driver, step: PlanStep): Promise<void> {
  const t0 = Date.now();
  const ctx = stepContext(d, step);
  d.o.events?.onStepStart?.(step, ctx.record0);
  event(d, `${step.name} started`);
  const w0 = Date.now();
  let out: StepOutcome;
  try {
    out = step.kind === "deploy" ? await runDeployStep(step, ctx) : await runBuildStep(step, ctx);
  } catch (e) {
    out = { ok: false, detail: (e as Error).message };
    ctx.line(`error: ${out.detail}`);
  }
  const work = Date.now() - w0;
  await record(d, (s) =>
    out.skipped
      ? patchStep(s, step.name, { status: "skipped", ended_at: iso(), detail: out.detail }, iso())
      : endStep(s, step.name, { ok: out.ok, detail: out.detail, ignoreFailure: step.ignoreFailure }, iso()),
  );
  d.pending.delete(step.name);
  const rec = stepOf(d.state, step.name) as StepRecord;
  d.timings.push({ name: step.name, work_ms: work, total_ms: Date.now() - t0 });
  event(
    d,
    `${step.name} ${rec.status}${rec.ignored ? " (ignore_failure)" : ""} in ${(work / 1000).toFixed(1)}s: ${out.detail}`,
  );
  d.o.events?.onStepEnd?.(step, rec);
}

function endEvent(d: Driver, dec: Decision): void {
  const again = `paasta pipeline continue -s ${d.o.service} -k ${short(d.sha)}`;
  if (dec.kind === "pause") event(d, `paused before ${dec.stage.key} (${dec.reason}); promote with \`${again}\``);
  else if (dec.kind === "failed") event(d, `failed at ${dec.step}: ${dec.reason}`);
  else if (dec.kind === "stop") event(d, dec.reason);
  else if (dec.kind === "done") event(d, "succeeded");
}

async function drive(d: Driver, started: number): Promise<RunResult> {
  const flusher = setInterval(() => {
    const dirty = [...d.pending.values()].some((p) => p.lines.length > 0 || p.progress !== null);
    const beat = d.state.runner?.pid === d.me.pid && Date.now() - d.lastWrite > HEARTBEAT_MS;
    if (dirty || beat) void record(d).catch(() => undefined);
  }, FLUSH_MS);
  flusher.unref();
  try {
    for (;;) {
      const dec = decide(d.plan, d.state, d.range);
      if (dec.kind !== "run") {
        await record(d, (s) => settle(s, dec, iso()));
        endEvent(d, dec);
        d.o.events?.onEnd?.(d.state, dec);
        return { state: d.state, decision: dec, timings: { wall_ms: Date.now() - started, steps: d.timings } };
      }
      await record(d, (s) => dec.steps.reduce((acc, step) => startStep(acc, step.name, iso()), s));
      await Promise.all(dec.steps.map((step) => runStep(d, step)));
    }
  } catch (e) {
    const why = `interrupted: ${(e as Error).message}`;
    await record(d, (s) => ({ ...s, status: "stopped", reason: why, runner: null })).catch(() => undefined);
    throw e;
  } finally {
    clearInterval(flusher);
    if (d.checkout) await d.checkout.then((c) => c.remove()).catch(() => undefined);
  }
}

/**
 * Claims the pipeline of `o.sha` and starts running it. Resolves once the claim is recorded (with the state
 * then); `done` resolves when the run stops (succeeded, failed, paused, stopped at --to).
 */
export async function startPipeline(o: RunOptions): Promise<{ state: PipelineState; done: Promise<RunResult> }> {
  const started = Date.now();
  const { svc, url } = loadService(o.soaDir, o.service);
  const plan = loadPlan(svc);
  const range = rangeOf(plan, o.from, o.to);
  const { sha } = await ensureCommit(url, o.sha, o.git);
  const log = o.log ?? createLogWriter(o.system?.logWriter());
  const store = await openStore(url, { git: o.git, user: o.user });
  const now = iso();
  const me: Runner = { host: hostname(), pid: process.pid, user: o.user, since: now, heartbeat: now };
  let state: PipelineState;
  try {
    const seen = { existed: false };
    state = (await store.update(sha, claim(o, plan, sha, range, me, seen))) as PipelineState;
    if (o.approveGate !== undefined)
      log.write(
        deployEvent({
          service: o.service,
          message: `pipeline ${short(sha)}: ${o.user} approved ${o.approveGate}`,
          user: o.user,
        }),
      );
    const verb = seen.existed ? "resumed" : "started";
    log.write(
      deployEvent({ service: o.service, message: `pipeline ${short(sha)}: ${verb} by ${o.user}`, user: o.user }),
    );
  } catch (e) {
    await store.close();
    throw e;
  }
  const record: RecordContext = { soaDir: o.soaDir, system: o.system, log, git: o.git, user: o.user };
  const d: Driver = {
    ...{ o, plan, range, store, sha, url, record, log, me, state },
    pending: new Map(),
    lastWrite: Date.now(),
    checkout: null,
    timings: [],
  };
  o.events?.onStart?.(state, plan);
  const done = drive(d, started).finally(() => store.close());
  return { state, done };
}

/** Runs the pipeline of `o.sha` until it succeeds, fails, pauses or reaches --to. */
export async function runPipeline(o: RunOptions): Promise<RunResult> {
  return (await startPipeline(o)).done;
}

/** Whether the runner recorded in `state` is alive, seen from this machine. */
export function runnerIsAlive(state: PipelineState): boolean {
  return runnerAlive(state.runner, { host: hostname(), pidAlive, now: Date.now(), staleMs: STALE_MS });
}
