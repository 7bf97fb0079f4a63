/**
 * The scheduling decision, by value: which scheduled times become runs (once), which are skipped, what starts
 * (DAG order, overlap and queueing, retries with their delay, the cleanup action), what is killed or reported
 * overdue, what is announced and pruned, and when to look again. Jobs come from YAML through the real
 * resolver; records are built by hand (the decision reads nothing else).
 */
import { describe, expect, it } from "vitest";
import type { ResolvedTronJob } from "../../src/config/types.js";
import type { AttemptRecord, RunRecord } from "../../src/model/jobs/records.js";
import { emitted, upstreamJobs } from "../../src/model/jobs/triggers.js";
import { decide, type Intent, type JobSituation } from "../../src/runtime/scheduler/decide.js";
import { attempt, runRecord, tronJob } from "../helpers/jobs.js";

const T = Date.UTC(2026, 0, 1, 0, 0, 0);
const s = (n: number) => T + n * 1000;

const DAG = `dag:
  schedule: interval 10s
  deploy_group: dev.x
  actions:
    a: {command: echo a}
    b: {command: echo b, requires: [a]}
    c: {command: echo c, requires: [a]}
`;

function situation(job: ResolvedTronJob, now: number, runs: RunRecord[] = [], attempts: AttemptRecord[] = []) {
  return { job, enabled: job.enabled, enabledSince: null, runs, attempts, now } satisfies JobSituation;
}

const kinds = (intents: readonly Intent[], kind: Intent["kind"]) => intents.filter((i) => i.kind === kind);

describe("scheduled times become runs exactly once", () => {
  const job = tronJob(DAG, "dag");

  it("a job seen for the first time runs its latest time within the grace, not every earlier one", () => {
    const d = decide(situation(job, s(35)));
    expect(kinds(d.intents, "create-run")).toEqual([
      { kind: "create-run", scheduled_at: s(30), skipped: false, reason: null },
    ]);
    expect(d.wakeAt).toBe(s(40));
  });

  it("after the last recorded run, each later time is recorded once; a recorded time is never again", () => {
    const runs = [runRecord(job, 1, s(10), { reported: true })];
    const done = ["a", "b", "c"].map((n) => attempt(job, 1, n, 1, "succeeded", { start: s(10), end: s(11) }));
    const d = decide(situation(job, s(31), runs, done));
    expect(kinds(d.intents, "create-run").map((i) => (i as { scheduled_at: number }).scheduled_at)).toEqual([
      s(20),
      s(30),
    ]);
    const again = decide(situation(job, s(31), [...runs, runRecord(job, 2, s(20)), runRecord(job, 3, s(30))], done));
    expect(kinds(again.intents, "create-run")).toEqual([]);
  });

  it("times missed beyond the grace are recorded as skipped, not run late", () => {
    const quick = tronJob(DAG, "dag", { tron_start_grace_seconds: 5 });
    const runs = [runRecord(quick, 1, s(10), { reported: true })];
    const done = ["a", "b", "c"].map((n) => attempt(quick, 1, n, 1, "succeeded", { start: s(10), end: s(11) }));
    const created = kinds(decide(situation(quick, s(52), runs, done)).intents, "create-run") as Array<
      Extract<Intent, { kind: "create-run" }>
    >;
    expect(created.map((c) => [c.scheduled_at, c.skipped])).toEqual([
      [s(20), true],
      [s(30), true],
      [s(40), true],
      [s(50), false],
    ]);
    expect(created[0]?.reason).toMatch(/^missed: the scheduler was not running at 2026-01-01T00:00:20/);
  });

  it("after a long outage only run_limit times are recorded, and the reason says how many were not", () => {
    const small = tronJob(DAG.replace("deploy_group", "run_limit: 3\n  deploy_group"), "dag", {
      tron_start_grace_seconds: 1,
    });
    const runs = [runRecord(small, 1, s(10), { reported: true })];
    const created = kinds(decide(situation(small, s(1000), runs)).intents, "create-run") as Array<
      Extract<Intent, { kind: "create-run" }>
    >;
    expect(created.map((c) => c.scheduled_at)).toEqual([s(980), s(990), s(1000)]);
    expect(created[0]?.reason).toContain("96 earlier time(s) not recorded");
    expect(created[2]?.skipped).toBe(false);
  });

  it("a disabled job records nothing; re-enabled, it schedules only times after the enable", () => {
    expect(kinds(decide({ ...situation(job, s(35)), enabled: false }).intents, "create-run")).toEqual([]);
    const runs = [runRecord(job, 1, s(10), { reported: true })];
    const d = decide({ ...situation(job, s(45), runs), enabledSince: s(33) });
    expect(kinds(d.intents, "create-run").map((i) => (i as { scheduled_at: number }).scheduled_at)).toEqual([s(40)]);
  });

  it("cron and daily times follow the job's time zone", () => {
    const la = tronJob(
      "tz:\n  schedule: daily 04:00:00\n  time_zone: America/Los_Angeles\n  deploy_group: dev.x\n  actions:\n    a: {command: x}\n",
      "tz",
    );
    const at = Date.UTC(2026, 0, 1, 12, 0, 30); // 04:00:30 in Los Angeles (UTC-8)
    expect(kinds(decide(situation(la, at)).intents, "create-run")).toEqual([
      { kind: "create-run", scheduled_at: Date.UTC(2026, 0, 1, 12, 0, 0), skipped: false, reason: null },
    ]);
  });
});

describe("what starts", () => {
  const job = tronJob(DAG, "dag");
  const starts = (d: ReturnType<typeof decide>) =>
    kinds(d.intents, "start-attempt").map((i) => {
      const x = i as Extract<Intent, { kind: "start-attempt" }>;
      return `${x.run}.${x.action}.${x.attempt}`;
    });

  it("the DAG in order: a first, then b and c together", () => {
    const runs = [runRecord(job, 1, s(10))];
    expect(starts(decide(situation(job, s(10), runs)))).toEqual(["1.a.1"]);
    const aRunning = [attempt(job, 1, "a", 1, "running", { start: s(10) })];
    expect(starts(decide(situation(job, s(11), runs, aRunning)))).toEqual([]);
    const aDone = [attempt(job, 1, "a", 1, "succeeded", { start: s(10), end: s(11) })];
    expect(starts(decide(situation(job, s(11), runs, aDone)))).toEqual(["1.b.1", "1.c.1"]);
  });

  it("allow_overlap false: the next run queues behind the unfinished one, and says so", () => {
    const runs = [runRecord(job, 1, s(10)), runRecord(job, 2, s(20))];
    const d = decide(situation(job, s(20), runs, [attempt(job, 1, "a", 1, "running", { start: s(10) })]));
    expect(starts(d)).toEqual([]);
    const queued = d.views.find((v) => v.record.run === 2);
    expect(queued?.state).toBe("scheduled");
    expect(queued?.why).toBe("queued behind run 1");
    expect(queued?.actions.map((a) => a.state)).toEqual(["scheduled", "scheduled", "scheduled"]);
  });

  it("once the earlier run ends, the queued one starts", () => {
    const runs = [runRecord(job, 1, s(10)), runRecord(job, 2, s(20))];
    const done = ["a", "b", "c"].map((n) => attempt(job, 1, n, 1, "succeeded", { start: s(10), end: s(21) }));
    expect(starts(decide(situation(job, s(21), runs, done)))).toEqual(["2.a.1"]);
  });

  it("allow_overlap true: both run at once; queueing false: a time that comes during a run is skipped", () => {
    const overlap = tronJob(DAG.replace("deploy_group", "allow_overlap: true\n  deploy_group"), "dag");
    const runs = [runRecord(overlap, 1, s(10)), runRecord(overlap, 2, s(20))];
    const busy = [attempt(overlap, 1, "a", 1, "running", { start: s(10) })];
    expect(starts(decide(situation(overlap, s(20), runs, busy)))).toEqual(["2.a.1"]);
    const noQueue = tronJob(DAG.replace("deploy_group", "queueing: false\n  deploy_group"), "dag");
    const d = decide(situation(noQueue, s(20), [runRecord(noQueue, 1, s(10))], busy));
    expect(kinds(d.intents, "create-run")).toEqual([
      {
        kind: "create-run",
        scheduled_at: s(20),
        skipped: true,
        reason: "the previous run was still running (allow_overlap and queueing are false)",
      },
    ]);
  });

  it("a manual run starts at once, even while another runs", () => {
    const runs = [runRecord(job, 1, s(10)), runRecord(job, 2, s(12), { manual: true })];
    const d = decide(situation(job, s(12), runs, [attempt(job, 1, "a", 1, "running", { start: s(10) })]));
    expect(starts(d)).toEqual(["2.a.1"]);
  });
});

const RETRY = `flaky:
  schedule: interval 1m
  deploy_group: dev.x
  actions:
    a: {command: "false", retries: 2, retries_delay: 5s}
    b: {command: echo b, requires: [a]}
  cleanup_action: {command: echo cleanup}
`;

describe("retries, failure and the cleanup action", () => {
  const job = tronJob(RETRY, "flaky");
  const runs = [runRecord(job, 1, s(0))];
  const failed = (n: number, end: number, extra: Partial<AttemptRecord> = {}) =>
    attempt(job, 1, "a", n, "failed", { start: end - 1000, end }, extra);

  it("a failed attempt is retried after retries_delay, and the view says when", () => {
    const d = decide(situation(job, s(3), runs, [failed(1, s(1))]));
    expect(kinds(d.intents, "start-attempt")).toEqual([]);
    expect(d.wakeAt).toBe(s(6));
    const a = d.views[0]?.actions.find((x) => x.name === "a");
    expect(a?.state).toBe("waiting");
    expect(a?.why).toBe("attempt 1: exit code 1; retry 1 of 2 in 3s");
    expect(kinds(decide(situation(job, s(6), runs, [failed(1, s(1))])).intents, "start-attempt")).toEqual([
      { kind: "start-attempt", run: 1, action: "a", attempt: 2 },
    ]);
  });

  it("after its retries the action fails, what requires it is skipped, and the cleanup action runs", () => {
    const all = [failed(1, s(1)), failed(2, s(7)), failed(3, s(13))];
    const d = decide(situation(job, s(14), runs, all));
    const v = d.views[0];
    expect(v?.actions.map((a) => [a.name, a.state, a.why])).toEqual([
      ["a", "failed", "attempt 3: exit code 1"],
      ["b", "skipped", "a failed"],
      ["cleanup", "scheduled", "starting"],
    ]);
    expect(kinds(d.intents, "start-attempt")).toEqual([
      { kind: "start-attempt", run: 1, action: "cleanup", attempt: 1 },
    ]);
    const after = [...all, attempt(job, 1, "cleanup", 1, "succeeded", { start: s(14), end: s(15) })];
    const end = decide(situation(job, s(15), runs, after));
    expect(end.views[0]?.state).toBe("failed");
    expect(kinds(end.intents, "run-finished")).toEqual([
      { kind: "run-finished", run: 1, state: "failed", failed: ["a"] },
    ]);
    const reported = decide(situation(job, s(15), [{ ...(runs[0] as RunRecord), reported: true }], after));
    expect(kinds(reported.intents, "run-finished")).toEqual([]);
  });

  it("a user's kill is not retried; a user's retry that fails is not retried either", () => {
    const killed = decide(situation(job, s(10), runs, [failed(1, s(1), { killed: true, reason: "killed by a user" })]));
    expect(killed.views[0]?.actions[0]?.state).toBe("failed");
    expect(killed.views[0]?.actions[0]?.why).toBe("attempt 1: killed by a user");
    const manual = [failed(1, s(1)), failed(2, s(7)), failed(3, s(13)), failed(4, s(20), { manual: true })];
    expect(decide(situation(job, s(30), runs, manual)).views[0]?.actions[0]?.state).toBe("failed");
  });

  it("a user's retry of a failed action brings the skipped ones back to waiting", () => {
    const all = [
      failed(1, s(1)),
      failed(2, s(7)),
      failed(3, s(13)),
      attempt(job, 1, "a", 4, "running", { start: s(20) }, { manual: true }),
    ];
    const v = decide(situation(job, s(21), runs, all)).views[0];
    expect(v?.state).toBe("running");
    expect(v?.actions.map((a) => a.state)).toEqual(["running", "waiting", "waiting"]);
  });

  it("a cancelled run cancels what had not started; the run reads cancelled", () => {
    const v = decide(
      situation(job, s(1), [runRecord(job, 1, s(0), { state: "cancelled", reason: "cancelled by a user" })]),
    ).views[0];
    expect(v?.state).toBe("cancelled");
    expect(v?.actions.map((a) => a.state)).toEqual(["cancelled", "cancelled", "cancelled"]);
  });
});

describe("runtimes, announcements, pruning", () => {
  const job = tronJob(
    `slow:
  schedule: interval 1m
  deploy_group: dev.x
  expected_runtime: 20s
  actions:
    a: {command: sleep 100, max_runtime: 30s, expected_runtime: 10s}
`,
    "slow",
  );
  const runs = [runRecord(job, 1, s(0))];

  it("past expected_runtime an action (and the run) is reported overdue; past max_runtime it is killed", () => {
    const live = [attempt(job, 1, "a", 1, "running", { start: s(0) })];
    expect(decide(situation(job, s(5), runs, live)).wakeAt).toBe(s(10) + 1);
    const overdue = decide(situation(job, s(25), runs, live));
    expect(kinds(overdue.intents, "overdue")).toEqual([
      { kind: "overdue", run: 1, action: "a", attempt: 1, expected_seconds: 10, running_seconds: 25 },
      { kind: "overdue", run: 1, action: null, attempt: 0, expected_seconds: 20, running_seconds: 25 },
    ]);
    expect(kinds(decide(situation(job, s(31), runs, live)).intents, "kill-attempt")).toEqual([
      { kind: "kill-attempt", run: 1, action: "a", attempt: 1, reason: "exceeded max_runtime (30s)" },
    ]);
  });

  it("runs beyond run_limit are pruned, oldest first, never an unfinished or unannounced one", () => {
    const limited = tronJob(DAG.replace("deploy_group", "run_limit: 2\n  deploy_group"), "dag");
    const done = (run: number) =>
      ["a", "b", "c"].map((n) =>
        attempt(limited, run, n, 1, "succeeded", { start: s(run * 10), end: s(run * 10 + 1) }),
      );
    const runs = [1, 2, 3, 4].map((n) => runRecord(limited, n, s(n * 10), { reported: n !== 2 }));
    const d = decide(situation(limited, s(45), [...runs, runRecord(limited, 5, s(50))], [1, 2, 3, 4].flatMap(done)));
    expect(kinds(d.intents, "prune-run")).toEqual([{ kind: "prune-run", run: 1 }]);
  });
});

describe("cross-job triggers", () => {
  const yaml = `up:
  schedule: daily 04:00:00
  deploy_group: dev.x
  actions:
    extract: {command: x, trigger_downstreams: true}
    other: {command: x, trigger_downstreams: {ymd: "{year}{month}{day}"}}
down:
  schedule: daily 05:00:00
  deploy_group: dev.x
  actions:
    load: {command: y, triggered_by: ["svc.up.extract.shortdate.{shortdate}"], trigger_timeout: 1h}
`;
  const up = tronJob(yaml, "up");
  const down = tronJob(yaml, "down");
  const day = Date.UTC(2026, 0, 1, 5);
  const runs = [runRecord(down, 1, day)];
  const trigger = "svc.up.extract.shortdate.2026-01-01";

  it("an action that succeeded emits its triggers in its run's context; upstream jobs come from triggered_by", () => {
    const upRun = runRecord(up, 1, Date.UTC(2026, 0, 1, 4));
    const ok = ["extract", "other"].map((a) => attempt(up, 1, a, 1, "succeeded", { start: upRun.scheduled_at }));
    expect(emitted(up, [upRun], ok)).toEqual([trigger, "svc.up.other.ymd.20260101"]);
    expect(emitted(up, [upRun], [attempt(up, 1, "extract", 1, "failed")])).toEqual([]);
    expect(upstreamJobs(down)).toEqual([{ service: "svc", job: "up" }]);
  });

  it("waits for its trigger, starts once it is emitted, fails at its trigger_timeout", () => {
    const waiting = decide({ ...situation(down, day + 60_000, runs), triggers: new Set() });
    expect(waiting.views[0]?.actions[0]).toMatchObject({ state: "waiting", why: `waiting for trigger ${trigger}` });
    expect(kinds(waiting.intents, "start-attempt")).toEqual([]);
    expect(waiting.wakeAt).toBe(day + 60_000 + 10_000);
    const go = decide({ ...situation(down, day + 60_000, runs), triggers: new Set([trigger]) });
    expect(kinds(go.intents, "start-attempt")).toEqual([{ kind: "start-attempt", run: 1, action: "load", attempt: 1 }]);
    const late = decide({ ...situation(down, day + 3_601_000, runs), triggers: new Set() });
    expect(late.views[0]?.state).toBe("failed");
    expect(late.views[0]?.actions[0]?.why).toBe(`trigger ${trigger} not emitted within 3600s`);
  });
});
