/** What the process executor measures of its tasks, read from /proc for real process groups. */
import { type ChildProcess, spawn } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { ProcUsage, parseStat } from "../../src/backends/local/proc-usage.js";
import { signalGroup } from "../../src/backends/local/process-group.js";
import { sleep } from "../helpers/runtime.js";

const started: ChildProcess[] = [];
/** A process group led by `sh -c SCRIPT` (as the process executor starts tasks). */
function group(script: string): number {
  const child = spawn("/bin/sh", ["-c", script], { detached: true, stdio: "ignore" });
  started.push(child);
  return child.pid as number;
}

afterAll(async () => {
  for (const c of started) signalGroup(c.pid, "SIGKILL");
  await sleep(100);
});

describe("ProcUsage", () => {
  it("parses /proc/PID/stat even when the command name has spaces and parentheses", () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i));
    fields[2] = "4242"; // pgrp
    fields[11] = "100"; // utime
    fields[12] = "50"; // stime
    fields[13] = "7"; // cutime
    fields[14] = "3"; // cstime
    fields[21] = "25"; // rss pages
    expect(parseStat(`123 (my (odd) name) ${fields.join(" ")}`)).toEqual({ pgrp: 4242, ticks: 160, rssPages: 25 });
    expect(parseStat("garbage")).toBeUndefined();
  });

  it("sums the CPU time of every process of a group (children included); an idle group uses none; others are not counted", async () => {
    // A busy child inside the group, under a waiting shell; an idle group; a busy process outside both.
    const busy = group("sh -c 'while :; do :; done' & wait");
    const idle = group("sleep 30");
    group("while :; do :; done");
    const usage = new ProcUsage();
    const before = usage.read(new Set([busy, idle]));
    await sleep(1000);
    const after = usage.read(new Set([busy, idle]));
    const burnt = (after.get(busy)?.cpu_seconds ?? 0) - (before.get(busy)?.cpu_seconds ?? 0);
    // one core for a second, on a shared machine: at least a fifth of it, at most a core's worth
    expect(burnt).toBeGreaterThan(0.2);
    expect(burnt).toBeLessThan(1.3);
    expect((after.get(idle)?.cpu_seconds ?? 0) - (before.get(idle)?.cpu_seconds ?? 0)).toBeLessThan(0.05);
    expect(after.get(busy)?.memory_bytes).toBeGreaterThan(100 * 1024);
    expect([...after.keys()].sort()).toEqual([busy, idle].sort());
  });

  it("a group whose processes are gone is absent", async () => {
    const g = group("exit 0");
    await sleep(200);
    expect(new ProcUsage().read(new Set([g])).has(g)).toBe(false);
  });
});
