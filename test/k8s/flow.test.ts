/** The adaptive write flow control's decisions (pure), and the gate that enforces them. */
import { describe, expect, it } from "vitest";
import {
  allowed,
  FLOW_DEFAULTS,
  type FlowSignal,
  initialFlow,
  nextFlow,
  retryDelayMs,
  signalOf,
} from "../../src/backends/kubernetes/flow.js";
import { WriteGate } from "../../src/backends/kubernetes/gate.js";

const run = (signals: Array<[FlowSignal, number]>) =>
  signals.reduce((s, [sig, at]) => nextFlow(s, sig, at), initialFlow());

describe("write flow control", () => {
  it("opens up while the server answers quickly, by about one write per round", () => {
    let s = initialFlow();
    expect(allowed(s)).toBe(8);
    // a round of 8 healthy answers adds a little under one (each adds 1/limit)
    for (let i = 0; i < 8; i++) s = nextFlow(s, { kind: "ok", ms: 20 }, i);
    expect(s.limit).toBeGreaterThan(8.9);
    expect(allowed(s)).toBe(8);
    for (let i = 0; i < 11; i++) s = nextFlow(s, { kind: "ok", ms: 20 }, i);
    expect(allowed(s)).toBe(10);
    for (let i = 0; i < 5000; i++) s = nextFlow(s, { kind: "ok", ms: 20 }, i);
    expect(allowed(s)).toBe(FLOW_DEFAULTS.max);
  });

  it("halves on 429 once per cool-down, and does not grow again during it", () => {
    const s = run([
      [{ kind: "throttled", retryAfterSeconds: 1 }, 10_000],
      [{ kind: "throttled", retryAfterSeconds: 1 }, 10_100], // same burst: not halved again
      [{ kind: "ok", ms: 10 }, 10_200], // within the cool-down: no growth
    ]);
    expect(s.limit).toBe(4);
    expect(s.throttled).toBe(2);
    const grown = nextFlow(s, { kind: "ok", ms: 10 }, 11_100);
    expect(grown.limit).toBe(4.25);
    expect(nextFlow(s, { kind: "throttled" }, 11_100).limit).toBe(2);
  });

  it("never goes below one write in flight; 5xx halves, slow answers shrink, 4xx leave it alone", () => {
    let s = initialFlow();
    for (let t = 0; t < 20; t++) s = nextFlow(s, { kind: "failed" }, t * 2000);
    expect(s.limit).toBe(1);
    expect(allowed(s)).toBe(1);
    // slow = 4 × the usual latency and over 500 ms; the usual latency follows drops at once, rises slowly
    let fast = initialFlow();
    for (let i = 0; i < 10; i++) fast = nextFlow(fast, { kind: "ok", ms: 150 }, i);
    expect(fast.usualMs).toBe(150);
    const slow = nextFlow(fast, { kind: "ok", ms: 700 }, 5000);
    expect(slow.limit).toBeCloseTo(fast.limit * 0.75);
    expect(slow.slow).toBe(1);
    expect(slow.usualMs).toBeCloseTo(151.1);
    expect(nextFlow(fast, { kind: "ok", ms: 450 }, 5000).slow).toBe(0); // under 500 ms: fine
    let steady = fast;
    for (let i = 0; i < 400; i++) steady = nextFlow(steady, { kind: "ok", ms: 700 }, 10_000 + i * 1000);
    expect(steady.usualMs).toBeGreaterThan(175); // a new normal is learnt, and stops counting as slow
    expect(nextFlow(steady, { kind: "ok", ms: 700 }, 1e7).slow).toBe(steady.slow);
    expect(nextFlow(initialFlow(), { kind: "rejected" }, 0)).toEqual(initialFlow());
  });

  it("classifies answers and spaces retries", () => {
    expect(signalOf(429, 5, "3")).toEqual({ kind: "throttled", retryAfterSeconds: 3 });
    expect(signalOf(503, 5)).toEqual({ kind: "throttled", retryAfterSeconds: undefined });
    expect(signalOf(500, 5)).toEqual({ kind: "failed" });
    expect(signalOf(undefined, 0)).toEqual({ kind: "failed" });
    expect(signalOf(422, 5)).toEqual({ kind: "rejected" });
    expect(signalOf(404, 5)).toEqual({ kind: "ok", ms: 5 });
    expect(signalOf(200, 12)).toEqual({ kind: "ok", ms: 12 });
    expect(retryDelayMs(1, 2, () => 0)).toBe(2000);
    expect(retryDelayMs(1, undefined, () => 0)).toBe(125);
    expect(retryDelayMs(4, undefined, () => 0)).toBe(1000);
    expect(retryDelayMs(30, undefined, () => 1)).toBe(16_000);
  });

  it("the gate lets at most the allowed number through and starts waiters in order", async () => {
    const gate = new WriteGate({ ...FLOW_DEFAULTS, initial: 2, max: 2 });
    const started: number[] = [];
    const all = [1, 2, 3, 4].map((n) => gate.acquire().then(() => started.push(n)));
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([1, 2]);
    expect(gate.active).toBe(2);
    gate.release({ kind: "ok", ms: 1 });
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([1, 2, 3]);
    gate.release({ kind: "ok", ms: 1 });
    gate.release({ kind: "ok", ms: 1 });
    await Promise.all(all);
    expect(started).toEqual([1, 2, 3, 4]);
  });
});
