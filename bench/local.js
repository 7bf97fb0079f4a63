#!/usr/bin/env node
// bench/local: the embedded runtime (issue 4).
//  1. crossover of 3 replicas: seconds from mark-for-deployment returning to 3 healthy tasks of the new SHA
//     and none of the old, minus the health checks' own minimum (grace period); target ≤ 1 s.
//  2. 100 idle instances (process executor, `sleep`): CPU of `paasta up` over 20 s (target < 2% of a core)
//     and its RSS (target < 150 MB).
//  3. `paasta status -s hello` wall time (median of 5 runs); target < 0.5 s.
// Real processes, real git, the real CLI. Prints one JSON object.
import { spawn, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BIN, CLK_TCK, cpuTicks, git, localCluster, REPO, sleep, until } from "./common.js";

const GRACE = 0.5;

async function workspace(idle) {
  const root = mkdtempSync(join(tmpdir(), "paasta-bench-local-"));
  const soa = join(root, "soa");
  const repo = join(root, "repos/hello");
  cpSync(join(REPO, "examples/services/hello"), repo, { recursive: true });
  git(["init", "-q", "-b", "main", repo]);
  git(["add", "-A"], repo);
  git(["commit", "-q", "-m", "one"], repo);
  const svc = (name, kube) => {
    mkdirSync(join(soa, name), { recursive: true });
    writeFileSync(join(soa, name, "service.yaml"), `description: ${name}\nexternal_link: x\ngit_url: ${repo}\n`);
    writeFileSync(join(soa, name, "monitoring.yaml"), "team: bench\n");
    writeFileSync(join(soa, name, "deploy.yaml"), "pipeline:\n  - step: dev.everything\n");
    writeFileSync(join(soa, name, "kubernetes-dev.yaml"), kube);
  };
  svc(
    "hello",
    `main:\n  cmd: node server.js\n  instances: 3\n  deploy_group: dev.everything\n  healthcheck_mode: http\n  healthcheck_uri: /status\n  healthcheck_grace_period_seconds: ${GRACE}\n  healthcheck_interval_seconds: 0.5\n`,
  );
  for (let s = 0; s < idle / 10; s++) {
    const body = Array.from(
      { length: 10 },
      (_, i) => `i${i}:\n  cmd: sleep 100000\n  instances: 1\n  deploy_group: dev.everything\n`,
    ).join("");
    svc(`idle${s}`, body);
  }
  const { env, stateDir, cache, api } = await localCluster(root, soa);
  return { root, soa, repo, env, api, stateDir, cache };
}

const paasta = (ws, args) => spawnSync(process.execPath, [BIN, ...args], { env: ws.env, encoding: "utf8" });
const getJson = async (url) => (await fetch(url)).json();
const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]) / 1024;

const IDLE = Number(process.env.BENCH_IDLE ?? 100);
const ws = await workspace(IDLE);
const nodeArgs = process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(" ") : [];
const up = spawn(process.execPath, [...nodeArgs, BIN, "up", "--cluster", "dev"], { env: ws.env, stdio: "ignore" });
const result = { bench: "local" };
try {
  const sha1 = git(["rev-parse", "HEAD"], ws.repo);
  paasta(ws, ["mark-for-deployment", "-s", "hello", "-c", sha1, "-l", "dev.everything"]);
  for (let s = 0; s < IDLE / 10; s++) paasta(ws, ["generate-deployments", "-s", `idle${s}`]);
  const bounce = () => getJson(`${ws.api}/v1/services/hello/main/bounce_status`);
  await until(bounce, (b) => b.deploy_status === "Running" && b.running_instance_count === 3, 60_000);

  // 1. crossover
  writeFileSync(join(ws.repo, "VERSION"), "2\n");
  git(["add", "-A"], ws.repo);
  git(["commit", "-q", "-m", "two"], ws.repo);
  const sha2 = git(["rev-parse", "HEAD"], ws.repo);
  paasta(ws, ["mark-for-deployment", "-s", "hello", "-c", sha2, "-l", "dev.everything"]);
  const t0 = performance.now();
  await until(
    bounce,
    (b) =>
      b.deploy_status === "Running" &&
      b.running_instance_count === 3 &&
      b.active_shas.length === 1 &&
      b.active_shas[0][0] === sha2,
    60_000,
  );
  const crossover = (performance.now() - t0) / 1000;
  result.crossover_seconds = Number(crossover.toFixed(3));
  result.crossover_health_minimum_seconds = GRACE;
  result.crossover_overhead_seconds = Number((crossover - GRACE).toFixed(3));
  result.crossover_overhead_target_seconds = 1;

  // 2. idle instances
  await until(
    async () => (await getJson(`${ws.api}/metrics`.replace("/metrics", "/v1/services"))).services.length,
    (n) => n >= IDLE + 1,
    30_000,
  );
  await sleep(5000);
  const c0 = cpuTicks(up.pid);
  const w0 = performance.now();
  await sleep(20_000);
  const cpu = (cpuTicks(up.pid) - c0) / CLK_TCK / ((performance.now() - w0) / 1000);
  const metrics = await (await fetch(`${ws.api}/metrics`)).text();
  result.idle_instances = IDLE;
  result.idle_running_tasks = Number(/paasta_tasks\{state="healthy"\} (\d+)/.exec(metrics)?.[1] ?? 0);
  result.idle_cpu_percent_of_core = Number((cpu * 100).toFixed(2));
  result.idle_cpu_target_percent = 2;
  result.idle_rss_mb = Number(rssMb(up.pid).toFixed(1));
  result.idle_rss_target_mb = 150;

  // 3. paasta status
  const times = [];
  for (let i = 0; i < 5; i++) {
    const s = performance.now();
    const r = paasta(ws, ["status", "-s", "hello"]);
    times.push((performance.now() - s) / 1000);
    if (r.status !== 0) throw new Error(r.stdout + r.stderr);
  }
  times.sort((a, b) => a - b);
  result.status_seconds_median = Number(times[2].toFixed(3));
  result.status_target_seconds = 0.5;
} finally {
  up.kill("SIGTERM");
  await new Promise((r) => up.on("exit", r));
  rmSync(ws.root, { recursive: true, force: true });
}
console.log(JSON.stringify(result));
