#!/usr/bin/env node
// bench/monitor: one check pass of the monitor over 1,000 instances (250 services × 4), and what an idle
// monitor costs. Prints one JSON object.
//  local:      a LocalBackend store holding the 1,000 apps (not started: no processes), statuses per instance
//              through the contract, every check, the state machine, the outbox to a log sink. First pass (all
//              1,000 replication alerts fire) and a steady pass (still firing). Target ≤ 1 s.
//  kubernetes: the three list calls of a pass against the test control plane (scripts/testenv; whatever
//              managed objects exist there), plus the pure part over 1,000 workloads with 2 pods each built
//              in memory (statusesFrom + every check). Target ≤ 2 s. No objects are created on the shared
//              control plane; BENCH_K8S=0 skips this part.
//  idle:       CPU used by the process while the monitor of the 1,000 local instances runs with the default
//              60 s interval, over BENCH_IDLE_SECONDS (default 60: one pass), as % of one core. Target < 1 %.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const REPO = new URL("..", import.meta.url).pathname;
const SERVICES = Number(process.env.BENCH_SERVICES ?? 250);
const PER = 4;
const IDLE = Number(process.env.BENCH_IDLE_SECONDS ?? 60);
const dist = (p) => import(join(REPO, "dist", p));
const { LocalBackend } = await dist("backends/local/index.js");
const { ProcessExecutor } = await dist("backends/local/executors/process.js");
const { loadSystemConfig } = await dist("config/system.js");
const { desiredState } = await dist("reconcile/desired.js");
const { MonitorComponent } = await dist("runtime/monitor/index.js");
const { evaluate } = await dist("runtime/monitor/evaluate.js");
const { emptyRecord } = await dist("runtime/monitor/state.js");
const { statusesFrom } = await dist("backends/kubernetes/status-list.js");
const { EventBus } = await dist("runtime/events.js");
const { createMetrics } = await dist("api/metrics.js");

const root = mkdtempSync(join(tmpdir(), "paasta-bench-monitor-"));
const soa = join(root, "soa");
const sha = "a".repeat(40);
for (let s = 0; s < SERVICES; s++) {
  const svc = `bench${String(s).padStart(3, "0")}`;
  const dir = join(soa, svc);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "service.yaml"), `description: ${svc}\nexternal_link: x\n`);
  writeFileSync(join(dir, "monitoring.yaml"), "team: bench\nalert_after: 0\n");
  const body = Array.from(
    { length: PER },
    (_, i) => `i${i}:\n  cmd: run\n  instances: 2\n  deploy_group: dev.everything\n`,
  );
  writeFileSync(join(dir, "kubernetes-dev.yaml"), body.join(""));
  const deployment = { docker_image: `services-${svc}:paasta-${sha}`, git_sha: sha, image_version: null };
  writeFileSync(
    join(dir, "deployments.json"),
    JSON.stringify({ v1: {}, v2: { deployments: { "dev.everything": deployment }, controls: {} } }),
  );
}
mkdirSync(join(root, "etc"));
writeFileSync(
  join(root, "etc", "paasta.json"),
  JSON.stringify({
    cluster: "dev",
    clusters: ["dev"],
    cluster_backends: { dev: { type: "local", state_dir: join(root, "state") } },
    monitoring_sinks: [{ type: "log" }],
  }),
);
const system = loadSystemConfig(join(root, "etc"));
const backend = new LocalBackend({
  cluster: "dev",
  stateDir: join(root, "state"),
  executor: (d) => new ProcessExecutor(d),
});
const apps = desiredState(soa, system, "dev").apps;
for (const app of apps) await backend.apply(app);
const ctx = {
  cluster: "dev",
  soaDir: soa,
  system,
  backend,
  log: { write() {} },
  events: new EventBus(),
  metrics: createMetrics(),
  version: "bench",
  env: process.env,
};
const ms = (t) => Math.round((performance.now() - t) * 10) / 10;

// local: two passes through the component (reads, checks, state machine, outbox, persisted record)
const monitor = new MonitorComponent(ctx, { intervalSeconds: 3600 });
await monitor.start();
let t = performance.now();
const first = await monitor.pass();
const firstMs = ms(t);
t = performance.now();
await monitor.pass();
const steadyMs = ms(t);
await monitor.stop();
const local = {
  instances: apps.length,
  first_pass_ms: firstMs,
  fired: first.notifications.filter((n) => n.kind === "fire").length,
  steady_pass_ms: steadyMs,
  target_ms: 1000,
};

// kubernetes: real list calls + the pure part over 1,000 in-memory workloads
let kubernetes = { skipped: true };
if (process.env.BENCH_K8S !== "0") {
  const up = spawnSync(join(REPO, "scripts/testenv"), ["k8s", "up"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  const kubeconfig = up.stdout
    .trim()
    .split("\n")
    .pop()
    .replace(/^KUBECONFIG=/, "");
  const { connect } = await dist("backends/kubernetes/client.js");
  const { KubernetesBackend } = await dist("backends/kubernetes/index.js");
  const kb = new KubernetesBackend(await connect({ type: "kubernetes", kubeconfig }, "bench"), "bench");
  t = performance.now();
  const live = await kb.listStatuses();
  const listMs = ms(t);
  const labels = (app) => ({
    "paasta.yelp.com/service": app.service,
    "paasta.yelp.com/instance": app.instance,
    "paasta.yelp.com/config_sha": app.config_hash,
    "paasta.yelp.com/git_sha": sha,
  });
  const workloads = apps.map((app) => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: `${app.service}-${app.instance}`, namespace: `paastasvc-${app.service}`, labels: labels(app) },
    spec: { replicas: 2 },
  }));
  const pods = apps.flatMap((app) =>
    [0, 1].map((i) => ({
      metadata: {
        name: `${app.service}-${app.instance}-${i}`,
        namespace: `paastasvc-${app.service}`,
        labels: labels(app),
      },
      spec: { nodeName: "kwok-node-0" },
      status: {
        phase: "Running",
        conditions: [{ type: "Ready", status: i === 0 ? "True" : "False" }],
        containerStatuses: [{ name: "main", ready: i === 0, restartCount: 0, state: { running: {} } }],
      },
    })),
  );
  t = performance.now();
  const statuses = new Map(statusesFrom("bench", workloads, pods).map((s) => [`${s.service}.${s.instance}`, s]));
  const input = { cluster: "bench", apps, statuses, frozen: new Set(), intervalSeconds: 60, bounceStuckSeconds: 900 };
  const out = evaluate(emptyRecord(), input, new Date());
  const pureMs = ms(t);
  await kb.close?.();
  kubernetes = {
    list_calls: 3,
    list_ms: listMs,
    managed_instances_listed: live.length,
    pure_pass_ms_1000_instances: pureMs,
    events: out.events.length,
    estimated_pass_ms: Math.round((listMs + pureMs) * 10) / 10,
    target_ms: 2000,
  };
}

// idle: the component on its own timer with the default interval
const idleMonitor = new MonitorComponent({ ...ctx, metrics: createMetrics() }, { intervalSeconds: 60 });
await idleMonitor.start();
await new Promise((r) => setTimeout(r, 2000)); // the first pass (at start) is over
const cpu0 = process.cpuUsage();
const wall0 = performance.now();
await new Promise((r) => setTimeout(r, IDLE * 1000));
const cpu = process.cpuUsage(cpu0);
const wall = performance.now() - wall0;
await idleMonitor.stop();
await backend.close();
rmSync(root, { recursive: true, force: true });
const idle = {
  seconds: IDLE,
  interval_seconds: 60,
  passes_in_window: idleMonitor.passes - 1,
  cpu_percent_of_one_core: Math.round(((cpu.user + cpu.system) / 1000 / wall) * 10000) / 100,
  // One steady pass per interval, averaged over the interval: what the monitor adds on average.
  average_with_passes_percent: Math.round((steadyMs / 60_000) * 10000) / 100,
  target_percent: 1,
};
console.log(JSON.stringify({ bench: "monitor", local, kubernetes, idle }, null, 2));
