/**
 * The supervisor's pure decisions, by value: what a tick does to one app (converge-plan.ts), what a health
 * check result does to a task (health-checks.ts), and the crash-loop backoff (backoff.ts). The processes,
 * drains and timers these decisions drive are tested end to end in acceptance.test.ts and drain.test.ts.
 */
import { describe, expect, it } from "vitest";
import { Backoffs, backoffDelayMs, hasRecovered } from "../../src/backends/local/backoff.js";
import { type ConvergeInput, planConverge } from "../../src/backends/local/converge-plan.js";
import { judgeHealth } from "../../src/backends/local/health-checks.js";
import { newTaskRecord } from "../../src/backends/local/launch.js";
import type { TaskRecord } from "../../src/backends/local/store.js";
import type { DesiredApp } from "../../src/model/app.js";

const NOW = 1_000_000;
// Hand-built values: the decisions are pure; the app carries only the fields they read.
function app(hash = "new", replicas = 3, bounce_method = "crossover"): DesiredApp {
  return {
    service: "s",
    instance: "main",
    git_sha: "b".repeat(40),
    image_version: null,
    config_hash: hash,
    replicas,
    config: { bounce_method, bounce_margin_factor: 1, min_task_uptime: 10 },
  } as unknown as DesiredApp;
}
let seq = 0;
function task(hash: string, state: TaskRecord["state"], healthyFor: number | null = null, startedAt = 0): TaskRecord {
  const t = newTaskRecord(app(hash), `t${++seq}`, 35000 + seq, "/nowhere", 0);
  return { ...t, state, started_at: startedAt, healthy_since: healthyFor === null ? null : NOW - healthyFor * 1000 };
}
const plan = (live: TaskRecord[], extra: Partial<ConvergeInput> = {}) =>
  planConverge({ app: app(), removing: false, live, now: NOW, backoff: undefined, ...extra });
const drained = (p: ReturnType<typeof plan>) => p.drain.map((d) => `${d.task.id}: ${d.why}`);

describe("converge plan", () => {
  it("a crossover bounce starts every new task at once, announces itself, and drains no old task yet", () => {
    const old = [task("old", "healthy", 60), task("old", "healthy", 60), task("old", "healthy", 60)];
    const p = plan(old);
    expect(p).toMatchObject({ start: 3, bounceBegins: true, forget: false });
    expect(p.drain).toEqual([]);
  });

  it("drains one old task per happy new task (healthy for min_task_uptime), never an unhappy one's worth", () => {
    const old = [task("old", "healthy", 60, 1), task("old", "healthy", 60, 2), task("old", "starting", null, 3)];
    const fresh = [task("new", "healthy", 11), task("new", "healthy", 5), task("new", "starting")];
    const p = plan([...old, ...fresh]);
    // One happy new task: 3 − 1 = 2 old tasks kept, the least desirable (not healthy) goes.
    expect(drained(p)).toEqual([`${old[2]?.id}: replaced by bbbbbbbb (new)`]);
    expect(p).toMatchObject({ start: 0, bounceBegins: false });
  });

  it("scales down by draining the least desirable tasks of the current version", () => {
    const fresh = [task("new", "starting", null, 1), task("new", "healthy", 60, 2), task("new", "healthy", 60, 3)];
    const p = plan(fresh, { app: app("new", 1) });
    expect(drained(p)).toEqual([`${fresh[2]?.id}: scaled down to 1`, `${fresh[0]?.id}: scaled down to 1`]);
  });

  it("a removed app drains everything, and is forgotten once no task is left", () => {
    const live = [task("new", "healthy", 60), task("new", "draining")];
    expect(drained(plan(live, { removing: true }))).toEqual([`${live[0]?.id}: instance removed`]);
    expect(plan(live, { removing: true }).forget).toBe(false);
    expect(plan([], { removing: true })).toEqual({ drain: [], start: 0, bounceBegins: false, forget: true });
    expect(drained(plan(live, { app: app("new", 0) }))).toEqual([
      `${live[0]?.id}: desired state is stop or instances is 0`,
    ]);
  });

  it("a crash loop holds starts back while it waits, then starts one task at a time", () => {
    expect(plan([], { backoff: { failures: 2, waitMs: 1500 } }).start).toBe(0);
    expect(plan([], { backoff: { failures: 2, waitMs: 0 } }).start).toBe(1);
    expect(plan([]).start).toBe(3);
  });

  it("downthenup starts nothing until the old tasks are gone", () => {
    const old = [task("old", "healthy", 60)];
    const p = plan(old, { app: app("new", 1, "downthenup") });
    expect(p.start).toBe(0);
    expect(drained(p)).toEqual([`${old[0]?.id}: replaced by bbbbbbbb (new)`]);
  });
});

describe("health verdicts", () => {
  const fail = { ok: false, detail: "HTTP 500 from /status" };
  it("counts consecutive failures and asks for a kill at max_consecutive_failures", () => {
    const t = { ...task("new", "starting"), failures: 1 };
    expect(judgeHealth(t, fail, 3, NOW)).toEqual({
      passed: false,
      patch: { failures: 2, reason: "health check failed 2/3: HTTP 500 from /status" },
      reason: "health check failed 2/3: HTTP 500 from /status",
      kill: false,
    });
    const last = judgeHealth({ ...t, failures: 2 }, fail, 3, NOW);
    expect(last).toMatchObject({ kill: true, patch: { state: "unhealthy", failures: 3 } });
  });

  it("a pass makes a task healthy once, and clears the failures of a healthy one", () => {
    expect(judgeHealth(task("new", "starting"), { ok: true, detail: "HTTP 200" }, 3, NOW)).toEqual({
      passed: true,
      patch: { state: "healthy", healthy_since: NOW, failures: 0, reason: null },
      becameHealthy: true,
    });
    const healthy = { ...task("new", "healthy", 60), failures: 2 };
    expect(judgeHealth(healthy, { ok: true, detail: "" }, 3, NOW)).toEqual({
      passed: true,
      patch: { failures: 0, reason: null },
      becameHealthy: false,
    });
    expect(judgeHealth({ ...healthy, failures: 0 }, { ok: true, detail: "" }, 3, NOW).patch).toBeNull();
  });
});

describe("crash-loop backoff", () => {
  it("doubles from 1 s up to 5 minutes", () => {
    expect([1, 2, 3, 4, 10, 30].map(backoffDelayMs)).toEqual([1000, 2000, 4000, 8000, 300_000, 300_000]);
  });

  it("is kept per version, waits after each failure, and is reset by a recovered task", () => {
    const b = new Backoffs();
    const t = task("new", "failed");
    b.record(t, "exited with code 1", NOW);
    b.record(t, "exited with code 1", NOW);
    expect(b.of("s", "main", "new", NOW + 500)).toEqual({
      failures: 2,
      nextStartAt: NOW + 2000,
      lastReason: "exited with code 1",
      waitMs: 1500,
    });
    expect(b.of("s", "main", "other", NOW)).toBeUndefined();
    expect(hasRecovered(NOW - 29_000, NOW)).toBe(false);
    expect(hasRecovered(NOW - 30_000, NOW)).toBe(true);
    b.reset(t);
    expect(b.of("s", "main", "new", NOW)).toBeUndefined();
  });
});
