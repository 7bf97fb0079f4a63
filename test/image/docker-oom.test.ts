/**
 * OOM kills, end to end on the real engine: a container that allocates past its `mem` (+64 MB of swap, as
 * PaaSTA's docker path) is killed by the kernel; the docker executor reads the engine's OOMKilled, the task
 * ends with that reason, an `oom` line reaches the log stream, and the monitor (through the runtime's
 * task.exited events) raises PaaSTA's `oom-killer.SERVICE.INSTANCE`, which never pages.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { paastaBin } from "../helpers/cli.js";
import { dockerTestEnv } from "../helpers/docker.js";
import { git } from "../helpers/git.js";
import { getJson, makeWorkspace, startUp, type UpProcess, until, type Workspace } from "../helpers/runtime.js";

// Allocates 8 MB every 20 ms and touches it (Buffer.alloc fills). Inline: the image holds only server.js.
const CONFIG = `main:
  cmd: 'node -e "const held = []; setInterval(() => held.push(Buffer.alloc(8 << 20, 1)), 20)"'
  cpus: 0.1
  mem: 32
  deploy_group: dev.everything
`;

interface Alert {
  check: string;
  state: string;
  page: boolean;
  output: string;
}

describe("docker executor: an OOM kill becomes oom-killer.SERVICE.INSTANCE", () => {
  let ws: Workspace;
  let up: UpProcess | undefined;

  beforeAll(async () => {
    const env = dockerTestEnv();
    ws = await makeWorkspace(
      { hog: { "kubernetes-dev.yaml": CONFIG } },
      {
        executor: "docker",
        system: { docker_registry: env.PAASTA_TEST_REGISTRY, monitoring_check_interval_seconds: 5 },
        env: { DOCKER_HOST: env.DOCKER_HOST },
      },
    );
    const repo = join(ws.root, "repos/hog");
    const sha = git(["rev-parse", "HEAD"], repo);
    expect(paastaBin(["cook-image", "-s", "hog"], { cwd: repo, env: ws.env }).code).toBe(0);
    expect(paastaBin(["push-to-registry", "-s", "hog", "-c", sha], { cwd: repo, env: ws.env }).code).toBe(0);
    const mark = paastaBin(["mark-for-deployment", "-s", "hog", "-c", sha, "-l", "dev.everything"], { env: ws.env });
    expect(mark.code, mark.stderr).toBe(0);
    up = startUp(ws);
    await up.waitForOutput(/API: +http/);
  }, 180_000);

  afterAll(async () => {
    await up?.kill("SIGTERM");
  });

  it("the task ends as OOMKilled, the log stream has an oom line, and the alert fires without paging", async () => {
    const alerts = () => getJson<{ alerts: Alert[] }>(`${ws.api}/v1/alerts`).then((r) => r.alerts);
    const list = await until(alerts, (l) => l.some((a) => a.check === "oom-killer.hog.main"), 90_000, 100);
    const oom = list.find((a) => a.check === "oom-killer.hog.main");
    expect(oom).toMatchObject({ state: "firing", page: false });
    expect(oom?.output).toMatch(
      /hog\.main: [1-9]\d* OOM kill\(s\) in the last 5s; last: task main-\S+: OOMKilled: exited with code 137/,
    );
    const logs = paastaBin(["logs", "-s", "hog", "-C", "oom", "-c", "dev"], { env: ws.env });
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout).toMatch(/OOMKilled: exited with code 137/);
  }, 120_000);
});
