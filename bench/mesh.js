#!/usr/bin/env node
// bench/mesh: the local proxy (issue 12), with `paasta up`, its HAProxy and real tasks (hello's code).
//  1. proxy overhead: p50 latency through 127.0.0.1:proxy_port minus p50 straight to the same 3 tasks in turn
//     (keep-alive, concurrency 1; 10 rounds of 1000 requests each way, alternated, so that the machine's load
//     weighs on both alike; the medians of the rounds); target ≤ +0.2 ms. A bare HAProxy (minimal config) in
//     front of the same tasks is measured alongside: what HAProxy itself costs on this machine at this load.
//  2. bounces under load: ≥ 10,000 requests at concurrency 8 through the proxy while hello goes through 3
//     crossover bounces and one `paasta restart`; target 0 failed (connection errors, timeouts or 5xx).
//  3. healthy → in rotation: from a new task's health check passing to HAProxy sending it requests, as
//     mesh_status reports both (5 new tasks); target ≤ 1 s.
// Needs HAProxy (scripts/testenv-haproxy haproxy setup). Prints one JSON object.
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BIN, freePort, git, localCluster, REPO, until } from "./common.js";
import { loadgen } from "./loadgen.js";

const kube = (instances) => `main:
  cmd: node server.js
  instances: ${instances}
  deploy_group: dev.everything
  bounce_method: crossover
  healthcheck_mode: http
  healthcheck_uri: /status
  healthcheck_grace_period_seconds: 0.2
  healthcheck_interval_seconds: 0.5
  healthcheck_max_consecutive_failures: 30
`;

async function workspace() {
  const root = mkdtempSync(join(tmpdir(), "paasta-bench-mesh-"));
  const soa = join(root, "soa");
  const repo = join(root, "repos/hello");
  cpSync(join(REPO, "examples/services/hello"), repo, { recursive: true });
  git(["init", "-q", "-b", "main", repo]);
  git(["add", "-A"], repo);
  git(["commit", "-q", "-m", "one"], repo);
  const proxyPort = await freePort(19000, 21000);
  mkdirSync(join(soa, "hello"), { recursive: true });
  const files = {
    "service.yaml": `description: hello\nexternal_link: x\ngit_url: ${repo}\n`,
    "monitoring.yaml": "team: bench\n",
    "deploy.yaml": "pipeline:\n  - step: dev.everything\n",
    "smartstack.yaml": `main:\n  proxy_port: ${proxyPort}\n`,
    "kubernetes-dev.yaml": kube(3),
  };
  for (const [f, text] of Object.entries(files)) writeFileSync(join(soa, "hello", f), text);
  const { env, stateDir, cache, api } = await localCluster(root, soa);
  return { root, soa, repo, env, proxyPort, api, stateDir, cache };
}

const paasta = (ws, args) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { env: ws.env, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`paasta ${args.join(" ")}: ${r.stdout}${r.stderr}`);
};
const getJson = async (url) => (await fetch(url)).json();
const backends = async (ws) =>
  (await getJson(`${ws.api}/v1/services/hello/main/mesh_status`)).namespaces[0]?.backends ?? [];
const status = (ws) => getJson(`${ws.api}/v1/services/hello/main/status`);
const settled = (ws, check) =>
  until(
    async () => ({ s: await status(ws), b: await backends(ws) }),
    ({ s, b }) =>
      s.deploy_status === "Running" && s.versions.length === 1 && b.every((x) => x.state === "up") && check(s),
    120_000,
    100,
  );
function commit(ws, n) {
  writeFileSync(join(ws.repo, "VERSION"), `${n}\n`);
  git(["add", "-A"], ws.repo);
  git(["commit", "-q", "-m", `v${n}`], ws.repo);
  return git(["rev-parse", "HEAD"], ws.repo);
}
/** HAProxy with a minimal config in front of the same tasks: what HAProxy alone costs on this machine now. */
async function bareHaproxy(root, addresses) {
  const port = await freePort();
  const cfg = join(root, "bare-haproxy.cfg");
  const servers = addresses.map((a, i) => `    server s${i} ${a}`).join("\n");
  writeFileSync(
    cfg,
    `defaults\n    mode http\n    timeout connect 1s\n    timeout client 10s\n    timeout server 10s\nfrontend f\n    bind 127.0.0.1:${port}\n    default_backend b\nbackend b\n${servers}\n`,
  );
  const bin = ["/usr/sbin/haproxy", "/usr/local/sbin/haproxy"].find((p) => existsSync(p)) ?? "haproxy";
  const child = spawn(bin, ["-f", cfg], { stdio: "ignore" });
  const url = `http://127.0.0.1:${port}/`;
  await until(
    () => fetch(url),
    (r) => r.ok,
    10_000,
  );
  return { child, url };
}

/** bench/loadgen.js in its own process: this one blocks while it runs the CLI. */
function loadInChild(url, requests, concurrency, rate) {
  return new Promise((resolve, reject) => {
    const args = [
      join(REPO, "bench/loadgen.js"),
      url,
      "--requests",
      requests,
      "--concurrency",
      concurrency,
      "--rate",
      rate,
    ];
    const child = spawn(process.execPath, args.map(String), { stdio: ["ignore", "pipe", "ignore"] });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.on("exit", () => {
      try {
        resolve(JSON.parse(out));
      } catch (e) {
        reject(e);
      }
    });
  });
}

const ws = await workspace();
const up = spawn(process.execPath, [BIN, "up", "--cluster", "dev"], { env: ws.env, stdio: "ignore" });
const result = { bench: "mesh" };
try {
  await until(
    () => fetch(`${ws.api}/v1/version`),
    (r) => r.ok,
    30_000,
  );
  paasta(ws, ["mark-for-deployment", "-s", "hello", "-c", git(["rev-parse", "HEAD"], ws.repo), "-l", "dev.everything"]);
  await settled(ws, (s) => s.versions[0].tasks.length === 3);

  // 1. overhead at p50, with a bare HAProxy (minimal config, same tasks) as the machine's reference
  const addresses = (await backends(ws)).map((b) => b.address);
  const tasks = addresses.map((a) => `http://${a}/`);
  const bare = await bareHaproxy(ws.root, addresses);
  const direct = [];
  const proxied = [];
  const reference = [];
  try {
    for (let i = 0; i < 10; i++) {
      direct.push((await loadgen({ url: tasks, requests: 1000, concurrency: 1 })).latency_ms.p50);
      const proxy = await loadgen({ url: `http://127.0.0.1:${ws.proxyPort}/`, requests: 1000, concurrency: 1 });
      proxied.push(proxy.latency_ms.p50);
      reference.push((await loadgen({ url: bare.url, requests: 1000, concurrency: 1 })).latency_ms.p50);
    }
  } finally {
    bare.child.kill("SIGTERM");
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  result.direct_p50_ms = median(direct);
  result.proxy_p50_ms = median(proxied);
  result.proxy_overhead_p50_ms = Number((result.proxy_p50_ms - result.direct_p50_ms).toFixed(3));
  result.bare_haproxy_overhead_p50_ms = Number((median(reference) - result.direct_p50_ms).toFixed(3));
  result.proxy_overhead_target_ms = 0.2;
  result.load_average = Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]);

  // 2. bounces under load
  const requests = Number(process.env.BENCH_REQUESTS ?? 12_000);
  const load = loadInChild(`http://127.0.0.1:${ws.proxyPort}/`, requests, 8, 200); // longer than the bounces
  const t0 = performance.now();
  for (let n = 2; n <= 4; n++) {
    const sha = commit(ws, n);
    paasta(ws, ["mark-for-deployment", "-s", "hello", "-c", sha, "-l", "dev.everything"]);
    await settled(ws, (s) => s.versions[0].git_sha === sha);
  }
  const before = new Set((await status(ws)).versions[0].tasks.map((t) => t.id));
  paasta(ws, ["restart", "-s", "hello", "-c", "dev", "-i", "main", "--yes"]);
  await settled(ws, (s) => s.versions[0].tasks.every((t) => !before.has(t.id)));
  result.bounces_seconds = Number(((performance.now() - t0) / 1000).toFixed(1));
  const loaded = await load;
  result.bounce_requests = loaded.requests;
  result.bounce_concurrency = 8;
  result.bounce_failed = loaded.failed;
  result.bounce_failed_target = 0;
  result.bounce_load_seconds = loaded.duration_s;
  result.bounce_errors = loaded.errors;

  // 3. healthy → in rotation
  const lags = [];
  for (let i = 4; i <= 8; i++) {
    const known = new Set((await backends(ws)).map((b) => b.task));
    writeFileSync(join(ws.soa, "hello", "kubernetes-dev.yaml"), kube(i));
    let healthyAt = 0;
    let upAt = 0;
    await until(
      async () => {
        const fresh = (await backends(ws)).find((b) => !known.has(b.task));
        if (fresh?.healthy && !healthyAt) healthyAt = performance.now();
        if (fresh?.state === "up" && !upAt) upAt = performance.now();
        return upAt;
      },
      (t) => t > 0,
      60_000,
      10,
    );
    lags.push(Number((upAt - healthyAt).toFixed(1)));
  }
  result.healthy_to_rotation_ms = lags;
  result.healthy_to_rotation_max_ms = Math.max(...lags);
  result.healthy_to_rotation_target_ms = 1000;
} finally {
  up.kill("SIGTERM");
  await new Promise((r) => up.on("exit", r));
  rmSync(ws.root, { recursive: true, force: true });
}
console.log(JSON.stringify(result));
