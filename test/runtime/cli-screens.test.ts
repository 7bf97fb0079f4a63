/**
 * What a user sees of a running cluster, end to end: `paasta up` as a child process with real services, the
 * installed CLI and the HTTP API. The status screen (Bouncing header, per-task restarts, the exit code a
 * replacement replaced, relative and absolute times), log lines naming their task (text and JSON),
 * wait-for-deployment's reason and JSON result, restart --replica, the state and deployments routes, the
 * deploy queue, and local-run of a one-shot command.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { paastaBin } from "../helpers/cli.js";
import { getJson, makeWorkspace, startUp, type UpProcess, until, type Workspace } from "../helpers/runtime.js";

interface Task {
  id: string;
  pid: number | null;
  state: string;
  restarts: number;
  last_exit_code: number | null;
}
interface Status {
  deploy_status: string;
  deploy_status_message: string | null;
  versions: Array<{ git_sha: string; desired: boolean; ready_replicas: number; tasks: Task[] }>;
}

const HELLO = `main:
  cmd: node server.js
  instances: 2
  deploy_group: dev.everything
  healthcheck_mode: http
  healthcheck_uri: /status
  healthcheck_grace_period_seconds: 0.2
  healthcheck_interval_seconds: 0.3
  healthcheck_timeout_seconds: 1
  healthcheck_max_consecutive_failures: 3
`;

/** The node process a task's wrapper shell runs (its child), found through /proc. */
function childOf(pid: number): number | undefined {
  for (const p of readdirSync("/proc")) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const stat = readFileSync(`/proc/${p}/stat`, "utf8");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid) return Number(p);
    } catch {
      // gone
    }
  }
  return undefined;
}

describe("the screens of a running cluster", () => {
  let ws: Workspace;
  let up: UpProcess;
  const shas: string[] = [];
  const cli = (args: string[]) => paastaBin(args, { env: ws.env });
  const status = () => getJson<Status>(`${ws.api}/v1/services/hello/main/status`);
  const post = (path: string, token?: string) =>
    fetch(`${ws.api}${path}`, { method: "POST", headers: token ? { authorization: `Bearer ${token}` } : {} });

  beforeAll(async () => {
    ws = await makeWorkspace({
      hello: { "kubernetes-dev.yaml": HELLO },
      broken: { "kubernetes-dev.yaml": "main:\n  cmd: node server.js\n  deploy_group: dev.everything\n  oops: 1\n" },
    });
    shas.push(ws.commit("hello", { "README.md": "one\n" }));
    expect(cli(["mark-for-deployment", "-s", "hello", "-c", shas[0] as string, "-l", "dev.everything"]).code).toBe(0);
    up = startUp(ws);
    await until(status, (s) => s.deploy_status === "Running" && (s.versions[0]?.ready_replicas ?? 0) === 2, 30_000);
  }, 120_000);

  afterAll(async () => {
    await up?.kill("SIGTERM");
  }, 60_000);

  it("status: Running, relative times, -v absolute times, restarts per task with the replaced exit code", async () => {
    const plain = cli(["status", "-s", "hello", "-c", "dev"]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/State: Running - Desired state: start, 2 instance\(s\), crossover/);
    expect(plain.stdout).toMatch(/Version: [0-9a-f]{8} \(\w+\) - 2\/2 healthy, started (\d+ seconds|a second|now)/);
    const before = await status();
    const victim = before.versions[0]?.tasks[0] as Task;
    const other = before.versions[0]?.tasks[1] as Task;
    const node = victim.pid as number; // status shows the service's own PID (below its wrapper shells)
    expect(childOf(node)).toBeUndefined();
    // SIGKILL: the service dies with 137 and its wrapper records it (hello exits 0 on SIGTERM, as it should).
    process.kill(node, "SIGKILL");
    const after = await until(
      status,
      (s) => s.versions[0]?.tasks.some((t) => t.restarts === 1 && t.state === "healthy") === true,
      30_000,
    );
    const tasks = after.versions[0]?.tasks ?? [];
    const replacement = tasks.find((t) => t.restarts === 1) as Task;
    expect(replacement.last_exit_code).toBe(137);
    expect(tasks.find((t) => t.id === other.id)?.restarts).toBe(0);
    const v = cli(["status", "hello.main", "-c", "dev", "-v"]).stdout;
    expect(v).toMatch(
      new RegExp(
        `${replacement.id} .* started \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d \\(.* ago\\) {2}restarts 1 \\(last exit 137\\)`,
      ),
    );
    expect(v).toMatch(new RegExp(`${other.id} .* restarts 0`));
  }, 60_000);

  it("logs: each line names its task; JSON lines; -p keeps one task's lines", () => {
    const text = cli(["logs", "-s", "hello", "-C", "stdout", "-l", "50"]);
    expect(text.code).toBe(0);
    const line = text.stdout.split("\n").find((l) => l.includes("listening on")) as string;
    expect(line).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \[stdout\] \[dev\] main\[[0-9a-f]{6}\] - hello [0-9a-f]{8,40} listening on \d+$/,
    );
    const json = cli(["logs", "-s", "hello", "-C", "stdout", "-l", "50", "--json"])
      .stdout.trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(json.every((l) => typeof l.task === "string" && l.component === "stdout")).toBe(true);
    const short = (json[0].task as string).split("-").at(-1) as string;
    const one = cli(["logs", "-s", "hello", "-C", "stdout", "-l", "50", "-p", short, "--json"])
      .stdout.trim()
      .split("\n");
    expect(one.length).toBeGreaterThan(0);
    expect(one.every((l) => JSON.parse(l).task === json[0].task)).toBe(true);
    expect(cli(["logs", "-s", "hello", "-C", "stdout", "-S", "-n", "1"]).stdout).toMatch(
      /^hello [0-9a-f]{8,40} listening on \d+\n$/,
    );
  });

  it("a stuck bounce: the Bouncing header, and wait-for-deployment gives status's reason (text and JSON)", async () => {
    shas.push(ws.commit("hello", { STATUS_CODE: "500\n" }));
    const sha = shas[1] as string;
    expect(cli(["mark-for-deployment", "-s", "hello", "-k", sha, "-l", "dev.everything"]).code).toBe(0);
    await until(status, (s) => (s.deploy_status_message ?? "").includes("HTTP 500"), 30_000);
    const screen = cli(["status", "-s", "hello", "-c", "dev"]).stdout;
    expect(screen).toContain(`State: Bouncing (${(shas[0] as string).slice(0, 8)} → ${sha.slice(0, 8)})`);
    const text = cli(["wait-for-deployment", "-s", "hello", "-c", sha, "-l", "dev.everything", "-t", "3"]);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(
      /: 0\/2 tasks of [0-9a-f]{8} \(\w+\) healthy; .*last problem: health check failed \d\/3: /,
    );
    const json = cli(["wait-for-deployment", "-s", "hello", "-c", sha, "-l", "dev.everything", "-t", "3", "--json"]);
    expect(json.code).toBe(1);
    const result = JSON.parse(json.stdout);
    expect(result).toMatchObject({ ok: false, service: "hello", deploy_group: "dev.everything", git_sha: sha });
    expect(result.instances[0].reason).toMatch(/health check failed \d\/3: /);
    expect(json.stderr).toContain("[PAASTA_DEPLOY_TIMEOUT]");
    shas.push(ws.commit("hello", { STATUS_CODE: "200\n" }));
    const fixed = shas[2] as string;
    const marked = cli([
      "mark-for-deployment",
      "-s",
      "hello",
      "-c",
      fixed,
      "--clusterinstance",
      "dev.everything",
      "--author",
      "alice",
      "--author",
      "bob",
    ]);
    expect(marked.code, marked.stderr).toBe(0);
    expect(cli(["logs", "-s", "hello", "-C", "deploy", "-l", "5"]).stdout).toContain(
      `Marked ${fixed} for deployment in deploy group dev.everything`,
    );
    expect(cli(["logs", "-s", "hello", "-C", "deploy", "-l", "5"]).stdout).toContain("(authors: alice, bob)");
    const done = cli([
      "wait-for-deployment",
      "-s",
      "hello",
      "-c",
      fixed,
      "-l",
      "dev.everything",
      "-t",
      "60",
      "--json",
      "--polling-interval",
      "0.2",
    ]);
    expect(done.code, done.stderr).toBe(0);
    expect(JSON.parse(done.stdout)).toMatchObject({
      ok: true,
      instances: [{ cluster: "dev", instance: "main", done: true }],
    });
  }, 120_000);

  it("restart --replica replaces exactly that task", async () => {
    const s = await until(status, (x) => x.deploy_status === "Running", 30_000);
    const id = s.versions[0]?.tasks[0]?.id as string;
    const r = cli(["restart", "-s", "hello", "-c", "dev", "-i", "main", "--replica", id]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Replica ${id} of hello.main is being replaced`);
    await until(status, (x) => x.versions.every((v) => v.tasks.every((t) => t.id !== id)), 30_000);
  }, 60_000);

  it("the API: deployments of a deploy group; state/stop and state/start with the token", async () => {
    const d = await getJson<{ git_sha: string; docker_image: string; image_version: string | null }>(
      `${ws.api}/v1/services/hello/deployments/dev.everything`,
    );
    expect(d).toMatchObject({ git_sha: shas[2], image_version: null, image_url: null });
    expect(d.docker_image).toBe(`services-hello:paasta-${shas[2]}`);
    expect((await fetch(`${ws.api}/v1/services/hello/deployments/nope`)).status).toBe(404);
    expect((await post("/v1/services/hello/main/state/stop")).status).toBe(401);
    const stop = await post("/v1/services/hello/main/state/stop", ws.token);
    expect(stop.status).toBe(202);
    expect((await stop.json()).tag).toMatch(/^paasta-dev\.main-\d{8}T\d{6}-stop$/);
    await until(
      () => getJson<{ deploy_status: string }>(`${ws.api}/v1/services/hello/main/bounce_status`),
      (b) => b.deploy_status === "Stopped",
      30_000,
    );
    expect((await post("/v1/services/hello/main/state/start", ws.token)).status).toBe(202);
    await until(status, (s) => s.deploy_status === "Running", 30_000);
  }, 90_000);

  it("list-deploy-queue: a service whose config has problems waits, unavailable", () => {
    const r = cli(["list-deploy-queue", "-c", "dev"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("Deploy Queue for Cluster dev (last pass ");
    expect(r.stdout).toMatch(
      /Unavailable Service Instances:\n {4}broken\.\* +none +config has 1 problem\(s\); left as it runs/,
    );
    const json = JSON.parse(cli(["list-deploy-queue", "--json"]).stdout);
    expect(json.available_service_instances).toEqual([]);
    expect(json.unavailable_service_instances[0]).toMatchObject({ service: "broken", instance: "*" });
  });

  it("local-run --cmd of a one-shot command runs no HTTP health check", () => {
    const r = paastaBin(
      ["local-run", "-s", "hello", "-c", "dev", "-i", "main", "-v", "--skip-secrets", "--cmd", "echo one-shot"],
      {
        cwd: join(ws.root, "repos/hello"),
        env: { ...ws.env, DOCKER_HOST: "unix:///nonexistent/docker.sock" },
      },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("one-shot");
    expect(r.stderr).not.toMatch(/[Hh]ealth ?check/);
  });
});
