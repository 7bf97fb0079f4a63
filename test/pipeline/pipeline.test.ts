/**
 * `paasta pipeline` end to end (issue 18) on a two-cluster local setup: real git repositories, two `paasta up`
 * processes (dev and prod, each with its own state dir and API), the CLI as a child process.
 */
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PipelineState } from "../../src/pipeline/state.js";
import { BIN, paastaBin } from "../helpers/cli.js";
import { type TwoClusters, twoClusters } from "../helpers/clusters.js";
import { getJson, until } from "../helpers/runtime.js";

const WEB = `  cmd: node server.js
  healthcheck_mode: http
  healthcheck_uri: /status
  healthcheck_grace_period_seconds: 0.2
  healthcheck_interval_seconds: 0.3
  healthcheck_timeout_seconds: 1
  healthcheck_max_consecutive_failures: 30
`;
const HELLO = {
  "kubernetes-dev.yaml": `main:\n${WEB}  instances: 2\n  deploy_group: dev.everything\n`,
  "kubernetes-prod.yaml": `main:\n${WEB}  instances: 1\n  deploy_group: prod.everything\n`,
  // PaaSTA's meaning: trigger_next_step_manually on dev pauses after dev, before prod.
  "deploy.yaml": `pipeline:
  - step: itest
  - step: dev.everything
    wait_for_deployment: true
    timeout: 15
    auto_rollback: true
    trigger_next_step_manually: true
    slack_notify: true
  - step: prod.everything
    wait_for_deployment: true
    timeout: 60
`,
};
const DUO = {
  "kubernetes-dev.yaml": `a:\n${WEB}  instances: 1\n  deploy_group: dev.a\nb:\n${WEB}  instances: 1\n  deploy_group: dev.b\n`,
  "deploy.yaml": `pipeline:
  - parallel:
      - step: dev.a
      - step: dev.b
    wait_for_deployment: true
    timeout: 60
`,
};
/** The process path of PaaSTA's itest contract: `make itest` tests the checkout (no container engine here). */
const MAKEFILE = 'itest:\n\tnode --check server.js\n\ttest -n "$(DOCKER_TAG)"\n';
/** A version whose server answers /status only after a few seconds (to catch the CLI while it waits). */
const SLOW_SERVER = `const http = require("node:http");
const sha = process.env.PAASTA_GIT_SHA || "unknown";
const server = http.createServer((req, res) => res.end(JSON.stringify({ git_sha: sha })));
setTimeout(() => server.listen(Number(process.env.PAASTA_PORT), "0.0.0.0"), 4000);
process.on("SIGTERM", () => process.exit(0));
`;

interface BounceStatus {
  active_shas: Array<[string, string]>;
  running_instance_count: number;
  deploy_status: string;
}

describe("paasta pipeline on two local clusters", () => {
  let c: TwoClusters;
  let sha0 = "";
  const cli = (args: string[]) => paastaBin(args, { env: c.ws.env, cwd: `${c.ws.root}/repos/hello` });
  const status = (sha: string) =>
    JSON.parse(cli(["pipeline", "status", "-s", "hello", "-k", sha, "--json"]).stdout) as PipelineState & {
      runner_alive: boolean;
    };
  const bounce = (api: string, service = "hello", instance = "main") =>
    getJson<BounceStatus>(`${api}/v1/services/${service}/${instance}/bounce_status`);
  const runsOnly = (sha: string) => (b: BounceStatus) =>
    b.deploy_status === "Running" && b.active_shas.length === 1 && b.active_shas[0]?.[0] === sha;
  const deployTags = (service: string, group: string, sha: string) =>
    [...c.tags(service)].filter(
      ([ref, s]) => s === sha && ref.startsWith(`refs/tags/paasta-${group}-`) && ref.endsWith("-deploy"),
    );

  beforeAll(async () => {
    c = await twoClusters(
      { hello: HELLO, duo: DUO },
      {
        repoFiles: { Makefile: MAKEFILE },
        system: { docker_registry: "127.0.0.1:5000" },
        env: { PAASTA_PIPELINE_POLL_MS: "300" },
      },
    );
    await c.start();
  }, 90_000);

  afterAll(async () => {
    await c?.stop();
  });

  it("itest → dev (waits until it runs there) → pauses before prod; continue promotes; status has times", async () => {
    const none = cli(["pipeline", "status", "-s", "hello"]);
    expect([none.code, none.stderr]).toEqual([1, expect.stringContaining("[PAASTA_PIPELINE_NOT_FOUND]")]);
    sha0 = c.ws.commit("hello", { VERSION: "0\n" });
    const r = cli(["pipeline", "run", "-s", "hello"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("make itest exited 0");
    expect(r.stdout).toMatch(/dev\.everything: 1\/1 instance\(s\) on \w{8}: dev\.main 2\/2 ✓/);
    expect(r.stdout).toContain("paused before prod.everything (trigger_next_step_manually on dev.everything)");
    await until(() => bounce(c.api.dev), runsOnly(sha0), 5_000);
    expect(deployTags("hello", "prod.everything", sha0)).toEqual([]);
    const paused = status(sha0);
    expect(paused.status).toBe("paused");
    expect(paused.steps.map((s) => [s.name, s.status])).toEqual([
      ["itest", "succeeded"],
      ["dev.everything", "succeeded"],
      ["prod.everything", "pending"],
    ]);

    // The API's button (a chat-ops bot or the dashboard): token-protected; the approval is recorded before it
    // answers, and the rest of the pipeline runs in the API's process.
    const url = `${c.api.dev}/v1/services/hello/pipeline/continue?sha=${sha0}`;
    expect((await fetch(url, { method: "POST" })).status).toBe(401);
    const res = await fetch(url, { method: "POST", headers: { authorization: `Bearer ${c.ws.token}` } });
    const state = (await res.json()) as PipelineState;
    expect([res.status, state.status, state.approvals["prod.everything"]?.by]).toEqual([202, "running", "api"]);
    await until(
      async () => status(sha0).status,
      (st) => st === "succeeded",
      20_000,
    );
    await until(() => bounce(c.api.prod), runsOnly(sha0), 10_000);
    const read = await getJson<PipelineState>(`${c.api.prod}/v1/services/hello/pipeline?sha=${sha0}`);
    expect(read.status).toBe("succeeded");

    const s = status(sha0);
    expect(s.status).toBe("succeeded");
    for (const step of s.steps) {
      expect(step.status).toBe("succeeded");
      expect(Date.parse(step.ended_at ?? "")).toBeGreaterThanOrEqual(Date.parse(step.started_at ?? ""));
    }
    const text = cli(["pipeline", "status", "-s", "hello"]).stdout;
    expect(text).toMatch(/prod\.everything +succeeded +\d\d:\d\d:\d\d +\d\d:\d\d:\d\d +[\d.]+s/);
    expect(text).toContain("[approved by api");
    const twice = cli(["pipeline", "continue", "-s", "hello"]);
    expect([twice.code, twice.stderr]).toEqual([1, expect.stringContaining("[PAASTA_PIPELINE_NOT_PAUSED]")]);
    const logs = cli(["logs", "-s", "hello", "-C", "deploy", "-c", "dev", "-l", "200"]).stdout;
    expect(logs).toContain(`pipeline ${sha0.slice(0, 8)}: paused before prod.everything`);
    expect(logs).toContain(`pipeline ${sha0.slice(0, 8)}: api approved prod.everything`);
    expect(logs).toContain("notification to #deploy: hello");
  }, 120_000);

  it("a version failing its health checks with auto_rollback: dev rolled back, the pipeline stops, prod untouched", async () => {
    const bad = c.ws.commit("hello", { STATUS_CODE: "500\n" });
    const prodBefore = [...c.tags("hello")].filter(([ref]) => ref.includes("prod.everything"));
    const r = cli(["pipeline", "run", "-s", "hello", "-k", bad.slice(0, 12), "--json"]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain("[PAASTA_PIPELINE_FAILED]");
    const out = JSON.parse(r.stdout) as PipelineState & { outcome: string };
    expect(out.outcome).toBe("failed");
    const dev = out.steps.find((s) => s.name === "dev.everything");
    expect(dev?.status).toBe("failed");
    expect(dev?.detail).toContain("HTTP 500");
    expect(dev?.detail).toContain(`rolled dev.everything back to ${sha0.slice(0, 8)}`);
    expect(dev?.rolled_back_to).toBe(sha0);
    expect(out.reason).toMatch(/^dev\.everything: dev\.everything did not run \w{8} everywhere within 15s/);
    expect(out.steps.find((s) => s.name === "prod.everything")?.status).toBe("pending");
    expect([...c.tags("hello")].filter(([ref]) => ref.includes("prod.everything"))).toEqual(prodBefore);
    expect([...c.tags("hello")].some(([ref, s]) => s === bad && /dev\.everything-.*-rollback$/.test(ref))).toBe(true);
    await until(() => bounce(c.api.dev), runsOnly(sha0), 20_000);
    // Running it again does not mark the rolled-back commit a second time.
    const again = cli(["pipeline", "run", "-s", "hello", "-k", bad, "--retry"]);
    expect(again.code).toBe(1);
    expect(again.stdout + again.stderr).toContain("was rolled back since: not marking it again");
    expect(deployTags("hello", "dev.everything", bad)).toHaveLength(1);
  }, 120_000);

  it("killing the CLI while it waits, then running again: resumes at the waiting step, marks once", async () => {
    const sha = c.ws.commit("hello", { STATUS_CODE: "200\n", "server.js": SLOW_SERVER });
    const child = spawn(process.execPath, [BIN, "pipeline", "run", "-s", "hello", "-k", sha], {
      env: c.ws.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    const exited = new Promise((r) => child.on("exit", r));
    await until(
      async () => out,
      (o) => /dev\.everything: 0\/1 instance/.test(o),
      30_000,
      50,
    );
    const busy = cli(["pipeline", "run", "-s", "hello", "-k", sha]);
    expect([busy.code, busy.stderr]).toEqual([1, expect.stringContaining("[PAASTA_PIPELINE_BUSY]")]);
    child.kill("SIGKILL");
    await exited;

    const interrupted = status(sha);
    expect([interrupted.status, interrupted.runner_alive]).toEqual(["running", false]);
    const waiting = interrupted.steps.find((s) => s.name === "dev.everything");
    expect(waiting?.status).toBe("running");
    expect(cli(["pipeline", "status", "-s", "hello", "-k", sha]).stdout).toContain("interrupted: its runner");

    const r = cli(["pipeline", "run", "-s", "hello", "-k", sha]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("resumed: 1 step(s) done already");
    expect(r.stdout).not.toContain("itest started");
    expect(r.stdout).toContain(`dev.everything started (resuming; tag ${waiting?.tag})`);
    expect(r.stdout).toContain("is already marked for dev.everything");
    expect(r.stdout).toContain("paused before prod.everything");
    expect(deployTags("hello", "dev.everything", sha)).toHaveLength(1);
    const after = status(sha).steps.find((s) => s.name === "dev.everything");
    expect([after?.status, after?.started_at]).toEqual(["succeeded", waiting?.started_at]);
    await until(() => bounce(c.api.dev), runsOnly(sha), 10_000);

    const cont = cli(["pipeline", "continue", "-s", "hello"]);
    expect(cont.code, cont.stdout + cont.stderr).toBe(0);
    expect(deployTags("hello", "prod.everything", sha)).toHaveLength(1);
    await until(() => bounce(c.api.prod), runsOnly(sha), 15_000);
  }, 150_000);

  it("a parallel block of two deploy groups deploys both at the same time", async () => {
    const sha = c.ws.commit("duo", { VERSION: "1\n" });
    const r = paastaBin(["pipeline", "run", "-s", "duo", "-k", sha, "--json"], { env: c.ws.env });
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as PipelineState & { outcome: string };
    expect(s.outcome).toBe("done");
    const [a, b] = ["dev.a", "dev.b"].map((n) => s.steps.find((x) => x.name === n));
    const starts = [a, b].map((x) => Date.parse(x?.started_at ?? ""));
    const ends = [a, b].map((x) => Date.parse(x?.ended_at ?? ""));
    // Concurrent: each started before the other ended.
    expect(Math.max(...starts)).toBeLessThan(Math.min(...ends));
    expect(r.stderr).toMatch(/dev\.a started[\s\S]*dev\.b started[\s\S]*dev\.(a|b) succeeded/);
    for (const inst of ["a", "b"]) await until(() => bounce(c.api.dev, "duo", inst), runsOnly(sha), 5_000);
  }, 120_000);
});
