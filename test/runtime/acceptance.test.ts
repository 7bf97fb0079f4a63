/**
 * The embedded runtime's acceptance scenario (issue 4), end to end against the real thing: git repositories,
 * `paasta up` as a separate process running real service processes, the CLI, the HTTP API.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { paastaBin } from "../helpers/cli.js";
import {
  getJson,
  makeWorkspace,
  runtimeId,
  sleep,
  startUp,
  taskProcesses,
  type UpProcess,
  until,
  type Workspace,
} from "../helpers/runtime.js";

interface BounceStatus {
  expected_instance_count: number;
  running_instance_count: number;
  deploy_status: string;
  active_shas: Array<[string, string]>;
}
interface Status {
  deploy_status: string;
  deploy_status_message: string | null;
  versions: Array<{
    git_sha: string;
    desired: boolean;
    replicas: number;
    ready_replicas: number;
    tasks: Array<{ id: string; state: string }>;
  }>;
}

const HELLO = `main:
  cmd: node server.js
  instances: 3
  deploy_group: dev.everything
  bounce_method: crossover
  healthcheck_mode: http
  healthcheck_uri: /status
  healthcheck_grace_period_seconds: 0.2
  healthcheck_interval_seconds: 0.3
  healthcheck_timeout_seconds: 1
  healthcheck_max_consecutive_failures: 3
`;
const OTHER = `main:
  cmd: node server.js
  instances: 1
  deploy_group: dev.everything
`;

describe("paasta up: the acceptance scenario", () => {
  let ws: Workspace;
  let up: UpProcess;
  const shas: string[] = [];
  const bounce = () => getJson<BounceStatus>(`${ws.api}/v1/services/hello/main/bounce_status`);
  const status = () => getJson<Status>(`${ws.api}/v1/services/hello/main/status`);
  const mark = (service: string, sha: string) => {
    const r = paastaBin(["mark-for-deployment", "-s", service, "-c", sha, "-l", "dev.everything"], { env: ws.env });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  };

  beforeAll(async () => {
    ws = await makeWorkspace({ hello: { "kubernetes-dev.yaml": HELLO }, other: { "kubernetes-dev.yaml": OTHER } });
    up = startUp(ws);
    await up.waitForOutput(/API: +http/);
  }, 60_000);

  afterAll(async () => {
    await up?.kill("SIGTERM");
  });

  it("mark SHA1 → within 30 s three tasks run SHA1 and bounce_status says Running", async () => {
    shas.push(ws.commit("hello", { VERSION: "1\n" }));
    mark("hello", shas[0] as string);
    mark("other", ws.commit("other", { VERSION: "1\n" }));
    const b = await until(
      bounce,
      (b) => b.deploy_status === "Running" && b.running_instance_count === 3 && b.active_shas.length === 1,
      30_000,
    );
    expect(b.active_shas.map((s) => s[0])).toEqual([shas[0]]);
    expect(b.expected_instance_count).toBe(3);
    const body = await (await fetch(`${ws.api}/v1/services/hello/main/status`)).json();
    const task = body.versions[0].tasks[0];
    const res = await getJson<{ git_sha: string }>(`http://127.0.0.1:${task.port}/status`);
    expect(res.git_sha).toBe((shas[0] as string).slice(0, 8));
  }, 60_000);

  it("SHA2: a crossover bounce never has fewer than ceil(3 × 0.95) healthy tasks", async () => {
    shas.push(ws.commit("hello", { VERSION: "2\n" }));
    mark("hello", shas[1] as string);
    let minHealthy = Number.POSITIVE_INFINITY;
    let sawBoth = false;
    const end = Date.now() + 30_000;
    for (;;) {
      const s = await status();
      const healthy = s.versions.reduce((n, v) => n + v.ready_replicas, 0);
      minHealthy = Math.min(minHealthy, healthy);
      if (s.versions.filter((v) => v.replicas > 0).length > 1) sawBoth = true;
      const current = s.versions.find((v) => v.desired);
      if (
        current !== undefined &&
        current.git_sha === shas[1] &&
        current.ready_replicas === 3 &&
        s.versions.every((v) => v.desired || v.replicas === 0)
      )
        break;
      if (Date.now() > end) throw new Error(`bounce did not finish: ${JSON.stringify(s)}`);
      await sleep(50);
    }
    expect(sawBoth).toBe(true);
    expect(minHealthy).toBeGreaterThanOrEqual(3);
    const b = await bounce();
    expect(b.active_shas.map((s) => s[0])).toEqual([shas[1]]);
  }, 60_000);

  it("SHA3 answers 500: the bounce is reported stuck and SHA2 keeps its healthy tasks", async () => {
    shas.push(ws.commit("hello", { STATUS_CODE: "500\n" }));
    mark("hello", shas[2] as string);
    const s = await until(status, (s) => (s.deploy_status_message ?? "").includes("HTTP 500"), 30_000);
    expect(s.deploy_status).not.toBe("Running");
    expect(s.deploy_status_message).toContain(`0/3 tasks of ${(shas[2] as string).slice(0, 8)}`);
    await sleep(2000);
    const later = await status();
    const old = later.versions.find((v) => v.git_sha === shas[1]);
    expect(old?.ready_replicas).toBe(3);
    expect(later.versions.find((v) => v.desired)?.ready_replicas).toBe(0);
    const cli = paastaBin(["status", "-s", "hello", "-v"], { env: ws.env });
    expect(cli.stdout, cli.stdout + cli.stderr).toContain("HTTP 500");
    expect(cli.stdout).toContain(`Old version: ${(shas[1] as string).slice(0, 8)}`);
  }, 60_000);

  it("kill -9 of the runtime during a bounce, then a restart: it converges with exactly 3 task processes", async () => {
    shas.push(ws.commit("hello", { STATUS_CODE: "200\n" }));
    mark("hello", shas[3] as string);
    await until(
      status,
      (s) => s.versions.some((v) => v.desired && v.git_sha === shas[3] && v.replicas > 0),
      20_000,
      50,
    );
    await up.kill("SIGKILL");
    up = startUp(ws);
    await up.waitForOutput(/re-adopted \d+ running task/, 30_000);
    await until(
      bounce,
      (b) =>
        b.deploy_status === "Running" &&
        b.running_instance_count === 3 &&
        b.active_shas.length === 1 &&
        b.active_shas[0]?.[0] === shas[3],
      30_000,
    );
    await sleep(1500); // anything left over would have been started or stopped by now
    const id = runtimeId(ws.stateDir);
    const procs = taskProcesses(id);
    const s = await status();
    const ids = s.versions.flatMap((v) => v.tasks.map((t) => t.id));
    // hello.main's three tasks plus other.main's one: nothing duplicated, nothing orphaned
    expect(procs.length).toBe(4);
    for (const p of procs.filter((x) => x.taskId.startsWith("main-") && ids.includes(x.taskId)))
      expect(ids).toContain(p.taskId);
    expect(procs.filter((p) => ids.includes(p.taskId))).toHaveLength(3);
  }, 90_000);

  it("a service with a YAML error beside it is left running and does not disturb hello", async () => {
    const before = await getJson<Status>(`${ws.api}/v1/services/other/main/status`);
    expect(before, JSON.stringify(before)).toHaveProperty("versions");
    const otherTask = before.versions[0]?.tasks[0]?.id;
    ws.writeSoa("other", "kubernetes-dev.yaml", "main:\n  cmd: [node\n");
    await up.waitForOutput(/other: config has \d+ problem\(s\), left as it runs/, 15_000);
    const restart = paastaBin(["restart", "-s", "hello", "-c", "dev", "-i", "main"], { env: ws.env });
    expect(restart.code).toBe(0);
    await until(bounce, (b) => b.deploy_status !== "Running", 15_000, 50);
    await until(bounce, (b) => b.deploy_status === "Running" && b.running_instance_count === 3, 30_000);
    const after = await getJson<Status>(`${ws.api}/v1/services/other/main/status`);
    expect(after.versions[0]?.tasks[0]?.id).toBe(otherTask);
    expect(after.versions[0]?.tasks[0]?.state).toBe("healthy");
  }, 60_000);

  it("paasta stop → no task runs; paasta start brings them back", async () => {
    const stop = paastaBin(["stop", "-s", "hello", "-c", "dev", "-i", "main"], { env: ws.env });
    expect(stop.code).toBe(0);
    const b = await until(bounce, (b) => b.deploy_status === "Stopped", 30_000);
    expect(b.expected_instance_count).toBe(0);
    await until(
      async () => taskProcesses(runtimeId(ws.stateDir)).length,
      (n) => n === 1,
      15_000,
    );
    expect(paastaBin(["start", "-s", "hello", "-c", "dev", "-i", "main"], { env: ws.env }).code).toBe(0);
    await until(bounce, (b) => b.deploy_status === "Running" && b.running_instance_count === 3, 30_000);
  }, 90_000);

  it("mark-for-deployment --wait-for-deployment shows progress and exits 0 once every task runs the SHA", async () => {
    const sha = ws.commit("hello", { VERSION: "6\n" });
    const r = paastaBin(
      ["mark-for-deployment", "-s", "hello", "-c", sha, "-l", "dev.everything", "--wait-for-deployment", "-t", "60"],
      { env: ws.env },
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\[\d+s\] 0\/1 instances on [0-9a-f]{8}: dev\.main /);
    expect(r.stdout).toContain(`✓ hello dev.everything runs ${sha.slice(0, 8)} everywhere`);
    shas.push(sha);
  }, 90_000);

  it("--auto-rollback: a version that never gets healthy is rolled back after the timeout", async () => {
    const good = shas[shas.length - 1] as string;
    const bad = ws.commit("hello", { STATUS_CODE: "503\n" });
    const r = paastaBin(
      [
        "mark-for-deployment",
        "-s",
        "hello",
        "-c",
        bad,
        "-l",
        "dev.everything",
        "--wait-for-deployment",
        "-t",
        "4",
        "--auto-rollback",
      ],
      { env: ws.env },
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`Rolled dev.everything back to ${good}`);
    expect(r.stderr).toContain("[PAASTA_DEPLOY_TIMEOUT]");
    const b = await until(
      bounce,
      (b) => b.deploy_status === "Running" && b.active_shas.length === 1 && b.active_shas[0]?.[0] === good,
      30_000,
    );
    expect(b.running_instance_count).toBe(3);
    const status = paastaBin(["check-rollback-status", "-s", "hello", "-k", bad, "-l", "dev.everything"], {
      env: ws.env,
    });
    expect(status.code).toBe(1);
  }, 90_000);

  it("logs: task output and deploy events through the CLI", async () => {
    const r = paastaBin(["logs", "-s", "hello", "-C", "stdout,task_lifecycle,deploy", "-l", "500", "--raw"], {
      env: ws.env,
    });
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.some((l) => l.component === "stdout" && /hello [0-9a-f]{8} listening/.test(l.message))).toBe(true);
    expect(lines.some((l) => l.component === "deploy" && l.message.startsWith("Marked"))).toBe(true);
    expect(lines.some((l) => l.component === "deploy" && l.message.startsWith("Bouncing to"))).toBe(true);
    expect(lines.some((l) => l.component === "task_lifecycle" && l.message.includes("is healthy"))).toBe(true);
  });
});
