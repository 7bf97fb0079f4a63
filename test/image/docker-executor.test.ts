/**
 * End to end: a service cooked and pushed here is deployed by `paasta up` with the docker executor (pulled
 * from the registry), becomes healthy, is limited as configured, is re-adopted after `paasta up` is killed,
 * and its containers are gone after a graceful stop.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { paastaBin } from "../helpers/cli.js";
import { dockerCli, dockerTestEnv, SERVER_JS } from "../helpers/docker.js";
import { git } from "../helpers/git.js";
import { getJson, makeWorkspace, startUp, type UpProcess, until, type Workspace } from "../helpers/runtime.js";

const HELLO = `main:
  instances: 2
  cpus: 0.1
  mem: 128
  env:
    FOO: from-soa-configs
  deploy_group: dev.everything
  healthcheck_mode: http
  healthcheck_uri: /status
  healthcheck_grace_period_seconds: 1
  healthcheck_interval_seconds: 0.5
  healthcheck_timeout_seconds: 2
  healthcheck_max_consecutive_failures: 20
  lifecycle:
    termination_grace_period_seconds: 5
`;

interface Status {
  deploy_status: string;
  versions: Array<{
    git_sha: string;
    ready_replicas: number;
    tasks: Array<{ id: string; port: number; state: string }>;
  }>;
}

describe("paasta up with the docker executor (real engine and registry)", () => {
  let ws: Workspace;
  let up: UpProcess | undefined;
  let sha: string;
  let image: string;
  const containers = (all = false) =>
    dockerCli([
      "ps",
      ...(all ? ["-a"] : []),
      "--filter",
      "label=paasta.yelp.com/service=hello",
      "--format",
      "{{.ID}} {{.State}}",
    ])
      .split("\n")
      .filter(Boolean);
  const status = () => getJson<Status>(`${ws.api}/v1/services/hello/main/status`);

  beforeAll(async () => {
    const env = dockerTestEnv();
    ws = await makeWorkspace(
      { hello: { "kubernetes-dev.yaml": HELLO } },
      {
        executor: "docker",
        system: { docker_registry: env.PAASTA_TEST_REGISTRY },
        repoFiles: { "server.js": SERVER_JS },
        env: { DOCKER_HOST: env.DOCKER_HOST },
      },
    );
    sha = git(["rev-parse", "HEAD"], join(ws.root, "repos/hello"));
    image = `${env.PAASTA_TEST_REGISTRY}/services-hello:paasta-${sha}`;
  });

  afterAll(async () => {
    await up?.kill("SIGTERM");
  });

  it("cook-image + push-to-registry, then the local copy is removed (the executor must pull)", () => {
    const repo = join(ws.root, "repos/hello");
    const cook = paastaBin(["cook-image", "-s", "hello"], { cwd: repo, env: ws.env });
    expect(cook.code).toBe(0);
    const push = paastaBin(["push-to-registry", "-s", "hello", "-c", sha], { cwd: repo, env: ws.env });
    expect(push.stdout).toContain(`Pushed ${image}`);
    expect(push.code).toBe(0);
    dockerCli(["rmi", image]);
    const mark = paastaBin(
      ["mark-for-deployment", "-s", "hello", "-c", sha, "-l", "dev.everything", "--verify-image-exists"],
      { env: ws.env },
    );
    expect(mark.stderr).toBe("");
    expect(mark.code).toBe(0);
  });

  it("paasta up deploys it in containers that become healthy and serve on the allocated ports", async () => {
    up = startUp(ws);
    await up.waitForOutput(/paasta up: cluster dev \(local, docker executor\)/);
    const s = await until(
      status,
      (x) => x.deploy_status === "Running" && x.versions[0]?.ready_replicas === 2,
      90_000,
      300,
    );
    const tasks = s.versions[0]?.tasks ?? [];
    expect(tasks).toHaveLength(2);
    for (const t of tasks) {
      const body = await getJson<{ url: string; foo: string; sha: string }>(`http://127.0.0.1:${t.port}/status`);
      expect(body).toEqual({ url: "/status", foo: "from-soa-configs", sha: sha.slice(0, 8) });
    }
    expect(dockerCli(["image", "inspect", "-f", "{{.Id}}", image])).toMatch(/^sha256:/); // pulled
  });

  it("containers carry the paasta labels, the limits, an init and a 127.0.0.1 port", () => {
    const ids = containers().map((l) => l.split(" ")[0] as string);
    expect(ids).toHaveLength(2);
    const info = JSON.parse(dockerCli(["inspect", ...ids])) as Array<{
      Config: { Labels: Record<string, string>; Image: string; Env: string[] };
      HostConfig: {
        Memory: number;
        CpuQuota: number;
        CpuPeriod: number;
        Init: boolean;
        PortBindings: Record<string, Array<{ HostIp: string }>>;
      };
    }>;
    for (const c of info) {
      expect(c.Config.Image).toBe(image);
      expect(c.Config.Labels).toMatchObject({
        "paasta.yelp.com/service": "hello",
        "paasta.yelp.com/instance": "main",
        "paasta.yelp.com/git_sha": sha,
      });
      expect(c.Config.Labels["paasta.yelp.com/config_sha"]).toMatch(/\S/);
      expect(c.Config.Labels["paasta.yelp.com/task_id"]).toMatch(/^main-/);
      expect(c.Config.Labels["paasta.yelp.com/runtime_id"]).toMatch(/^[0-9a-f-]{36}$/);
      expect(c.HostConfig.Memory).toBe(128 * 1024 * 1024);
      expect(c.HostConfig.CpuQuota / c.HostConfig.CpuPeriod).toBeCloseTo(1.1);
      expect(c.HostConfig.Init).toBe(true);
      expect(c.HostConfig.PortBindings["8888/tcp"]?.[0]?.HostIp).toBe("127.0.0.1");
      expect(c.Config.Env).toContain("PAASTA_PORT=8888");
      expect(c.Config.Env.some((e) => e.startsWith("HOME=") && !e.startsWith("HOME=/root"))).toBe(false);
    }
  });

  it("task output reaches the task files (and so paasta logs)", async () => {
    const s = await status();
    const id = s.versions[0]?.tasks[0]?.id as string;
    await until(
      async () => readFileSync(join(ws.stateDir, "tasks", id, "stdout"), "utf8"),
      (text) => text.includes("listening on 8888"),
      10_000,
    );
  });

  it("after kill -9 of paasta up, the next one re-adopts the running containers (nothing duplicated)", async () => {
    const before = containers();
    await up?.kill("SIGKILL");
    up = startUp(ws);
    await up.waitForOutput(/re-adopted 2 running task\(s\)/);
    const s = await until(status, (x) => x.deploy_status === "Running" && x.versions[0]?.ready_replicas === 2, 30_000);
    expect(s.versions).toHaveLength(1);
    expect(containers().sort()).toEqual(before.sort());
  });

  it("a graceful stop of paasta up stops and removes its containers", async () => {
    await up?.kill("SIGTERM");
    up = undefined;
    expect(containers(true)).toEqual([]);
  });
});
