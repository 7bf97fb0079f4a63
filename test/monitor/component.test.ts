/**
 * The monitor component with the runtime's event stream: job runs and OOM kills emitted on a real EventBus
 * (as the scheduler and executors publish them) become check_tron_job / oom-killer alerts, resolve on a later
 * success, and survive a restart through the persisted record. The job's monitoring config comes from a real
 * soa-configs tree. Fakes (each says what it leaves out): the reader returns no instances (the instance
 * checks are tested in checks.test.ts and end to end); the sink records what it is given (no network).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createMetrics } from "../../src/api/metrics.js";
import type { Backend } from "../../src/backends/backend.js";
import { loadSystemConfig } from "../../src/config/system.js";
import { EventBus } from "../../src/runtime/events.js";
import { MonitorComponent } from "../../src/runtime/monitor/index.js";
import type { Notification, Sink } from "../../src/runtime/monitor/sinks/index.js";
import { stateStore } from "../../src/runtime/monitor/state.js";
import { tempDir } from "../helpers/cli.js";
import { configOf, status, task, version } from "./fixture.js";

class Recorder implements Sink {
  readonly id = "recorder";
  readonly kinds = new Set(["fire", "refire", "resolve"] as const);
  readonly supersedes = new Set<never>();
  readonly got: Notification[] = [];
  async deliver(batch: readonly Notification[]) {
    this.got.push(...batch);
  }
}

function setup() {
  const root = tempDir("paasta-monitor-component-");
  const soa = join(root, "soa");
  mkdirSync(join(soa, "svc"), { recursive: true });
  writeFileSync(join(soa, "svc", "service.yaml"), "description: d\nexternal_link: x\n");
  writeFileSync(join(soa, "svc", "monitoring.yaml"), "team: data\n");
  writeFileSync(
    join(soa, "svc", "tron-c1.yaml"),
    "nightly:\n  schedule: daily 04:00\n  monitoring:\n    team: etl\n    page: true\n  actions:\n    load:\n      command: ./load\n",
  );
  mkdirSync(join(root, "etc"));
  writeFileSync(join(root, "etc", "paasta.json"), JSON.stringify({ cluster: "c1", clusters: ["c1"] }));
  // A backend with only the RecordStore power, kept in memory across the two monitors below.
  const records = new Map<string, string>();
  const backend = {
    kind: "test",
    applyConcurrency: 1,
    readRecord: async (n: string) => records.get(n),
    writeRecord: async (n: string, t: string) => void records.set(n, t),
  } as unknown as Backend;
  const ctx = {
    cluster: "c1",
    soaDir: soa,
    system: loadSystemConfig(join(root, "etc")),
    backend,
    log: { write() {} },
    events: new EventBus(),
    metrics: createMetrics(),
    version: "t",
    env: process.env,
  };
  const reader = { read: async () => ({ apps: [], statuses: new Map(), frozen: new Set<string>() }) };
  return { ctx, reader, store: stateStore(backend, "c1") };
}

const at = "2025-01-01T04:00:00.000Z";
const base = { at, service: "svc", instance: "nightly", cluster: "c1", job: "nightly", run: 3 };

describe("monitor component and the event stream", () => {
  it("a failed job run pages the job's team; a later success resolves it; a restart keeps the state", async () => {
    const { ctx, reader, store } = setup();
    const sink = new Recorder();
    const m = new MonitorComponent(ctx, { reader, store, sinks: [sink], intervalSeconds: 3600 });
    await m.start();
    ctx.events.emit("job.run.finished", { ...base, state: "failed", failed_actions: ["load"], manual: false });
    await m.pass();
    expect(sink.got.map((n) => [n.kind, n.event.name, n.event.team, n.event.page])).toEqual([
      ["fire", "check_tron_job.svc.nightly", "etl", true],
    ]);
    expect(sink.got[0]?.event.output).toContain("failed action(s): load");
    expect(m.alerts()).toMatchObject([{ check: "check_tron_job.svc.nightly", state: "firing", sent_to: ["recorder"] }]);
    await m.stop();

    const again = new MonitorComponent(
      { ...ctx, metrics: createMetrics() },
      { reader, store, sinks: [sink], intervalSeconds: 3600 },
    );
    await again.start();
    await again.pass();
    expect(sink.got.filter((n) => n.kind === "fire")).toHaveLength(1);
    ctx.events.emit("job.run.finished", { ...base, run: 4, state: "succeeded", failed_actions: [], manual: false });
    await again.pass();
    expect(sink.got.at(-1)?.kind).toBe("resolve");
    expect(again.alerts()).toEqual([]);
    await again.stop();
  });

  it("an overdue action warns; an OOM kill reported by task.exited alerts oom-killer (never pages)", async () => {
    const { ctx, store } = setup();
    const config = configOf({
      "monitoring.yaml": "team: data\npage: true\n",
      "kubernetes-c1.yaml": "main:\n  cmd: x\n",
    });
    const healthy = status([version({ tasks: [task()] })], { desired_instances: 1 });
    const reader = {
      read: async () => ({
        apps: [{ service: "svc", instance: "main", cluster: "c1", config }] as never,
        statuses: new Map([["svc.main", healthy]]),
        frozen: new Set<string>(),
      }),
    };
    const sink = new Recorder();
    const m = new MonitorComponent(ctx, { reader, store, sinks: [sink], intervalSeconds: 60 });
    await m.start();
    ctx.events.emit("job.action.overdue", {
      ...base,
      instance: "nightly.load",
      action: "load",
      expected_runtime_seconds: 60,
      running_seconds: 120,
    });
    ctx.events.emit("task.exited", {
      ...base,
      at: new Date().toISOString(),
      instance: "main",
      task: "t1",
      exitCode: 137,
      reason: "OOMKilled",
    });
    await m.pass();
    const job = sink.got.find((n) => n.event.name === "check_tron_job.svc.nightly");
    expect(job?.event.status).toBe(1);
    expect(job?.event.output).toContain("action load has run 120s (expected 60s)");
    const oom = sink.got.find((n) => n.event.name === "oom-killer.svc.main");
    expect(oom).toMatchObject({ kind: "fire", event: { status: 2, page: false, team: "data" } });
    expect(oom?.event.output).toContain("task t1: OOMKilled");
    expect(
      sink.got
        .filter((n) => n.kind === "fire")
        .map((n) => n.event.name)
        .sort(),
    ).toEqual(["check_tron_job.svc.nightly", "oom-killer.svc.main"]);
    await m.stop();
  });
});
