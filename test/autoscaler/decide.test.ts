/** The autoscaling decision, by value: the HPA's proportional rule, tolerance, bounds, stabilisation, rates. */
import { describe, expect, it } from "vitest";
import {
  type Behavior,
  behaviorOf,
  decide,
  NEW_STATE,
  proportional,
  type ScalerState,
} from "../../src/runtime/autoscaler/decide.js";

const DEFAULT_DOWN = behaviorOf({
  policies: [{ periodSeconds: 60, type: "Percent", value: 30 }],
  selectPolicy: "Max",
  stabilizationWindowSeconds: 300,
});
const FAST_DOWN: Behavior = {
  stabilizationWindowSeconds: 10,
  selectPolicy: "Max",
  policies: [{ type: "Percent", value: 100, periodSeconds: 1 }],
};
const bounds = { min: 1, max: 5 };

/** Runs decisions one second apart, feeding each its proposal; returns the counts. */
function run(proposals: Array<number | null>, down: Behavior, start = 1, b = bounds) {
  let state: ScalerState = NEW_STATE;
  let current = start;
  const counts: number[] = [];
  proposals.forEach((p, i) => {
    const d = decide({ now: 1_000_000 + i * 1000, current, proposals: [p], bounds: b, scaleDown: down, state });
    state = d.state;
    current = d.desired;
    counts.push(current);
  });
  return counts;
}

describe("proportional: ceil(value / setpoint × measured replicas), within 10 % no change", () => {
  it("scales with the ratio and rounds up", () => {
    expect(proportional(1.6, 0.8, 2, 2)).toBe(4);
    expect(proportional(0.9, 0.8, 3, 3)).toBe(4); // 1.125 → ceil(3.375)
    expect(proportional(0.2, 0.8, 4, 4)).toBe(1);
    expect(proportional(0, 0.8, 4, 4)).toBe(0);
  });
  it("keeps the current count within the tolerance, and has no proposal without data", () => {
    expect(proportional(0.85, 0.8, 3, 5)).toBe(5);
    expect(proportional(0.75, 0.8, 3, 5)).toBe(5);
    expect(proportional(null, 0.8, 3, 3)).toBeNull();
    expect(proportional(1, 0.8, 0, 3)).toBeNull();
  });
});

describe("decide", () => {
  it("scales up at once to the proposal, capped at max_instances", () => {
    expect(run([3], DEFAULT_DOWN)).toEqual([3]);
    expect(run([9], DEFAULT_DOWN)).toEqual([5]);
  });

  it("the highest proposal of several metrics wins; none with data keeps the count", () => {
    const d = decide({ now: 1, current: 2, proposals: [1, null, 4], bounds, scaleDown: FAST_DOWN, state: NEW_STATE });
    expect(d.desired).toBe(4);
    expect(d.calculated).toBe(4);
    const none = decide({ now: 1, current: 2, proposals: [null], bounds, scaleDown: FAST_DOWN, state: NEW_STATE });
    expect(none.desired).toBe(2);
    expect(none.calculated).toBeNull();
  });

  it("does not scale down within the stabilisation window, then goes down (no flapping on a dip)", () => {
    // 10 s window: up to 5, then the load drops; nothing happens for the window, then straight to 1.
    const counts = run([5, 5, 1, 1, 5, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], FAST_DOWN);
    expect(counts.slice(0, 14)).toEqual(Array(14).fill(5)); // the last 5 was proposed at 4 s: until 14 s
    expect(counts.at(-1)).toBe(1);
    // never up again after going down: monotonic once the load is gone
    const firstDown = counts.findIndex((c) => c < 5);
    expect(counts.slice(firstDown).every((c, i, a) => i === 0 || c <= (a[i - 1] as number))).toBe(true);
  });

  it("scale-down policies limit the rate: 30 % per minute by default (truncated), Pods per period, Disabled", () => {
    let state: ScalerState = { recommendations: [], upEvents: [], downEvents: [] };
    // current 10, wants 1, stabilisation already passed (recommendations older than the window)
    state = { ...state, recommendations: [{ at: 0, n: 1 }] };
    const b = { min: 1, max: 10 };
    const now = 1_000_000;
    expect(decide({ now, current: 10, proposals: [1], bounds: b, scaleDown: DEFAULT_DOWN, state }).desired).toBe(7);
    const pods: Behavior = { ...FAST_DOWN, policies: [{ type: "Pods", value: 2, periodSeconds: 60 }] };
    expect(decide({ now, current: 10, proposals: [1], bounds: b, scaleDown: pods, state }).desired).toBe(8);
    const off: Behavior = { ...FAST_DOWN, selectPolicy: "Disabled" };
    expect(decide({ now, current: 10, proposals: [1], bounds: b, scaleDown: off, state }).desired).toBe(10);
    // a scale-down earlier in the period counts: 10 → 7 already happened 30 s ago, so 7 may go to 7 only
    const after = { ...state, downEvents: [{ at: now - 30_000, n: 3 }] };
    expect(decide({ now, current: 7, proposals: [1], bounds: b, scaleDown: DEFAULT_DOWN, state: after }).desired).toBe(
      7,
    );
  });

  it("scale-up follows the HPA's default rate: +100 % or +4 per 15 s, the larger", () => {
    const b = { min: 1, max: 50 };
    expect(
      decide({ now: 1, current: 2, proposals: [40], bounds: b, scaleDown: FAST_DOWN, state: NEW_STATE }).desired,
    ).toBe(6);
    expect(
      decide({ now: 1, current: 10, proposals: [40], bounds: b, scaleDown: FAST_DOWN, state: NEW_STATE }).desired,
    ).toBe(20);
  });

  it("a count outside the bounds goes to the bound at once (an override takes effect now)", () => {
    const state = { recommendations: [{ at: 999_000, n: 5 }], upEvents: [], downEvents: [] };
    const up = decide({
      now: 1_000_000,
      current: 1,
      proposals: [1],
      bounds: { min: 3, max: 5 },
      scaleDown: DEFAULT_DOWN,
      state,
    });
    expect(up.desired).toBe(3);
    const down = decide({
      now: 1_000_000,
      current: 5,
      proposals: [5],
      bounds: { min: 2, max: 2 },
      scaleDown: DEFAULT_DOWN,
      state,
    });
    expect(down.desired).toBe(2);
  });

  it("a state never seen starts with the current count in its window: a restart does not scale down at once", () => {
    const d = decide({ now: 5, current: 4, proposals: [1], bounds, scaleDown: DEFAULT_DOWN, state: NEW_STATE });
    expect(d.desired).toBe(4);
    expect(d.reason).toMatch(/stabilisation/);
  });

  it("behaviorOf reads the HPA's scaleDown fields and falls back on bad values", () => {
    expect(
      behaviorOf({
        stabilizationWindowSeconds: 10,
        selectPolicy: "Min",
        policies: [{ type: "Pods", value: 1, periodSeconds: 5 }],
      }),
    ).toEqual({
      stabilizationWindowSeconds: 10,
      selectPolicy: "Min",
      policies: [{ type: "Pods", value: 1, periodSeconds: 5 }],
    });
    expect(behaviorOf({ stabilizationWindowSeconds: "x", policies: [{ type: "Bogus" }] })).toEqual({
      stabilizationWindowSeconds: 300,
      selectPolicy: "Max",
      policies: [],
    });
  });
});
