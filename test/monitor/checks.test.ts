/** The monitor's checks as pure functions from (resolved config, status, now) to PaaSTA's events. */
import { describe, expect, it } from "vitest";
import { DEFAULTS } from "../../src/config/resolve/defaults.js";
import { bounceStuckCheck, trackProgress } from "../../src/runtime/monitor/checks/bounce.js";
import { crashLoopCheck } from "../../src/runtime/monitor/checks/crash-loop.js";
import { jobCheck } from "../../src/runtime/monitor/checks/jobs.js";
import { oomCheck } from "../../src/runtime/monitor/checks/oom.js";
import { replicationCheck } from "../../src/runtime/monitor/checks/replication.js";
import { configOf, status, task, version } from "./fixture.js";

const MON = "team: payments\nrunbook: http://runbooks/svc\ntip: restart it\npage: true\n";
const two = configOf({ "monitoring.yaml": MON, "kubernetes-c1.yaml": "main:\n  cmd: x\n  instances: 2\n" });
const healthy = (n: number) => Array.from({ length: n }, (_, i) => task({ id: `t${i}` }));

describe("replication", () => {
  it("OK at or above the threshold, with PaaSTA's name, fields and defaults", () => {
    const e = replicationCheck(two, status([version({ tasks: healthy(1) })]), "c1");
    expect(e).toMatchObject({
      name: "check_paasta_services_replication.svc.main",
      status: 0,
      output: "svc.main has 1/2 replicas available (threshold: 50%)",
      team: "payments",
      page: true,
      runbook: "http://runbooks/svc",
      tip: "restart it",
      alert_after: DEFAULTS.replication_alert_after,
      realert_every: -1,
      check_every: "1m",
      source: "paasta-c1",
      ttl: null,
    });
  });

  it("CRITICAL under the threshold, with the reason status gives", () => {
    const s = status([version({ tasks: [task({ healthy: false, state: "unhealthy" })] })], {
      deploy_status: "Deploying",
      deploy_status_message: "0/2 tasks healthy; last problem: health check failed 3/3: HTTP 500 from /status",
    });
    const e = replicationCheck(two, s, "c1");
    expect(e?.status).toBe(2);
    expect(e?.output).toBe(
      "svc.main has 0/2 replicas available (threshold: 50%)\n0/2 tasks healthy; last problem: health check failed 3/3: HTTP 500 from /status",
    );
  });

  it("alert_after: 20m for a fixed single instance, the configured value (seconds as <n>s) otherwise", () => {
    const one = configOf({ "monitoring.yaml": "team: a\n", "kubernetes-c1.yaml": "main:\n  cmd: x\n" });
    expect(replicationCheck(one, status([]), "c1")?.alert_after).toBe("20m");
    const set = configOf({ "monitoring.yaml": "team: a\nalert_after: 0\n", "kubernetes-c1.yaml": "main:\n  cmd: x\n" });
    expect(replicationCheck(set, status([]), "c1")?.alert_after).toBe("0s");
    expect(replicationCheck(one, status([]), "c1")).toMatchObject({
      runbook: DEFAULTS.replication_runbook,
      tip: "Check the instance with: paasta status -s svc -i main -c c1 -vv",
    });
  });

  it("counts ready replicas of every version (an old version still serves)", () => {
    const s = status([version({ tasks: [] }), version({ desired: false, config_hash: "old", tasks: healthy(2) })]);
    expect(replicationCheck(two, s, "c1")?.status).toBe(0);
  });

  it("a stopped instance is OK; no team, no event", () => {
    expect(replicationCheck(two, status([], { desired_state: "stop" }), "c1")?.status).toBe(0);
    const teamless = configOf({ "monitoring.yaml": "page: true\n", "kubernetes-c1.yaml": "main:\n  cmd: x\n" });
    expect(replicationCheck(teamless, status([]), "c1")).toBeUndefined();
  });

  it("autoscaled: expected is the live count clamped to min/max", () => {
    const auto = configOf({
      "monitoring.yaml": "team: a\n",
      "kubernetes-c1.yaml": "main:\n  cmd: x\n  min_instances: 2\n  max_instances: 4\n",
    });
    const s = status([version({ tasks: healthy(2) })], { desired_instances: 6 });
    expect(replicationCheck(auto, s, "c1")?.output).toContain("2/4 replicas");
    expect(replicationCheck(auto, s, "c1")?.alert_after).toBe("10m");
  });
});

describe("crash loop", () => {
  it("CRITICAL with the last exit code and reason once restarts reach the threshold and it is not healthy", () => {
    const t = task({
      state: "unhealthy",
      healthy: false,
      restarts: 4,
      last_exit_code: 1,
      reason: "exited with code 1",
    });
    const e = crashLoopCheck(two, status([version({ tasks: [t] })]), "c1");
    expect(e?.name).toBe("check_paasta_crash_loop.svc.main");
    expect(e?.status).toBe(2);
    expect(e?.output).toContain("svc.main is crash looping: 4 restart(s) of version aaaaaaaa (config1), 0/2 healthy");
    expect(e?.output).toContain("last exit code: 1; reason: exited with code 1");
  });

  it("sees the loop between two restarts from the version's remembered failures", () => {
    const v = version({
      tasks: [],
      failures: { count: 3, last_exit_code: 7, last_reason: "exited with code 7", last_at: null },
    });
    const e = crashLoopCheck(two, status([v]), "c1");
    expect(e?.status).toBe(2);
    expect(e?.output).toContain("last exit code: 7; reason: exited with code 7");
  });

  it("OK when healthy again, or under the threshold", () => {
    const healed = version({ tasks: healthy(2).map((t) => ({ ...t, restarts: 9 })) });
    expect(crashLoopCheck(two, status([healed]), "c1")?.status).toBe(0);
    const few = version({ tasks: [task({ healthy: false, state: "starting", restarts: 2 })] });
    expect(crashLoopCheck(two, status([few]), "c1")?.status).toBe(0);
  });
});

describe("bounce stuck", () => {
  const stuck = status([version({ tasks: [] }), version({ desired: false, config_hash: "old", tasks: healthy(2) })], {
    deploy_status: "Deploying",
    deploy_status_message:
      "0/2 tasks of bbbbbbbb (config2) healthy; last problem: health check failed 3/3: HTTP 500 from /status",
  });
  const t0 = new Date("2025-01-01T00:00:00Z");
  const later = (s: number) => new Date(t0.getTime() + s * 1000);

  it("progress resets when what counts changes, and is forgotten when Running", () => {
    const p = trackProgress(undefined, stuck, t0);
    expect(p?.since).toBe(t0.toISOString());
    expect(trackProgress(p, stuck, later(60))).toBe(p);
    const moved = status(
      [version({ tasks: healthy(1) }), version({ desired: false, config_hash: "old", tasks: healthy(1) })],
      {
        deploy_status: "Deploying",
      },
    );
    expect(trackProgress(p, moved, later(60))?.since).toBe(later(60).toISOString());
    expect(trackProgress(p, status([version({ tasks: healthy(2) })]), later(60))).toBeUndefined();
  });

  it("CRITICAL after the limit without progress, with the reason in the text", () => {
    const p = trackProgress(undefined, stuck, t0);
    expect(bounceStuckCheck(two, stuck, p, later(899), 900, "c1")?.status).toBe(0);
    const e = bounceStuckCheck(two, stuck, p, later(900), 900, "c1");
    expect(e?.status).toBe(2);
    expect(e?.name).toBe("check_paasta_bounce_progress.svc.main");
    expect(e?.output).toContain("has made no progress for 15m (limit 15m)");
    expect(e?.output).toContain("health check failed 3/3: HTTP 500 from /status");
    expect(e?.alert_after).toBe("0s");
  });
});

describe("OOM and jobs", () => {
  const now = new Date("2025-01-01T00:10:00Z");
  it("oom-killer: CRITICAL for a kill within the interval, never pages, off with check_oom_events: false", () => {
    const kills = [{ at: "2025-01-01T00:09:30Z", task: "t1", reason: "OOMKilled" }];
    const e = oomCheck(two.monitoring, { service: "svc", instance: "main", cluster: "c1" }, kills, now, 60);
    expect(e).toMatchObject({ name: "oom-killer.svc.main", status: 2, page: false, alert_after: "0m" });
    expect(e?.output).toContain("task t1: OOMKilled");
    expect(oomCheck(two.monitoring, { service: "svc", instance: "main", cluster: "c1" }, kills, now, 10)?.status).toBe(
      0,
    );
    const off = { ...two.monitoring, check_oom_events: false };
    expect(oomCheck(off, { service: "svc", instance: "main", cluster: "c1" }, kills, now, 60)).toBeUndefined();
  });

  it("check_tron_job: failed run CRITICAL, overdue WARNING (CRITICAL with page_for_expected_runtime), success OK", () => {
    const base = { at: now.toISOString(), service: "svc", instance: "nightly", cluster: "c1", job: "nightly", run: 7 };
    const failed = jobCheck(two.monitoring, {
      kind: "finished",
      ...base,
      state: "failed",
      failed_actions: ["load"],
      manual: false,
    });
    expect(failed).toMatchObject({
      name: "check_tron_job.svc.nightly",
      status: 2,
      team: "payments",
      alert_after: "0s",
    });
    expect(failed?.output).toBe("CRIT: The last job run (svc.nightly.7) failed on c1!\nfailed action(s): load");
    const overdue = {
      kind: "overdue" as const,
      ...base,
      instance: "nightly.load",
      action: "load",
      expected_runtime_seconds: 60,
      running_seconds: 95,
    };
    expect(jobCheck(two.monitoring, overdue)?.output).toBe(
      "WARN: Job svc.nightly.7 exceeded expected runtime on c1: action load has run 95s (expected 60s)",
    );
    expect(jobCheck(two.monitoring, overdue)?.status).toBe(1);
    expect(jobCheck({ ...two.monitoring, page_for_expected_runtime: true }, overdue)?.status).toBe(2);
    const ok = { kind: "finished" as const, ...base, state: "succeeded" as const, failed_actions: [], manual: false };
    expect(jobCheck(two.monitoring, ok)?.status).toBe(0);
  });
});
