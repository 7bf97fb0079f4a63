/**
 * The CLI's pure parts, by value: PaaSTA's log time/line/component values, times in words, the status screen,
 * a log line, the deploy queue, "did you mean", the option-parity table and the completion scripts.
 */
import { describe, expect, it } from "vitest";
import type { InstanceStatus, TaskStatus } from "../../src/backends/backend.js";
import { bashCompletion, zshCompletion } from "../../src/cli/completion.js";
import { bufferIo, marks } from "../../src/cli/io.js";
import { durationSeconds, lineWindow, parseComponents, parseLogTime } from "../../src/cli/logs-args.js";
import { formatLogLine, fromTasks, shortTask } from "../../src/cli/logs-format.js";
import { buildProgram } from "../../src/cli/main.js";
import { optionParity } from "../../src/cli/parity/table.js";
import { instanceLines, readyText, stateText } from "../../src/cli/status-view.js";
import { localTime, naturalTime } from "../../src/cli/time-words.js";
import { closestKey, editDistance } from "../../src/config/key-suggest.js";
import { PaastaError } from "../../src/errors.js";
import { deployQueueOf } from "../../src/reconcile/queue.js";

const m = marks(bufferIo());
const NOW = Date.parse("2026-11-23T12:00:00Z");

describe("logs values, as PaaSTA reads them", () => {
  it("durations in pytimeparse's forms, and times before now", () => {
    expect(durationSeconds("10m")).toBe(600);
    expect(durationSeconds("1d3h")).toBe(97200);
    expect(durationSeconds("2 hours 5 min")).toBe(7500);
    expect(durationSeconds("4:13")).toBe(253);
    expect(durationSeconds("10 minutes ago")).toBe(600);
    expect(durationSeconds("soon")).toBeUndefined();
    expect(parseLogTime("-a", "10m", NOW).toISOString()).toBe("2026-11-23T11:50:00.000Z");
    expect(parseLogTime("-a", "2026-11-20T10:00:00Z", NOW).toISOString()).toBe("2026-11-20T10:00:00.000Z");
    const y = parseLogTime("-a", "yesterday", NOW);
    expect(NOW - y.getTime()).toBeGreaterThan(86400_000);
    expect(NOW - y.getTime()).toBeLessThanOrEqual(2 * 86400_000);
  });

  it("a bad time or component is a usage error saying what is accepted", () => {
    const bad = (() => {
      try {
        parseLogTime("-a/--from", "next tuesday-ish", NOW);
      } catch (e) {
        return e as PaastaError;
      }
    })();
    expect(bad?.code).toBe("PAASTA_CLI_BAD_VALUE");
    expect(bad?.exitCode).toBe(2);
    expect(bad?.fix).toContain('"10m"');
    expect(() => parseComponents("stdout,stdrr")).toThrow(/unknown component stdrr/);
    expect(parseComponents("app_output,deploy")).toEqual(["stdout", "stderr", "deploy"]);
  });

  it("-l/-n N, +N and -o/--line-offset select lines as PaaSTA's do", () => {
    const all = Array.from({ length: 10 }, (_, i) => i + 1);
    expect(lineWindow(undefined, undefined).fetch).toBe(100);
    expect(lineWindow("3", undefined).select(all)).toEqual([8, 9, 10]);
    expect(lineWindow("+3", "2").select(all)).toEqual([2, 3, 4]);
    expect(lineWindow("-3", "5").select(all)).toEqual([3, 4, 5]);
    expect(lineWindow("+3", "2").fetch).toBe(0);
    expect(() => lineWindow("many", undefined)).toThrow(PaastaError);
  });
});

describe("times in words", () => {
  it("naturaltime's words, local absolute times", () => {
    expect(naturalTime(NOW - 3 * 60_000, NOW)).toBe("3 minutes ago");
    expect(naturalTime(NOW - 60_000, NOW)).toBe("a minute ago");
    expect(naturalTime(NOW - 2 * 3600_000, NOW)).toBe("2 hours ago");
    expect(naturalTime(NOW - 400, NOW)).toBe("now");
    expect(naturalTime(NOW + 5000, NOW)).toBe("5 seconds from now");
    expect(localTime(NOW)).toMatch(/^2026-11-2\d \d\d:00:00$/);
  });
});

const task = (over: Partial<TaskStatus>): TaskStatus => ({
  id: "main-1a2b3c4d-aaaaaa",
  host: "127.0.0.1",
  port: 31000,
  state: "healthy",
  healthy: true,
  restarts: 0,
  started_at: new Date(NOW - 180_000).toISOString(),
  last_exit_code: null,
  reason: null,
  pid: 42,
  ...over,
});

const bouncing: InstanceStatus = {
  service: "hello",
  instance: "main",
  cluster: "dev",
  desired_state: "start",
  desired_instances: 2,
  bounce_method: "crossover",
  deploy_status: "Deploying",
  deploy_status_message: "1/2 tasks of 5e6f7a8b (cfg2) healthy",
  error_message: null,
  versions: [
    {
      git_sha: "5e6f7a8b00",
      image_version: null,
      config_hash: "cfg2",
      desired: true,
      replicas: 2,
      ready_replicas: 1,
      tasks: [
        task({ id: "main-5e6f7a8b-bbbbbb" }),
        task({ id: "main-5e6f7a8b-cccccc", state: "starting", healthy: false, restarts: 2, last_exit_code: 1 }),
      ],
    },
    {
      git_sha: "1a2b3c4d00",
      image_version: null,
      config_hash: "cfg1",
      desired: false,
      replicas: 0,
      ready_replicas: 0,
      tasks: [task({ state: "draining" }), task({ id: "main-1a2b3c4d-dddddd", state: "draining" })],
    },
  ],
};

describe("the status screen", () => {
  it("says Bouncing (old → new) while an old version has tasks; draining is not 0/0 healthy", () => {
    expect(stateText(bouncing)).toBe("Bouncing (1a2b3c4d → 5e6f7a8b)");
    expect(readyText(bouncing.versions[1] as (typeof bouncing.versions)[number])).toBe("draining 2 tasks");
    const lines = instanceLines(bouncing, m, 0, NOW);
    expect(lines[0]).toContain("State: Bouncing (1a2b3c4d → 5e6f7a8b)");
    expect(lines.join("\n")).not.toContain("0/0 healthy");
    expect(lines.join("\n")).toContain("Version: 5e6f7a8b (cfg2) - 1/2 healthy, started 3 minutes ago, 2 restart(s)");
  });

  it("-v lists tasks with absolute times, per-task restarts and the replaced task's exit code", () => {
    const lines = instanceLines(bouncing, m, 1, NOW).join("\n");
    expect(lines).toMatch(
      /main-5e6f7a8b-cccccc {2}127\.0\.0\.1:31000 {2}starting {2}started \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(3 minutes ago\) {2}restarts 2 \(last exit 1\)/,
    );
    expect(lines).toMatch(/main-5e6f7a8b-bbbbbb .* restarts 0\n/);
    expect(instanceLines(bouncing, m, 2, NOW).join("\n")).toContain("pid 42");
  });

  it("a settled instance reads Running", () => {
    const settled = {
      ...bouncing,
      deploy_status: "Running" as const,
      versions: [bouncing.versions[0]],
    } as InstanceStatus;
    expect(stateText(settled)).toBe("Running");
  });
});

describe("a log line", () => {
  it("names its task by the short part of its id, with the local time it was written", () => {
    const line = {
      timestamp: "2026-11-23T12:00:00.000Z",
      level: "event" as const,
      cluster: "dev",
      service: "hello",
      instance: "main",
      component: "stdout",
      message: "hello",
      task: "main-1a2b3c4d-9f8e7d",
    };
    expect(shortTask(line.task)).toBe("9f8e7d");
    expect(formatLogLine(line, m)).toBe(`${localTime(NOW)} [stdout] [dev] main[9f8e7d] - hello`);
    expect(formatLogLine(line, m, { stripHeaders: true })).toBe("hello");
    expect(fromTasks(line, ["9f8e7d"])).toBe(true);
    expect(fromTasks(line, ["main-1a2b3c4d-9f8e7d"])).toBe(true);
    expect(fromTasks(line, ["other"])).toBe(false);
  });
});

describe("the deploy queue", () => {
  it("available: deferred and retrying; unavailable: refused and frozen services", () => {
    const app = { service: "hello", instance: "main" } as never;
    const q = deployQueueOf(
      "dev",
      {
        plan: { items: [], refused: null },
        desired: {
          cluster: "dev",
          apps: [],
          undeployed: [],
          frozen: new Map([["broken", [{ file: "x", message: "y" }]]]),
          services: [],
          namespaces: [],
        },
        treeError: null,
        outcomes: [
          { kind: "deferred", item: { action: "apply", change: "code-deploy", app, reason: "r" } },
          {
            kind: "failed",
            item: { action: "apply", change: "create", app: { service: "a", instance: "b" } as never, reason: "r" },
            error: { code: "X", message: "cluster busy", retryable: true },
          },
          {
            kind: "failed",
            item: { action: "delete", service: "c", instance: "d", reason: "r" },
            error: { code: "Y", message: "refused", retryable: false },
          },
          { kind: "unchanged", item: { action: "keep", service: "e", instance: "f", reason: "r" } },
        ],
        writes: 0,
        durationMs: 1,
      },
      { lastPassAt: NOW, pending: false },
    );
    expect(q.available_service_instances.map((e) => [`${e.service}.${e.instance}`, e.action])).toEqual([
      ["hello.main", "code-deploy"],
      ["a.b", "create"],
    ]);
    expect(q.available_service_instances[1]?.reason).toBe("retrying: cluster busy");
    expect(q.unavailable_service_instances.map((e) => `${e.service}.${e.instance}`)).toEqual(["c.d", "broken.*"]);
    expect(q.last_pass_at).toBe("2026-11-23T12:00:00.000Z");
  });
});

describe("did you mean", () => {
  it("the closest allowed key, only when it is close", () => {
    expect(editDistance("instanecs", "instances")).toBe(1);
    expect(closestKey("instanecs", ["instances", "cpus", "mem"])).toBe("instances");
    expect(closestKey("oops", ["instances", "cpus", "mem"])).toBeUndefined();
  });
});

describe("PaaSTA's options and shell completion, from the command definitions", () => {
  it("every option PaaSTA's parsers accept is accepted here, or says why not", () => {
    const rows = optionParity();
    expect(rows.length).toBeGreaterThan(150);
    const unexplained = rows.filter((r) => r.refused.length > 0 && !r.option.missing);
    expect(unexplained.map((r) => `${r.command} ${r.refused.join(",")}`)).toEqual([]);
    const logs = rows.filter((r) => r.command === "logs").flatMap((r) => r.accepted);
    for (const f of ["-F", "--tail", "--after", "-n", "--line-offset", "--strip-headers", "--cluster", "--instance"])
      expect(logs).toContain(f);
  });

  it("the completion scripts list every command and, per command, its options and aliases", () => {
    const program = buildProgram(bufferIo(), () => {});
    const bash = bashCompletion(program);
    for (const c of program.commands) expect(bash).toContain(`    ${c.name()}) `);
    const logsLine = bash.split("\n").find((l) => l.startsWith("    logs) echo ")) ?? "";
    for (const f of ["-F", "--after", "--tail", "-S", "--help"]) expect(logsLine.split(/[ "]/)).toContain(f);
    expect(bash).toContain("complete -F _paasta paasta");
    expect(zshCompletion(program)).toMatch(/^#compdef paasta\n[\s\S]*bashcompinit[\s\S]*complete -F _paasta paasta/);
  });
});
