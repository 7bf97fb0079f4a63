/**
 * Who owns what in the embedded runtime (issue 10 items 1, 3, 9), against the real thing: `paasta up` as a
 * child process (killed with SIGKILL, started twice), real service processes, /proc.
 *  1. a task is its whole process group: killing the wrapper shell whose PID used to be shown leaves the task
 *     running (no duplicate), status shows the service's own PID, a stop and the orphan sweep reach every member;
 *  3. one owner per state dir: a second `paasta up` refuses, naming the first one's PID; the lock dies with it;
 *  9. state and logs are private (0700/0600) and status redacts credential-looking values.
 */
import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, paastaBin } from "../helpers/cli.js";
import {
  cmdline,
  freePort,
  getJson,
  killTaskGroups,
  makeWorkspace,
  runtimeId,
  sleep,
  startUp,
  taskGroups,
  type UpProcess,
  until,
  type Workspace,
} from "../helpers/runtime.js";

const HELLO = `main:
  cmd: node server.js
  instances: 2
  deploy_group: dev.everything
  healthcheck_mode: http
  healthcheck_grace_period_seconds: 0.2
  healthcheck_interval_seconds: 0.5
`;
const OTHER = "main:\n  cmd: node server.js\n  instances: 1\n  deploy_group: dev.everything\n";
const CREDS = `main:
  cmd: node server.js --password hunter22
  instances: 1
  deploy_group: dev.everything
  env:
    API_TOKEN: tok-hunter22
    GREETING: hi
  healthcheck_mode: cmd
  healthcheck_cmd: false -u admin:hunter22 http://admin:hunter22@127.0.0.1/
  healthcheck_grace_period_seconds: 0.2
  healthcheck_interval_seconds: 0.3
  healthcheck_max_consecutive_failures: 2
`;

interface Task {
  id: string;
  state: string;
  pid: number;
  port: number;
}
interface Status {
  deploy_status: string;
  deploy_status_message: string | null;
  command?: string;
  env?: Record<string, string>;
  versions: Array<{ desired: boolean; ready_replicas: number; tasks: Task[] }>;
}

const mode = (p: string) => statSync(p).mode & 0o777;

describe("process ownership, one owner per state dir, private state", () => {
  let ws: Workspace;
  let up: UpProcess | undefined;
  let id = "";
  const status = (service = "hello") => getJson<Status>(`${ws.api}/v1/services/${service}/main/status`);
  const helloTasks = async () => (await status()).versions.flatMap((v) => v.tasks);
  const groups = () => taskGroups(id);

  beforeAll(async () => {
    ws = await makeWorkspace({
      hello: { "kubernetes-dev.yaml": HELLO },
      other: { "kubernetes-dev.yaml": OTHER },
      creds: { "kubernetes-dev.yaml": CREDS },
    });
    mkdirSync(ws.stateDir, { mode: 0o755 }); // as an older version left it
    chmodSync(ws.stateDir, 0o755);
    up = startUp(ws);
    await up.waitForOutput(/API: +http/);
    for (const service of ["hello", "other", "creds"]) {
      const sha = ws.commit(service, { VERSION: "1\n" });
      const r = paastaBin(["mark-for-deployment", "-s", service, "-c", sha, "-l", "dev.everything"], { env: ws.env });
      expect(r.code, r.stderr).toBe(0);
    }
    await until(status, (s) => s.deploy_status === "Running" && s.versions[0]?.ready_replicas === 2, 30_000);
    await until(
      () => status("other"),
      (s) => s.deploy_status === "Running",
    );
    id = runtimeId(ws.stateDir);
  }, 90_000);

  afterAll(async () => {
    await up?.kill("SIGTERM");
    killTaskGroups(id);
    rmSync(ws.root, { recursive: true, force: true });
  });

  it("status shows the service's own PID, not its wrapper shell's", async () => {
    const tasks = await helloTasks();
    expect(tasks).toHaveLength(2);
    for (const t of tasks) expect(cmdline(t.pid)).toBe("node server.js");
    const cli = paastaBin(["status", "-s", "hello", "-vv"], { env: ws.env });
    expect(cli.stdout).toContain(`pid ${tasks[0]?.pid}`);
  });

  it("kill -9 of a task's wrapper: the task (its process group) keeps running; nothing is duplicated", async () => {
    const before = await helloTasks();
    const victim = before[0] as Task;
    const group = groups().find((g) => g.taskId === victim.id);
    expect(group?.leaderAlive).toBe(true);
    process.kill(group?.pgid as number, "SIGKILL"); // the wrapper shell leads the group
    await sleep(4000); // several liveness checks
    const after = await helloTasks();
    expect(after.map((t) => t.id).sort()).toEqual(before.map((t) => t.id).sort());
    expect(after.every((t) => t.state === "healthy")).toBe(true);
    const res = await fetch(`http://127.0.0.1:${victim.port}/status`);
    expect(res.status).toBe(200);
    // exactly one group per task: hello ×2, other ×1, creds ×1 (or none while it restarts after failed checks)
    const now = groups();
    expect(now.filter((g) => g.taskId.startsWith("main-")).length).toBeGreaterThanOrEqual(3);
    expect(now.filter((g) => after.some((t) => t.id === g.taskId))).toHaveLength(2);
    expect(now.find((g) => g.taskId === victim.id)?.leaderAlive).toBe(false);
  }, 30_000);

  it("a second paasta up on the same state dir refuses, naming the owner's PID", async () => {
    const etc2 = join(ws.root, "etc2");
    mkdirSync(etc2);
    const cfg = JSON.parse(readFileSync(join(ws.etc, "paasta.json"), "utf8"));
    cfg.api_endpoints.dev = `http://127.0.0.1:${await freePort()}`;
    writeFileSync(join(etc2, "paasta.json"), JSON.stringify(cfg));
    const before = (await helloTasks()).map((t) => t.id).sort();
    const second = spawn(process.execPath, [BIN, "up", "--cluster", "dev"], {
      env: { ...ws.env, PAASTA_SYSTEM_CONFIG_DIR: etc2 },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    second.stdout?.on("data", (d: Buffer) => (output += d));
    second.stderr?.on("data", (d: Buffer) => (output += d));
    const code = await Promise.race([
      new Promise<number | null>((r) => second.on("exit", (c) => r(c))),
      sleep(20_000).then(() => "still running"),
    ]);
    if (code === "still running") second.kill("SIGKILL");
    expect(code, output).toBe(1);
    expect(output).toContain(`state dir ${ws.stateDir} is in use by another paasta up (pid ${up?.child.pid})`);
    expect(output).toContain("[PAASTA_STATE_DIR_LOCKED]");
    await sleep(1500);
    expect((await helloTasks()).map((t) => t.id).sort()).toEqual(before);
  }, 30_000);

  it("after kill -9 of the owner the lock is free; the orphan sweep stops every member of an unknown group", async () => {
    const tasks = await helloTasks();
    const orphaned = groups().find((g) => !g.leaderAlive && tasks.some((t) => t.id === g.taskId));
    expect(orphaned).toBeDefined();
    await up?.kill("SIGKILL");
    // The store forgets the task (as the old liveness check did when the wrapper died): its group is an orphan.
    const db = new Database(join(ws.stateDir, "state.sqlite"));
    db.prepare("UPDATE tasks SET state = 'failed', stopped_at = 1 WHERE id = ?").run(orphaned?.taskId);
    db.close();
    up = startUp(ws);
    const line = await up.waitForOutput(/re-adopted \d+ running task/, 30_000);
    expect(line).toMatch(/ 1 orphan\(s\) stopped/);
    expect(groups().find((g) => g.pgid === orphaned?.pgid)).toBeUndefined();
    await until(status, (s) => s.deploy_status === "Running" && s.versions[0]?.ready_replicas === 2, 30_000);
    const live = await helloTasks();
    expect(groups().filter((g) => live.some((t) => t.id === g.taskId))).toHaveLength(2);
  }, 60_000);

  it("state and logs are private; status redacts credential-looking values", async () => {
    const s = await until(
      () => status("creds"),
      (s) => (s.deploy_status_message ?? "").includes("health check failed"),
      30_000,
    );
    const body = JSON.stringify(s);
    expect(body).not.toContain("hunter22");
    expect(s.deploy_status_message).toContain("false -u admin:<redacted> http://admin:<redacted>@127.0.0.1/ exited 1");
    expect(s.command).toBe("node server.js --password <redacted>");
    expect(s.env).toMatchObject({ API_TOKEN: "<redacted>", GREETING: "hi" });
    const cli = paastaBin(["status", "-s", "creds", "-vv"], { env: ws.env });
    expect(cli.stdout).not.toContain("hunter22");
    expect(cli.stdout).toContain("API_TOKEN=<redacted>");
    expect(readFileSync(join(ws.stateDir, "logs", "creds.jsonl"), "utf8")).not.toContain("hunter22");

    expect(mode(ws.stateDir)).toBe(0o700);
    for (const f of ["state.sqlite", "state.sqlite-wal", "owner.lock", "owner.pid"])
      expect(mode(join(ws.stateDir, f)), f).toBe(0o600);
    expect(mode(join(ws.stateDir, "logs"))).toBe(0o700);
    for (const f of readdirSync(join(ws.stateDir, "logs"))) expect(mode(join(ws.stateDir, "logs", f)), f).toBe(0o600);
    const task = (await helloTasks())[0] as Task;
    const dir = join(ws.stateDir, "tasks", task.id);
    expect(mode(dir)).toBe(0o700);
    for (const f of ["stdout", "stderr"]) expect(mode(join(dir, f)), f).toBe(0o600);
  }, 40_000);

  it("a graceful stop stops every process of every group, a group whose wrapper died included", async () => {
    const task = (await helloTasks())[0] as Task;
    const group = groups().find((g) => g.taskId === task.id);
    process.kill(group?.pgid as number, "SIGKILL");
    await sleep(1500);
    expect(groups().find((g) => g.taskId === task.id)?.leaderAlive).toBe(false);
    const code = await up?.kill("SIGTERM");
    up = undefined;
    expect(code).toBe(0);
    expect(groups()).toEqual([]);
  }, 60_000);
});
