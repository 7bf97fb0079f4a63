/**
 * The docker executor with secrets and autoscaling (real engine and registry, `paasta up` as a child process):
 * the container gets its SECRET() value in its environment and its secret volume bind-mounted read-only at
 * container_path; the autoscaler reads the containers' CPU from the engine's stats and scales the instance up
 * while each container burns a bounded tenth of a core. The plaintext is not in the container's labels.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ageKeygen, writeSecretsSystemConfig } from "../helpers/age.js";
import { paastaBin } from "../helpers/cli.js";
import { dockerCli, dockerTestEnv } from "../helpers/docker.js";
import { git } from "../helpers/git.js";
import { getJson, makeWorkspace, startUp, type UpProcess, until, type Workspace } from "../helpers/runtime.js";

const SERVER = `const http = require("http");
const fs = require("fs");
// a tenth of a core while running: busy 10 ms of every 100
setInterval(() => { const end = Date.now() + 10; while (Date.now() < end) {} }, 100);
http.createServer((req, res) => {
  let file = null;
  try { file = fs.readFileSync("/etc/creds/db_password", "utf8"); } catch {}
  res.setHeader("content-type", "application/json");
  res.end(JSON.stringify({ env: process.env.DB_PASSWORD || null, file }));
}).listen(Number(process.env.PAASTA_PORT || 8888), "0.0.0.0");
process.on("SIGTERM", () => process.exit(0));
`;

const VALUE = `docker-secret-${Math.random().toString(36).slice(2, 8)}`;
const CONFIG = `main:
  cpus: 0.05
  mem: 128
  min_instances: 1
  max_instances: 3
  deploy_group: dev.everything
  env:
    DB_PASSWORD: SECRET(db_password)
  secret_volumes:
    - container_path: /etc/creds
      secret_name: db_password
  lifecycle:
    termination_grace_period_seconds: 2
`;

interface Status {
  desired_instances: number;
  versions: Array<{ ready_replicas: number; tasks: Array<{ port: number; state: string }> }>;
}

describe("docker executor: secrets and autoscaling", () => {
  let ws: Workspace;
  let up: UpProcess | undefined;
  const status = () => getJson<Status>(`${ws.api}/v1/services/boxed/main/status`);

  beforeAll(async () => {
    const env = dockerTestEnv();
    ws = await makeWorkspace(
      { boxed: { "kubernetes-dev.yaml": CONFIG } },
      {
        executor: "docker",
        system: {
          docker_registry: env.PAASTA_TEST_REGISTRY,
          autoscaler_interval_seconds: 1,
          autoscaler_window_seconds: 3,
        },
        repoFiles: { "server.js": SERVER },
        env: { DOCKER_HOST: env.DOCKER_HOST },
      },
    );
    const key = ageKeygen(join(ws.root, "keys"), "dev");
    writeSecretsSystemConfig(ws.etc, { dev: { recipients: [key.recipient], identity_file: key.identityFile } });
    const add = paastaBin(["secret", "add", "-s", "boxed", "-n", "db_password", "-i", "-y", ws.soa], {
      env: ws.env,
      input: VALUE,
    });
    expect(add.code, add.stderr).toBe(0);
    const repo = join(ws.root, "repos/boxed");
    const sha = git(["rev-parse", "HEAD"], repo);
    expect(paastaBin(["cook-image", "-s", "boxed"], { cwd: repo, env: ws.env }).code).toBe(0);
    expect(paastaBin(["push-to-registry", "-s", "boxed", "-c", sha], { cwd: repo, env: ws.env }).code).toBe(0);
    expect(
      paastaBin(["mark-for-deployment", "-s", "boxed", "-c", sha, "-l", "dev.everything"], { env: ws.env }).code,
    ).toBe(0);
    up = startUp(ws);
    await up.waitForOutput(/docker executor/);
  }, 300_000);

  afterAll(async () => {
    await up?.kill("SIGTERM");
  });

  it("the container reads the value from its environment and from the read-only mount at container_path", async () => {
    const s = await until(status, (x) => (x.versions[0]?.ready_replicas ?? 0) >= 1, 120_000, 300);
    const task = s.versions[0]?.tasks.find((t) => t.state === "healthy");
    // No health check is configured, so "healthy" means started: the server inside may not listen yet (docker's
    // port proxy then accepts and closes the connection).
    const answer = await until(
      () => getJson(`http://127.0.0.1:${task?.port}/`),
      () => true,
      20_000,
      200,
    );
    expect(answer).toEqual({ env: VALUE, file: VALUE });
    const ids = dockerCli(["ps", "-q", "--filter", "label=paasta.yelp.com/service=boxed"]).split("\n").filter(Boolean);
    const info = JSON.parse(dockerCli(["inspect", ids[0] as string])) as Array<{
      Config: { Labels: Record<string, string>; Env: string[] };
      Mounts: Array<{ Destination: string; RW: boolean }>;
    }>;
    const c = info[0];
    expect(c?.Mounts.find((m) => m.Destination === "/etc/creds")).toMatchObject({ RW: false });
    expect(c?.Config.Env.some((e) => e.startsWith("PAASTA_SECRETS_DIR="))).toBe(false);
    expect(JSON.stringify(c?.Config.Labels)).not.toContain(VALUE);
  }, 180_000);

  it("the autoscaler reads the containers' CPU from the engine and scales up", async () => {
    const scaled = await until(
      () =>
        getJson<{ metric: string; current: number | null; desired: number }>(
          `${ws.api}/v1/services/boxed/main/autoscaler`,
        ),
      (a) => a.current !== null && a.desired > 1,
      90_000,
      500,
    );
    expect(scaled.metric).toBe("cpu");
    expect(scaled.current).toBeGreaterThan(0.8);
    await until(status, (x) => x.desired_instances > 1 && (x.versions[0]?.ready_replicas ?? 0) > 1, 120_000, 500);
  }, 240_000);
});
