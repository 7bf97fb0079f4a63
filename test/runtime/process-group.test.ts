/** Which process of a task's group is the service (pure): below the wrapper shells, also once the leader died. */
import { describe, expect, it } from "vitest";
import { mainProcess, type ProcInfo } from "../../src/backends/local/process-group.js";

const p = (pid: number, ppid: number, comm: string): ProcInfo => ({
  pid,
  ppid,
  pgid: 100,
  state: "S",
  start: "1",
  comm,
});

describe("mainProcess", () => {
  it("descends from the wrapper through single-child shells to the service", () => {
    expect(mainProcess([p(100, 1, "sh"), p(101, 100, "sh"), p(102, 101, "node")])?.pid).toBe(102);
    expect(mainProcess([p(100, 1, "sh"), p(101, 100, "node")])?.pid).toBe(101);
  });

  it("finds the service when the wrapper leading the group is gone", () => {
    expect(mainProcess([p(101, 1, "sh"), p(102, 101, "node")])?.pid).toBe(102);
  });

  it("stops at a shell with several children (a pipeline): that shell is the task's main process", () => {
    expect(mainProcess([p(100, 1, "sh"), p(101, 100, "sh"), p(102, 101, "cat"), p(103, 101, "grep")])?.pid).toBe(101);
  });

  it("has none for an empty group", () => {
    expect(mainProcess([])).toBeUndefined();
  });
});
