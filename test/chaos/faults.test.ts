/**
 * Chaos against the real embedded runtime (issue 10): `paasta up` as a child process on loopback, real service
 * processes, real git. Repeats, with a seeded random generator (PAASTA_CHAOS_SEED reproduces a run):
 *  - kill -9 of the control plane at random points of a crossover bounce (20 times), restarting it each time;
 *  - kill -9 of task wrappers (12) and of service processes (12);
 *  - a YAML alias bomb in one service's file.
 * After each fault it asserts the exact process groups (one per task: nothing duplicated, nothing orphaned)
 * and that the bystander service was never touched (same task, same processes, no restart). Bounded: about
 * three minutes; prints the counts.
 */
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { paastaBin } from "../helpers/cli.js";
import {
  getJson,
  killTaskGroups,
  makeWorkspace,
  runtimeId,
  sleep,
  startUp,
  type TaskGroup,
  taskGroups,
  type UpProcess,
  until,
  type Workspace,
} from "../helpers/runtime.js";

const CONTROL_PLANE_KILLS = 20;
const TASK_KILLS = 24; // half wrappers, half service processes

const healthy = (instances: number) => `main:
  cmd: node server.js
  instances: ${instances}
  deploy_group: dev.everything
  bounce_method: crossover
  healthcheck_mode: http
  healthcheck_uri: /status
  healthcheck_grace_period_seconds: 0.2
  healthcheck_interval_seconds: 0.3
  healthcheck_timeout_seconds: 1
  healthcheck_max_consecutive_failures: 3
`;
/** hello ×3, worker ×3, bystander ×1, bomber ×1: one process group each. */
const EXPECTED_GROUPS = 8;

interface Task {
  id: string;
  state: string;
  pid: number;
  port: number;
  restarts: number;
  started_at: string | null;
}
interface Status {
  deploy_status: string;
  config_problems?: string[];
  versions: Array<{ git_sha: string; desired: boolean; replicas: number; ready_replicas: number; tasks: Task[] }>;
}

/** mulberry32: a small seeded generator, so that a failing run can be replayed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("chaos: the runtime keeps its promises under faults", () => {
  const seed = Number(process.env.PAASTA_CHAOS_SEED ?? Math.floor(Math.random() * 1e9));
  const random = seeded(seed);
  /** midBounce: control-plane kills that hit while two versions had tasks. */
  const counts = { seed, controlPlaneKills: 0, midBounce: 0, wrapperKills: 0, serviceKills: 0, bombs: 0 };
  let ws: Workspace;
  let up: UpProcess | undefined;
  let id = "";
  let bystander: { task: string; pids: number[] } | undefined;
  const status = (service: string) => getJson<Status>(`${ws.api}/v1/services/${service}/main/status`);
  const tasksOf = async (service: string) => (await status(service)).versions.flatMap((v) => v.tasks);
  const mark = (service: string, sha: string) => {
    const r = paastaBin(["mark-for-deployment", "-s", service, "-c", sha, "-l", "dev.everything"], { env: ws.env });
    expect(r.code, r.stderr).toBe(0);
  };
  /** Every task of `service` runs `sha` (when given), `n` of them, all healthy; no other task is listed. */
  const settled = (service: string, n: number, sha?: string) =>
    until(
      () => status(service),
      (s) => {
        const tasks = s.versions.flatMap((v) => v.tasks);
        const current = s.versions.find((v) => v.desired);
        return (
          s.deploy_status === "Running" &&
          tasks.length === n &&
          tasks.every((t) => t.state === "healthy") &&
          (sha === undefined || current?.git_sha === sha)
        );
      },
      45_000,
      100,
    );

  /** Exactly one process group per task the runtime lists, and none else. */
  const assertExactGroups = async () => {
    const listed = (await Promise.all(["hello", "worker", "bystander", "bomber"].map(tasksOf))).flat();
    const groups: TaskGroup[] = taskGroups(id);
    expect(listed).toHaveLength(EXPECTED_GROUPS);
    expect(groups.map((g) => g.taskId).sort(), JSON.stringify(groups)).toEqual(listed.map((t) => t.id).sort());
  };
  const assertBystanderUntouched = async () => {
    const [task] = await tasksOf("bystander");
    expect(task?.id).toBe(bystander?.task);
    expect(task?.restarts).toBe(0);
    expect(
      taskGroups(id)
        .find((g) => g.taskId === task?.id)
        ?.pids.sort(),
    ).toEqual(bystander?.pids);
  };

  beforeAll(async () => {
    ws = await makeWorkspace({
      hello: { "kubernetes-dev.yaml": healthy(3) },
      worker: { "kubernetes-dev.yaml": healthy(3) },
      bystander: { "kubernetes-dev.yaml": healthy(1) },
      bomber: { "kubernetes-dev.yaml": healthy(1) },
    });
    up = startUp(ws);
    await up.waitForOutput(/API: +http/);
    for (const service of ["hello", "worker", "bystander", "bomber"]) mark(service, ws.commit(service, { V: "0\n" }));
    await settled("hello", 3);
    await settled("worker", 3);
    await settled("bystander", 1);
    await settled("bomber", 1);
    id = runtimeId(ws.stateDir);
    const [task] = await tasksOf("bystander");
    bystander = {
      task: task?.id as string,
      pids: (taskGroups(id).find((g) => g.taskId === task?.id)?.pids ?? []).sort(),
    };
    await assertExactGroups();
  }, 120_000);

  afterAll(async () => {
    console.log(`chaos counts: ${JSON.stringify(counts)}`);
    await up?.kill("SIGTERM");
    killTaskGroups(id);
    rmSync(ws.root, { recursive: true, force: true });
  });

  it(`kill -9 of paasta up at random points of a bounce, ${CONTROL_PLANE_KILLS} times`, async () => {
    for (let i = 1; i <= CONTROL_PLANE_KILLS; i++) {
      const sha = ws.commit("hello", { V: `${i}\n` });
      mark("hello", sha);
      // A bounce takes about a second here (start, 0.2 s grace, a check, drain): most kills land inside one.
      await sleep(Math.floor(random() * 2000));
      const s = await status("hello");
      if (s.versions.filter((v) => v.tasks.length > 0).length > 1) counts.midBounce++;
      await up?.kill("SIGKILL");
      counts.controlPlaneKills++;
      up = startUp(ws);
      await up.waitForOutput(/API: +http/);
      await settled("hello", 3, sha);
      await sleep(500); // a duplicate start or a missed stop would show by now
      await assertExactGroups();
      await assertBystanderUntouched();
    }
  }, 420_000);

  it(`kill -9 of task wrappers and of service processes, ${TASK_KILLS} times`, async () => {
    let exitedWith137 = 0;
    for (let i = 1; i <= TASK_KILLS; i++) {
      const tasks = await tasksOf("worker");
      const groups = taskGroups(id);
      const withWrapper = tasks.filter((t) => groups.find((g) => g.taskId === t.id)?.leaderAlive);
      if (i % 2 === 0 && withWrapper.length > 0) {
        // The wrapper: the task (its group) goes on; nothing restarts, nothing is duplicated.
        const victim = withWrapper[Math.floor(random() * withWrapper.length)] as Task;
        process.kill(groups.find((g) => g.taskId === victim.id)?.pgid as number, "SIGKILL");
        counts.wrapperKills++;
        await sleep(1500);
        const after = await tasksOf("worker");
        expect(after.map((t) => t.id).sort()).toEqual(tasks.map((t) => t.id).sort());
        expect(after.every((t) => t.state === "healthy")).toBe(true);
        expect((await fetch(`http://127.0.0.1:${victim.port}/status`)).status).toBe(200);
      } else {
        // The service: the task ends (137 when its wrapper saw it) and is replaced. The newest task is the
        // victim, so that old healthy ones keep resetting the crash-loop back-off.
        const victim = [...tasks].sort((a, b) => (b.started_at ?? "").localeCompare(a.started_at ?? ""))[0] as Task;
        if (groups.find((g) => g.taskId === victim.id)?.leaderAlive) exitedWith137++;
        process.kill(victim.pid, "SIGKILL");
        counts.serviceKills++;
        await until(
          () => tasksOf("worker"),
          (ts) => !ts.some((t) => t.id === victim.id),
          15_000,
          100,
        );
        await settled("worker", 3);
      }
      await assertExactGroups();
      await assertBystanderUntouched();
    }
    expect(counts.wrapperKills + counts.serviceKills).toBe(TASK_KILLS);
    const log = readFileSync(join(ws.stateDir, "logs", "worker.jsonl"), "utf8");
    expect((log.match(/exited with code 137/g) ?? []).length).toBe(exitedWith137);
  }, 300_000);

  it("a YAML alias bomb freezes only its service; the runtime stays responsive and applies other changes", async () => {
    const bomberTask = (await tasksOf("bomber"))[0]?.id;
    let text = 'l0: &l0 ["x","x","x","x","x","x","x","x","x","x"]\n';
    for (let i = 1; i <= 8; i++)
      text += `l${i}: &l${i} [${Array(10)
        .fill(`*l${i - 1}`)
        .join(",")}]\n`;
    ws.writeSoa("bomber", "kubernetes-dev.yaml", `${text}${healthy(1)}  constraints: *l8\n`);
    counts.bombs++;
    await up?.waitForOutput(/bomber: config has \d+ problem\(s\), left as it runs/, 15_000);
    const started = Date.now();
    const s = await status("bomber");
    expect(Date.now() - started).toBeLessThan(2000);
    expect(s.config_problems?.[0]).toMatch(/^bomber\/kubernetes-dev\.yaml:\d+.*aliases/);
    expect(s.versions.flatMap((v) => v.tasks).map((t) => t.id)).toEqual([bomberTask]);
    const rss = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${up?.child.pid}/status`, "utf8"))?.[1]);
    expect(rss).toBeLessThan(400 * 1024);
    // Another service's change is still applied at once.
    const sha = ws.commit("hello", { V: "after the bomb\n" });
    mark("hello", sha);
    await settled("hello", 3, sha);
    await assertExactGroups();
    await assertBystanderUntouched();
  }, 90_000);

  it("a graceful stop leaves no process of any task", async () => {
    const code = await up?.kill("SIGTERM");
    up = undefined;
    expect(code).toBe(0);
    expect(taskGroups(id)).toEqual([]);
  }, 60_000);
});
