import { describe, expect, it } from "vitest";
import { decideBounce } from "../../src/backends/local/bounce.js";

const old = ["o1", "o2", "o3"];

describe("bounce decisions (reference §6.1)", () => {
  it("crossover keeps ceil(instances × margin) − happy new old tasks", () => {
    expect(decideBounce({ method: "crossover", instances: 3, happyNew: 0, oldTasks: old, marginFactor: 0.95 })).toEqual(
      { startNew: true, drain: [] },
    );
    expect(
      decideBounce({ method: "crossover", instances: 3, happyNew: 1, oldTasks: old, marginFactor: 0.95 }).drain,
    ).toEqual(["o3"]);
    expect(
      decideBounce({ method: "crossover", instances: 3, happyNew: 3, oldTasks: old, marginFactor: 0.95 }).drain,
    ).toEqual(old);
    // margin 0.5 may pre-drain: ceil(1.5) = 2 kept
    expect(
      decideBounce({ method: "crossover", instances: 3, happyNew: 0, oldTasks: old, marginFactor: 0.5 }).drain,
    ).toEqual(["o3"]);
  });

  it("brutal drains every old task at once", () => {
    expect(decideBounce({ method: "brutal", instances: 3, happyNew: 0, oldTasks: old, marginFactor: 1 })).toEqual({
      startNew: true,
      drain: old,
    });
  });

  it("upthendown drains nothing until all new tasks are happy", () => {
    expect(
      decideBounce({ method: "upthendown", instances: 3, happyNew: 2, oldTasks: old, marginFactor: 1 }).drain,
    ).toEqual([]);
    expect(
      decideBounce({ method: "upthendown", instances: 3, happyNew: 3, oldTasks: old, marginFactor: 1 }).drain,
    ).toEqual(old);
  });

  it("downthenup starts new tasks only when no old task is left", () => {
    expect(decideBounce({ method: "downthenup", instances: 3, happyNew: 0, oldTasks: old, marginFactor: 1 })).toEqual({
      startNew: false,
      drain: old,
    });
    expect(decideBounce({ method: "downthenup", instances: 3, happyNew: 0, oldTasks: [], marginFactor: 1 })).toEqual({
      startNew: true,
      drain: [],
    });
  });
});
