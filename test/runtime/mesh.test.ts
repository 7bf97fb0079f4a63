/**
 * The mesh on the local runtime (issue 12), end to end against the real thing: `paasta up` as a child
 * process running real tasks, the real HAProxy it supervises, the CLI and the HTTP API. Clients talk to
 * 127.0.0.1:proxy_port only.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { paastaBin } from "../helpers/cli.js";
import { backends, freeProxyPort, loadInChild, meshStatus, TASK_SERVER, through } from "../helpers/mesh.js";
import { getJson, makeWorkspace, sleep, startUp, type UpProcess, until, type Workspace } from "../helpers/runtime.js";

interface Status {
  deploy_status: string;
  versions: Array<{ git_sha: string; desired: boolean; replicas: number; tasks: Array<{ id: string; state: string }> }>;
}

const instances = (control: string, canary: boolean) => `_web: &web
  cmd: node server.js
  deploy_group: dev.everything
  healthcheck_mode: http
  healthcheck_uri: /status
  healthcheck_grace_period_seconds: 0.2
  healthcheck_interval_seconds: 1
  healthcheck_timeout_seconds: 1
  healthcheck_max_consecutive_failures: 30
  env:
    CONTROL_DIR: ${control}
main:
  <<: *web
  instances: 3
  bounce_method: crossover
${
  canary
    ? `canary:
  <<: *web
  instances: 1
  deploy_group: canary
  registrations: [hello.main]
`
    : ""
}`;

const smartstack = (port: number, extra = "") =>
  `main:\n  proxy_port: ${port}\n  timeout_server_ms: 1000\n  endpoint_timeouts:\n    /slow: 10000\n${extra}`;

describe("the local proxy: discovery through 127.0.0.1:proxy_port", () => {
  let ws: Workspace;
  let up: UpProcess;
  let port: number;
  let control: string;
  const status = () => getJson<Status>(`${ws.api}/v1/services/hello/main/status`);
  const mark = (sha: string, group = "dev.everything") => {
    const r = paastaBin(["mark-for-deployment", "-s", "hello", "-c", sha, "-l", group], { env: ws.env });
    expect(r.code, r.stderr).toBe(0);
  };
  const upBackends = async () =>
    (await backends(ws.api, "hello", "main", "hello.main")).filter((b) => b.state === "up");
  /** Waits for main to run `sha` alone, its 3 tasks healthy and in rotation. */
  const settled = async (sha: string, timeoutMs = 60_000) =>
    until(
      async () => ({ s: await status(), up: await upBackends() }),
      ({ s, up }) =>
        s.deploy_status === "Running" &&
        s.versions.length === 1 &&
        s.versions[0]?.git_sha === sha &&
        up.filter((b) => b.instance === "main").length === 3,
      timeoutMs,
      100,
    );

  beforeAll(async () => {
    port = await freeProxyPort();
    ws = await makeWorkspace(
      {
        hello: {
          "smartstack.yaml": smartstack(port),
          "deploy.yaml": "pipeline:\n  - step: canary\n  - step: dev.everything\n",
        },
      },
      { repoFiles: { "server.js": TASK_SERVER } },
    );
    control = join(ws.root, "control");
    mkdirSync(control);
    ws.writeSoa("hello", "kubernetes-dev.yaml", instances(control, true));
    up = startUp(ws);
    await up.waitForOutput(/API: +http/);
    const sha = ws.commit("hello", { VERSION: "1\n" });
    mark(sha);
    mark(sha, "canary");
    await settled(sha);
    await until(
      () => upBackends(),
      (b) => b.length === 4,
      30_000,
    );
  }, 120_000);

  afterAll(async () => {
    await up?.kill("SIGTERM");
  });

  it("requests through the proxy port reach every healthy task; the canary registered into hello.main gets its share", async () => {
    const up4 = await upBackends();
    const counts = new Map<string, number>();
    for (let i = 0; i < 400; i++) {
      const r = await through(port);
      expect(r.status).toBe(200);
      counts.set(r.body, (counts.get(r.body) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual(up4.map((b) => b.task).sort());
    const canary = up4.find((b) => b.instance === "canary");
    // Equal weights (10 each), 4 tasks: a quarter of the requests.
    expect(counts.get(canary?.task ?? "")).toBeGreaterThanOrEqual(70);
    expect(counts.get(canary?.task ?? "")).toBeLessThanOrEqual(130);
  });

  it("a task failing its health check leaves rotation within one health interval, and comes back when it passes", async () => {
    const victim = (await upBackends()).find((b) => b.instance === "main");
    expect(victim).toBeDefined();
    const t0 = Date.now();
    writeFileSync(join(control, `fail-${victim?.task}`), "");
    await until(
      async () => (await backends(ws.api, "hello", "main", "hello.main")).find((b) => b.task === victim?.task),
      (b) => b?.state === "down",
      10_000,
      50,
    );
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeLessThan(1000 + 400); // healthcheck_interval_seconds: 1, plus the check's own time
    for (let i = 0; i < 40; i++) expect((await through(port)).body).not.toBe(victim?.task);
    rmSync(join(control, `fail-${victim?.task}`));
    await until(
      async () => (await backends(ws.api, "hello", "main", "hello.main")).find((b) => b.task === victim?.task),
      (b) => b?.state === "up",
      10_000,
      50,
    );
  });

  it("a new healthy task enters rotation within 1 s", async () => {
    ws.writeSoa("hello", "kubernetes-dev.yaml", instances(control, true).replace("instances: 3", "instances: 4"));
    let healthyAt = 0;
    let upAt = 0;
    const known = new Set((await upBackends()).map((b) => b.task));
    await until(
      async () => {
        const fresh = (await backends(ws.api, "hello", "main", "hello.main")).find((b) => !known.has(b.task));
        if (fresh?.healthy && !healthyAt) healthyAt = Date.now();
        if (fresh?.state === "up" && !upAt) upAt = Date.now();
        return upAt;
      },
      (t) => t > 0,
      30_000,
      20,
    );
    expect(upAt - healthyAt).toBeLessThanOrEqual(1000);
    ws.writeSoa("hello", "kubernetes-dev.yaml", instances(control, true));
    await until(
      () => upBackends(),
      (b) => b.filter((x) => x.instance === "main").length === 3,
      30_000,
    );
  });

  it("zero failed requests while hello bounces 3 times (crossover) and restarts, under load", async () => {
    // 60 s: longer than the bounces, even on a busy machine.
    const load = loadInChild(`http://127.0.0.1:${port}/`, 12_000, 8, 200);
    let loadDone = 0;
    void load.then(() => {
      loadDone = Date.now();
    });
    for (let i = 2; i <= 4; i++) {
      const sha = ws.commit("hello", { VERSION: `${i}\n` });
      mark(sha);
      await settled(sha);
    }
    const before = (await status()).versions[0]?.tasks.map((t) => t.id) ?? [];
    const r = paastaBin(["restart", "-s", "hello", "-c", "dev", "-i", "main", "--yes"], { env: ws.env });
    expect(r.code, r.stderr).toBe(0);
    await until(
      () => status(),
      (s) =>
        s.deploy_status === "Running" &&
        s.versions.length === 1 &&
        (s.versions[0]?.tasks ?? []).every((t) => !before.includes(t.id)),
      60_000,
      100,
    );
    const bouncesDone = Date.now();
    const result = await load;
    expect(bouncesDone, "the bounces finished before the load did").toBeLessThan(loadDone);
    expect(result.requests).toBeGreaterThanOrEqual(10_000);
    expect({ failed: result.failed, errors: result.errors }).toEqual({ failed: 0, errors: {} });
    expect(result.statuses).toEqual({ 200: 12_000 });
  }, 180_000);

  it("removing the canary drains it first: no new requests, in-flight ones finish, then it stops", async () => {
    const canary = (await upBackends()).find((b) => b.instance === "canary");
    expect(canary).toBeDefined();
    // Slow requests in flight on every task, the canary's among them.
    const slow = Promise.all(Array.from({ length: 8 }, () => through(port, "/slow?delay=6000")));
    await until(
      async () => (await backends(ws.api, "hello", "main", "hello.main")).find((b) => b.task === canary?.task),
      (b) => (b?.sessions ?? 0) > 0,
      5000,
      50,
    );
    ws.writeSoa("hello", "kubernetes-dev.yaml", instances(control, false));
    const draining = await until(
      async () => (await backends(ws.api, "hello", "main", "hello.main")).find((b) => b.task === canary?.task),
      (b) => b?.state === "draining",
      15_000,
      50,
    );
    expect(draining?.sessions).toBeGreaterThan(0);
    for (let i = 0; i < 20; i++) expect((await through(port)).body).not.toBe(canary?.task);
    const answers = await slow;
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
    expect(answers.filter((a) => a.body === canary?.task).length).toBeGreaterThan(0);
    await until(
      async () => (await backends(ws.api, "hello", "main", "hello.main")).map((b) => b.task),
      (tasks) => !tasks.includes(canary?.task ?? ""),
      30_000,
    );
  }, 60_000);

  it("HAProxy killed with kill -9 is restarted and serves again within 2 s, tasks still in rotation", async () => {
    const pid = Number(readFileSync(join(ws.stateDir, "proxy/haproxy.pid"), "utf8"));
    process.kill(pid, "SIGKILL");
    const t0 = Date.now();
    await sleep(20);
    await until(
      () => through(port),
      (r) => r.status === 200,
      10_000,
      20,
    );
    expect(Date.now() - t0).toBeLessThanOrEqual(2000);
    expect((await upBackends()).filter((b) => b.instance === "main")).toHaveLength(3);
    await up.waitForOutput(/HAProxy exited \(SIGKILL\); restarting it/);
    expect(Number(readFileSync(join(ws.stateDir, "proxy/haproxy.pid"), "utf8"))).not.toBe(pid);
  });

  it("a config HAProxy rejects is reported with its message and the old one keeps serving", async () => {
    ws.writeSoa("hello", "smartstack.yaml", smartstack(port, "    ^/(: 50\n"));
    await up.waitForOutput(/HAProxy rejected the new config, the old one keeps running: .+/, 30_000);
    expect((await through(port)).status).toBe(200);
    const health = await meshStatus(ws.api, "hello", "main");
    expect(health.proxy.detail).toMatch(/rejected/);
    ws.writeSoa("hello", "smartstack.yaml", smartstack(port));
    await until(
      () => meshStatus(ws.api, "hello", "main"),
      (s) => /serving/.test(s.proxy.detail),
      30_000,
    );
    expect((await through(port)).status).toBe(200);
  });

  it("a port another program holds is reported and tried again; reloads for new namespaces drop no request", async () => {
    const busy = await freeProxyPort();
    const holder = createServer(() => {});
    await new Promise<void>((r) => holder.listen(busy, "127.0.0.1", r));
    // Requests to hello.main all along: through the failed load, the reload that adds `busy`, the one removing it.
    const load = loadInChild(`http://127.0.0.1:${port}/`, 4000, 4, 200);
    try {
      ws.writeSoa("hello", "smartstack.yaml", `${smartstack(port)}busy:\n  proxy_port: ${busy}\n`);
      await up.waitForOutput(/HAProxy could not load the new config, the old one keeps running: .*cannot bind/, 30_000);
      expect((await through(port)).status).toBe(200);
      expect((await meshStatus(ws.api, "hello", "main")).proxy.detail).toMatch(/could not load the new config/);
    } finally {
      holder.close();
    }
    await up.waitForOutput(new RegExp(`HAProxy reloaded: serving hello\\.busy:${busy}, hello\\.main:${port}`), 30_000);
    expect((await through(busy)).status).toBe(503); // served, and no task registers in it
    ws.writeSoa("hello", "smartstack.yaml", smartstack(port));
    await until(
      () => meshStatus(ws.api, "hello", "main"),
      (s) => new RegExp(`serving ${port} hello.main$`).test(s.proxy.detail),
      30_000,
    );
    const result = await load;
    expect({ failed: result.failed, errors: result.errors }).toEqual({ failed: 0, errors: {} });
  }, 90_000);

  it("mesh-status, status -v, info and /metrics show the mesh", async () => {
    const ms = paastaBin(["mesh-status", "-s", "hello", "-i", "main", "-c", "dev"], { env: ws.env });
    expect(ms.code, ms.stderr).toBe(0);
    expect(ms.stdout).toMatch(new RegExp(`hello.main  served on 127.0.0.1:${port}  3/3 backend\\(s\\) up`));
    const json = JSON.parse(paastaBin(["mesh-status", "-s", "hello", "-i", "main", "--json"], { env: ws.env }).stdout);
    expect(json[0].mesh.namespaces[0].backends).toHaveLength(3);
    const st = paastaBin(["status", "-s", "hello", "-c", "dev", "-i", "main", "-v"], { env: ws.env });
    expect(st.stdout.match(/mesh: hello\.main up/g)).toHaveLength(3);
    expect(st.stdout).toContain(`Mesh: hello.main on 127.0.0.1:${port} (3/3 up)`);
    const info = paastaBin(["info", "-s", "hello"], { env: ws.env });
    expect(info.stdout).toContain(`http://127.0.0.1:${port} (hello.main on dev)`);
    // (until: a retry when the API closes an idle keep-alive connection just as it is reused)
    const metrics = await until(
      async () => (await fetch(`${ws.api}/metrics`)).text(),
      (t) => t.includes("paasta_proxy_up"),
      10_000,
    );
    const requests = /paasta_proxy_requests_total\{namespace="hello.main"\} (\d+)/.exec(metrics);
    expect(Number(requests?.[1])).toBeGreaterThan(0);
    expect(metrics).toMatch(/paasta_proxy_backends\{namespace="hello.main",state="up"\} 3/);
    expect(metrics).toMatch(/paasta_proxy_up 1/);
    expect(metrics).toMatch(/paasta_proxy_restarts_total 1/);
    expect(metrics).toMatch(/paasta_proxy_response_time_seconds\{namespace="hello.main"\}/);
    expect(metrics).toMatch(/paasta_proxy_errors_total\{namespace="hello.main",kind="5xx"\} 0/);
  });
});

describe("the local proxy without HAProxy", () => {
  let ws: Workspace;
  let up: UpProcess;

  beforeAll(async () => {
    const port = await freeProxyPort();
    ws = await makeWorkspace(
      {
        hello: {
          "smartstack.yaml": `main:\n  proxy_port: ${port}\n`,
          "kubernetes-dev.yaml":
            "main:\n  cmd: node server.js\n  instances: 1\n  deploy_group: dev.everything\n  healthcheck_grace_period_seconds: 0.2\n  healthcheck_interval_seconds: 0.5\n",
        },
      },
      { system: {} },
    );
    const config = JSON.parse(readFileSync(join(ws.etc, "paasta.json"), "utf8"));
    config.cluster_backends.dev.haproxy_path = join(ws.root, "no-such-haproxy");
    writeFileSync(join(ws.etc, "paasta.json"), JSON.stringify(config));
    up = startUp(ws);
    await up.waitForOutput(/API: +http/);
  }, 60_000);

  afterAll(async () => {
    await up?.kill("SIGTERM");
  });

  it("paasta up starts, says once that discovery is off and how to install HAProxy; mesh-status and info say so", async () => {
    const lines = up.output.filter((l) => /discovery is off/.test(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/apt-get install haproxy/);
    expect(lines[0]).toMatch(/haproxy_path/);
    const sha = ws.commit("hello", { VERSION: "1\n" });
    expect(
      paastaBin(["mark-for-deployment", "-s", "hello", "-c", sha, "-l", "dev.everything"], { env: ws.env }).code,
    ).toBe(0);
    await until(
      () => getJson<Status>(`${ws.api}/v1/services/hello/main/status`),
      (s) => s.deploy_status === "Running",
      60_000,
    );
    const ms = paastaBin(["mesh-status", "-s", "hello", "-i", "main", "-c", "dev"], { env: ws.env });
    expect(ms.stdout).toMatch(/no-such-haproxy is not an executable: service discovery is off/);
    expect(ms.stdout).toMatch(/not served/);
    const st = paastaBin(["status", "-s", "hello", "-c", "dev", "-i", "main"], { env: ws.env });
    expect(st.stdout).toMatch(/Mesh: hello\.main port \d+ not served: .*service discovery is off/);
    const info = paastaBin(["info", "-s", "hello"], { env: ws.env });
    expect(info.stdout).toMatch(/hello\.main \(port \d+\) not served on dev: .*service discovery is off/);
    expect(info.stdout).not.toMatch(/http:\/\/127\.0\.0\.1:\d+ \(hello\.main/);
  }, 90_000);
});
