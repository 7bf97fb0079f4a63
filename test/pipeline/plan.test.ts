/** The pipeline plan and its decisions, by value: what runs next given deploy.yaml and the recorded state. */
import { describe, expect, it } from "vitest";
import { type DeployConfig, deployFileSchema } from "../../src/config/schema/deploy.js";
import { notificationFor } from "../../src/pipeline/notify.js";
import { type Plan, planPipeline } from "../../src/pipeline/plan.js";
import {
  approve,
  decide,
  endStep,
  newState,
  type PipelineState,
  resetFailed,
  runnerAlive,
  settle,
  startStep,
  stepOf,
  syncSteps,
} from "../../src/pipeline/state.js";

const SHA = "1".repeat(40);
const T = "2026-01-01T00:00:00.000Z";

function plan(pipeline: unknown, extra: Record<string, unknown> = {}): Plan {
  const r = planPipeline(deployFileSchema.parse({ pipeline, ...extra }) as DeployConfig);
  expect(r.problems).toEqual([]);
  return r.plan;
}

/** Marks steps as done (or failed) the way the runner would record them. */
function run(state: PipelineState, names: string[], ok = true, ignoreFailure = false): PipelineState {
  let s = state;
  for (const n of names) s = endStep(startStep(s, n, T), n, { ok, detail: ok ? "ok" : "boom", ignoreFailure }, T);
  return s;
}

const DEMO = [
  { step: "itest" },
  { step: "dev.everything", wait_for_deployment: true, trigger_next_step_manually: true },
  { step: "prod.everything" },
];

describe("planPipeline", () => {
  it("stages, step kinds, the schema's default timeout and a gate after trigger_next_step_manually", () => {
    const p = plan(DEMO);
    expect(p.stages.map((s) => s.key)).toEqual(["itest", "dev.everything", "prod.everything"]);
    expect(p.stages.map((s) => s.steps[0]?.kind)).toEqual(["build", "deploy", "deploy"]);
    expect(p.stages[1]?.steps[0]?.timeoutSeconds).toBe(10800);
    expect(p.stages.map((s) => s.gate)).toEqual([null, null, "trigger_next_step_manually on dev.everything"]);
    expect(p.channel).toBe("#deploy");
    expect(p.notes).toEqual([]);
  });

  it("confirmation_required gates before its own step; a disabled step neither runs nor gates", () => {
    const p = plan([
      { step: "a", trigger_next_step_manually: true, disabled: true },
      { step: "b", confirmation_required: true },
      { step: "c" },
    ]);
    expect(p.stages.map((s) => s.gate)).toEqual([null, "confirmation_required on b", null]);
    expect(p.stages[0]?.steps[0]?.disabled).toBe(true);
  });

  it("a parallel block is one stage; keys on the block apply to its steps unless a step sets them", () => {
    const p = plan([
      { step: "itest" },
      { parallel: [{ step: "dev.a" }, { step: "dev.b", wait_for_deployment: false }], wait_for_deployment: true },
    ]);
    expect(p.stages[1]?.key).toBe("dev.a+dev.b");
    expect(p.stages[1]?.steps.map((s) => [s.name, s.waitForDeployment, s.stage])).toEqual([
      ["dev.a", true, 1],
      ["dev.b", false, 1],
    ]);
  });

  it("problems the schema cannot see are reported, not thrown; a trailing manual trigger is a note", () => {
    const r = planPipeline(
      deployFileSchema.parse({
        pipeline: [{ step: "a" }, { step: "a" }, { step: "command-lint" }, { parallel: [] }],
      }) as DeployConfig,
    );
    expect(r.problems).toEqual([
      "pipeline[3].parallel: the block has no steps",
      "step a appears more than once",
      "step command-lint needs a command (the shell command the step runs)",
    ]);
    expect(plan([{ step: "a" }, { step: "b", trigger_next_step_manually: true }]).notes).toEqual([
      "trigger_next_step_manually on b, the last step, gates nothing (it pauses after the step)",
    ]);
  });

  it("notifications: notify_after_* wins over the step's slack_notify, which wins over the file's", () => {
    const p = plan([{ step: "a", slack_notify: true, notify_after_mark: false }, { step: "b" }], {
      slack_notify: false,
      slack_channels: ["#team"],
    });
    const [a, b] = p.stages.map((s) => s.steps[0]);
    expect(a?.notify).toEqual({ mark: false, good_deploy: true, auto_rollback: true, abort: true });
    expect(b?.notify).toEqual({ mark: false, good_deploy: false, auto_rollback: false, abort: false });
    const n = notificationFor(a as never, "good_deploy", {
      service: "s",
      sha: SHA,
      channel: p.channel,
      detail: "3 up",
    });
    expect(n).toEqual({
      service: "s",
      sha: SHA,
      step: "a",
      event: "good_deploy",
      channel: "#team",
      text: "s 11111111 deployed in a: 3 up",
    });
    expect(notificationFor(a as never, "mark", { service: "s", sha: SHA, channel: "#x", detail: "" })).toBeNull();
  });
});

describe("decide", () => {
  const p = plan(DEMO);
  const fresh = newState(p, "hello", SHA, T);

  it("runs the stages in order, then pauses at the gate until it is approved, then finishes", () => {
    expect(decide(p, fresh)).toMatchObject({ kind: "run", steps: [{ name: "itest" }] });
    const devDone = run(fresh, ["itest", "dev.everything"]);
    const paused = decide(p, devDone);
    expect(paused).toMatchObject({ kind: "pause", reason: "trigger_next_step_manually on dev.everything" });
    const settled = settle(devDone, paused, T);
    expect([settled.status, settled.paused_before]).toEqual(["paused", "prod.everything"]);
    const approved = approve(settled, "prod.everything", "alice", T);
    expect(decide(p, approved)).toMatchObject({ kind: "run", steps: [{ name: "prod.everything" }] });
    expect(decide(p, run(approved, ["prod.everything"]))).toEqual({ kind: "done" });
  });

  it("a failed step stops the pipeline; with ignore_failure it goes on", () => {
    const failed = run(fresh, ["itest"], false);
    expect(decide(p, failed)).toEqual({ kind: "failed", step: "itest", reason: "boom" });
    expect(settle(failed, decide(p, failed), T).reason).toBe("itest: boom");
    const ignored = run(fresh, ["itest"], false, true);
    expect(stepOf(ignored, "itest")?.ignored).toBe(true);
    expect(decide(p, ignored)).toMatchObject({ kind: "run", steps: [{ name: "dev.everything" }] });
  });

  it("a step left running by a dead runner runs again and keeps its start (its timeout counts from then)", () => {
    const stale = startStep(run(fresh, ["itest"]), "dev.everything", "2026-01-01T00:00:05.000Z");
    expect(decide(p, stale)).toMatchObject({ kind: "run", steps: [{ name: "dev.everything" }] });
    const again = startStep(stale, "dev.everything", "2026-01-01T01:00:00.000Z");
    expect(stepOf(again, "dev.everything")?.started_at).toBe("2026-01-01T00:00:05.000Z");
  });

  it("a gate does not stop a stage that already started (the approval was given before)", () => {
    const started = startStep(run(fresh, ["itest", "dev.everything"]), "prod.everything", T);
    expect(decide(p, started)).toMatchObject({ kind: "run", steps: [{ name: "prod.everything" }] });
  });

  it("--from skips earlier stages, --to stops after its stage", () => {
    expect(decide(p, fresh, { from: 1 })).toMatchObject({ kind: "run", steps: [{ name: "dev.everything" }] });
    expect(decide(p, run(fresh, ["itest"]), { to: 0 })).toEqual({
      kind: "stop",
      reason: "stopped after itest (--to); 2 step(s) left",
    });
  });

  it("a parallel block runs its unfinished steps together, and waits for all of them", () => {
    const pp = plan([{ parallel: [{ step: "a" }, { step: "b" }] }, { step: "c" }]);
    const s0 = newState(pp, "x", SHA, T);
    expect(decide(pp, s0)).toMatchObject({ kind: "run", steps: [{ name: "a" }, { name: "b" }] });
    expect(decide(pp, run(s0, ["a"]))).toMatchObject({ kind: "run", steps: [{ name: "b" }] });
    expect(decide(pp, run(s0, ["a", "b"]))).toMatchObject({ kind: "run", steps: [{ name: "c" }] });
  });

  it("disabled steps are skipped and shown; --retry makes failed steps pending again", () => {
    const pd = plan([{ step: "itest", disabled: true }, { step: "dev" }]);
    const s0 = newState(pd, "x", SHA, T);
    expect(stepOf(s0, "itest")).toMatchObject({ status: "skipped", detail: "disabled in deploy.yaml" });
    expect(decide(pd, s0)).toMatchObject({ kind: "run", steps: [{ name: "dev" }] });
    const failed = run(s0, ["dev"], false);
    const retried = resetFailed(failed, T);
    expect(stepOf(retried, "dev")?.status).toBe("pending");
    expect(decide(pd, retried)).toMatchObject({ kind: "run", steps: [{ name: "dev" }] });
  });

  it("syncSteps follows an edited deploy.yaml: new steps pending, removed ones dropped, records kept", () => {
    const done = run(fresh, ["itest"]);
    const edited = plan([{ step: "itest" }, { step: "command-lint", command: "true" }, { step: "dev.everything" }]);
    const synced = syncSteps(edited, done);
    expect(synced.steps.map((s) => [s.name, s.status, s.stage])).toEqual([
      ["itest", "succeeded", 0],
      ["command-lint", "pending", 1],
      ["dev.everything", "pending", 2],
    ]);
  });
});

describe("runnerAlive", () => {
  const runner = { host: "h1", pid: 42, user: "u", since: T, heartbeat: T };
  const now = Date.parse(T);
  it("same host: the process decides; another host: the heartbeat's age", () => {
    expect(runnerAlive(runner, { host: "h1", pidAlive: () => false, now, staleMs: 1000 })).toBe(false);
    expect(runnerAlive(runner, { host: "h1", pidAlive: () => true, now, staleMs: 1000 })).toBe(true);
    expect(runnerAlive(runner, { host: "h2", pidAlive: () => false, now: now + 500, staleMs: 1000 })).toBe(true);
    expect(runnerAlive(runner, { host: "h2", pidAlive: () => true, now: now + 5000, staleMs: 1000 })).toBe(false);
    expect(runnerAlive(null, { host: "h1", pidAlive: () => true, now, staleMs: 1000 })).toBe(false);
  });
});
