/**
 * Jobs on the real local runtime (`paasta up` as a child process, the process executor), driven through the
 * CLI as users do: a manual `tronctl start`, retries `retries_delay` apart then failure with the cleanup action
 * still run, `tronctl retry` of the failed action, `max_runtime` killing a hung action, `allow_overlap: false`
 * queueing the next run, the output in `paasta logs`, the job in `paasta status`, and a one-off `remote-run`.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, paastaBin } from "../helpers/cli.js";
import { getJson, makeWorkspace, startUp, type UpProcess, until, type Workspace } from "../helpers/runtime.js";

type Action = {
  name: string;
  state: string;
  why: string | null;
  attempts: number;
  exit_code: number | null;
  started_at: string | null;
  ended_at: string | null;
};
type Run = {
  run: number;
  state: string;
  why: string | null;
  started_at: string | null;
  ended_at: string | null;
  actions: Action[];
};

describe("jobs on the local runtime, through the CLI", () => {
  let ws: Workspace;
  let up: UpProcess;
  let dir: string;
  const cli = (...args: string[]) => paastaBin(args, { env: ws.env });
  const job = (name: string) => getJson<{ runs: Run[]; enabled: boolean }>(`${ws.api}/v1/jobs/svc/${name}`);
  const runOf = async (name: string, run: number) => (await job(name)).runs.find((r) => r.run === run);

  beforeAll(async () => {
    ws = await makeWorkspace({
      svc: { "adhoc-dev.yaml": "shell:\n  cmd: sh\n  deploy_group: dev.everything\n" },
    });
    dir = ws.root;
    ws.writeSoa(
      "svc",
      "tron-dev.yaml",
      `flaky:
  schedule: daily 04:00:00
  enabled: false
  deploy_group: dev.everything
  actions:
    a:
      command: "date +%s.%N >> ${dir}/tries; echo trying a; if [ -e ${dir}/fixed ]; then echo fixed; else exit 3; fi"
      retries: 2
      retries_delay: 1s
    b: {command: "echo b ran >> ${dir}/b", requires: [a]}
  cleanup_action: {command: "echo cleanup >> ${dir}/cleanup"}
hung:
  schedule: daily 04:00:00
  enabled: false
  deploy_group: dev.everything
  actions:
    forever: {command: "echo $$ > ${dir}/hung.pid; exec sleep 600", max_runtime: 2s}
up:
  schedule: daily 04:00:00
  enabled: false
  deploy_group: dev.everything
  actions:
    a: {command: "true", trigger_downstreams: true}
down:
  schedule: daily 04:00:00
  enabled: false
  deploy_group: dev.everything
  actions:
    b: {command: "true", triggered_by: ["svc.up.a.shortdate.{shortdate}"]}
overlap:
  schedule: interval 2s
  deploy_group: dev.everything
  actions:
    slow: {command: "sleep 3"}
`,
    );
    const sha = execFileSync("git", ["rev-parse", "HEAD"], { cwd: join(dir, "repos/svc"), encoding: "utf8" }).trim();
    execFileSync(process.execPath, [BIN, "mark-for-deployment", "-s", "svc", "-c", sha, "-l", "dev.everything"], {
      env: ws.env,
    });
    up = startUp(ws);
    await up.waitForOutput(/API: +http/);
  }, 60_000);

  afterAll(async () => {
    await up?.kill("SIGTERM");
  }, 60_000);

  it("tronctl start; a failing action is retried retries_delay apart, then fails; the cleanup action still runs", async () => {
    const started = cli("tronctl", "start", "svc.flaky");
    expect(started.code, started.stderr).toBe(0);
    expect(started.stdout).toContain("start svc.flaky on dev: run 1 started");
    const run = await until(
      () => runOf("flaky", 1),
      (r) => r?.state === "failed",
      30_000,
      300,
    );
    expect(run?.actions.map((a) => [a.name, a.state, a.attempts, a.exit_code])).toEqual([
      ["a", "failed", 3, 3],
      ["b", "skipped", 0, null],
      ["cleanup", "succeeded", 1, 0],
    ]);
    expect(run?.actions[1]?.why).toBe("a failed");
    const tries = readFileSync(join(dir, "tries"), "utf8").trim().split("\n").map(Number);
    expect(tries).toHaveLength(3);
    for (let i = 1; i < tries.length; i++)
      expect((tries[i] as number) - (tries[i - 1] as number)).toBeGreaterThanOrEqual(1);
    expect(readFileSync(join(dir, "cleanup"), "utf8")).toBe("cleanup\n");
    expect(existsSync(join(dir, "b"))).toBe(false);
  }, 60_000);

  it("tronctl retry of the failed action runs it again, and what requires it then runs", async () => {
    writeFileSync(join(dir, "fixed"), "");
    const retried = cli("tronctl", "retry", "svc.flaky.1.a");
    expect(retried.code, retried.stderr).toBe(0);
    expect(retried.stdout).toContain("attempt 4 of a started");
    const run = await until(
      () => runOf("flaky", 1),
      (r) => r?.state === "succeeded",
      30_000,
      300,
    );
    expect(run?.actions.map((a) => [a.name, a.state, a.attempts])).toEqual([
      ["a", "succeeded", 4],
      ["b", "succeeded", 1],
      ["cleanup", "succeeded", 1],
    ]);
    expect(readFileSync(join(dir, "b"), "utf8")).toBe("b ran\n");
    const again = cli("tronctl", "retry", "svc.flaky.1.a");
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("only a failed action is retried");
  }, 60_000);

  it("the action's output is in paasta logs; the job in paasta status", async () => {
    const logs = await until(
      async () => cli("logs", "-s", "svc", "-i", "flaky.a", "-c", "dev", "-l", "50"),
      (r) => r.stdout.includes("fixed"),
      20_000,
      500,
    );
    const lines = logs.stdout.split("\n").filter((l) => /\[stdout\] \[dev\] flaky\.a\[\S+\] - trying a$/.test(l));
    expect(lines).toHaveLength(4);
    const status = cli("status", "-s", "svc", "-i", "flaky", "-c", "dev");
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain("svc.flaky (job)");
    expect(status.stdout).toContain("Schedule: every day at 04:00:00 (UTC) - disabled");
    expect(status.stdout).toMatch(/1 {2}succeeded {2}started \d{4}-\d\d-\d\d/);
    expect(status.stdout).toMatch(/a +succeeded .*exit 0 {2}attempt 4\/3/);
  }, 40_000);

  it("max_runtime kills a hung action: it fails and its process is gone", async () => {
    expect(cli("tronctl", "start", "svc.hung").code).toBe(0);
    const run = await until(
      () => runOf("hung", 1),
      (r) => r?.state === "failed",
      30_000,
      300,
    );
    expect(run?.actions[0]?.why).toBe("attempt 1: exceeded max_runtime (2s)");
    const seconds =
      (Date.parse(run?.actions[0]?.ended_at ?? "") - Date.parse(run?.actions[0]?.started_at ?? "")) / 1000;
    expect(seconds).toBeGreaterThanOrEqual(2);
    expect(seconds).toBeLessThan(8);
    const pid = Number(readFileSync(join(dir, "hung.pid"), "utf8"));
    // Gone, or a zombie nobody reaps (a container's PID 1 may not): not running either way.
    const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, "utf8") : "";
    expect(stat === "" || / Z /.test(stat.slice(stat.lastIndexOf(")")))).toBe(true);
  }, 40_000);

  it("an action triggered_by another job's action waits for it, then runs", async () => {
    expect(cli("tronctl", "start", "svc.down").code).toBe(0);
    const waiting = await until(
      () => runOf("down", 1),
      (r) => r?.actions[0]?.state === "waiting",
      20_000,
      300,
    );
    expect(waiting?.actions[0]?.why).toMatch(/^waiting for trigger svc\.up\.a\.shortdate\.\d{4}-\d\d-\d\d$/);
    expect(cli("tronctl", "start", "svc.up").code).toBe(0);
    const upRun = await until(
      () => runOf("up", 1),
      (r) => r?.state === "succeeded",
      20_000,
      300,
    );
    const ran = await until(
      () => runOf("down", 1),
      (r) => r?.state === "succeeded",
      30_000,
      500,
    );
    expect(Date.parse(ran?.actions[0]?.started_at ?? "")).toBeGreaterThanOrEqual(Date.parse(upRun?.ended_at ?? ""));
  }, 60_000);

  it("allow_overlap: false queues the next run behind the running one, then runs it", async () => {
    const queued = await until(
      async () =>
        (await job("overlap")).runs.find((r) => r.state === "scheduled" && r.why?.startsWith("queued behind run")),
      (r) => r !== undefined,
      20_000,
      200,
    );
    const blocker = Number(/queued behind run (\d+)/.exec(queued?.why ?? "")?.[1]);
    const both = await until(
      async () => [await runOf("overlap", blocker), await runOf("overlap", queued?.run ?? 0)],
      ([a, b]) => a?.state === "succeeded" && b?.state === "succeeded",
      30_000,
      300,
    );
    expect(Date.parse(both[1]?.started_at ?? "")).toBeGreaterThanOrEqual(Date.parse(both[0]?.ended_at ?? ""));
    expect(cli("tronctl", "disable", "svc.overlap").code).toBe(0);
    expect((await job("overlap")).enabled).toBe(false);
  }, 60_000);

  it("remote-run prints a one-off run's output and exit code", async () => {
    const r = cli(
      "remote-run",
      "start",
      "-s",
      "svc",
      "-i",
      "shell",
      "-c",
      "dev",
      "--cmd",
      "echo hello from a one-off; exit 4",
    );
    expect(r.stdout).toContain("hello from a one-off");
    expect(r.stdout).toMatch(/remote-run\.svc\.shell\.\S+ failed: exit code 4/);
    expect(r.code).toBe(4);
    const list = cli("remote-run", "list", "-s", "svc", "-c", "dev");
    expect(list.stdout).toMatch(/failed exit 4 .*echo hello from a one-off; exit 4/);
  }, 40_000);

  it("a detached one-off run is stopped after its maximum duration", async () => {
    const r = cli(
      "remote-run",
      "start",
      "-s",
      "svc",
      "-i",
      "shell",
      "--cmd",
      "sleep 60",
      "-m",
      "1",
      "--detach",
      "--json",
    );
    expect(r.code, r.stderr).toBe(0);
    const id = JSON.parse(r.stdout).id as string;
    const runs = await until(
      async () =>
        JSON.parse(cli("remote-run", "list", "-s", "svc", "--json").stdout) as Array<{
          id: string;
          state: string;
          reason: string | null;
        }>,
      (rs) => rs.find((x) => x.id === id)?.state === "failed",
      20_000,
      500,
    );
    expect(runs.find((x) => x.id === id)?.reason).toBe("stopped: it ran longer than its maximum duration");
  }, 40_000);
});
