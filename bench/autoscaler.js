#!/usr/bin/env node
// bench/autoscaler: what the local autoscaler's decision loop costs over 100 autoscaled instances (issue 15;
// target < 1 % of a core at the default 15 s interval). Prints one JSON object.
//  A LocalBackend store (not started) holds 100 autoscaled apps (20 services × 5, cpu and memory providers),
//  each with one healthy task that is a real process group (`sleep`, in its own session, as the process
//  executor starts tasks). A round = the component's whole work: read the overrides record, observe, read every
//  task's CPU time and RSS from /proc, decide per app. BENCH_ROUNDS rounds (default 60) after 3 warm-up rounds;
//  CPU time of this process per round (process.cpuUsage), and what that is as a share of one core at the
//  default interval (15 s) and at 1 s. Uses the compiled dist/ (npm run build).
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const REPO = new URL("..", import.meta.url).pathname;
const SERVICES = 20;
const PER = 5;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 60);
const dist = (p) => import(join(REPO, "dist", p));
const { LocalBackend } = await dist("backends/local/index.js");
const { ProcessExecutor } = await dist("backends/local/executors/process.js");
const { newTaskRecord } = await dist("backends/local/launch.js");
const { procStat } = await dist("backends/local/executors/process.js");
const { SystemConfig } = await dist("config/system.js");
const { desiredState } = await dist("reconcile/desired.js");
const { AutoscalerComponent } = await dist("runtime/autoscaler/index.js");
const { EventBus } = await dist("runtime/events.js");
const { createMetrics } = await dist("api/metrics.js");

const root = mkdtempSync(join(tmpdir(), "paasta-bench-autoscaler-"));
const sleeps = [];
try {
  const soa = join(root, "soa");
  const sha = "a".repeat(40);
  for (let s = 0; s < SERVICES; s++) {
    const svc = `scale${String(s).padStart(2, "0")}`;
    mkdirSync(join(soa, svc), { recursive: true });
    writeFileSync(join(soa, svc, "service.yaml"), `description: ${svc}\nexternal_link: x\n`);
    const instances = Array.from(
      { length: PER },
      (_, i) =>
        `i${i}:\n  cmd: run\n  cpus: 0.5\n  mem: 256\n  min_instances: 1\n  max_instances: 10\n  deploy_group: dev.main\n` +
        "  autoscaling:\n    metrics_providers:\n      - type: cpu\n      - type: memory\n",
    );
    writeFileSync(join(soa, svc, "kubernetes-dev.yaml"), instances.join(""));
    const deployment = { docker_image: `services-${svc}:paasta-${sha}`, git_sha: sha, image_version: null };
    writeFileSync(
      join(soa, svc, "deployments.json"),
      JSON.stringify({ v1: {}, v2: { deployments: { "dev.main": deployment }, controls: {} } }),
    );
  }
  const stateDir = join(root, "state");
  const backend = new LocalBackend({ cluster: "dev", stateDir, executor: (d) => new ProcessExecutor(d) });
  const apps = desiredState(soa, undefined, "dev").apps;
  if (apps.length !== SERVICES * PER) throw new Error(`expected ${SERVICES * PER} apps, got ${apps.length}`);
  for (const app of apps) {
    await backend.apply(app);
    const child = spawn("sleep", ["600"], { detached: true, stdio: "ignore" });
    child.unref();
    sleeps.push(child.pid);
    const id = `${app.service}-${app.instance}-t0`;
    const task = newTaskRecord(app, id, 30000 + sleeps.length, join(stateDir, "tasks", id), Date.now());
    backend.store.insertTask({
      ...task,
      state: "healthy",
      pid: child.pid,
      proc_start: procStat(child.pid)?.start ?? null,
      started_at: Date.now(),
      healthy_since: Date.now(),
    });
  }
  const ctx = {
    cluster: "dev",
    soaDir: soa,
    system: new SystemConfig({}, root),
    backend,
    log: { write: () => {} },
    events: new EventBus(),
    metrics: createMetrics(),
    version: "bench",
    env: {},
  };
  const component = new AutoscalerComponent(ctx, { desiredApps: () => apps });
  for (let i = 0; i < 3; i++) await component.round();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const perRound = [];
  for (let i = 0; i < ROUNDS; i++) {
    const c = process.cpuUsage();
    await component.round();
    const d = process.cpuUsage(c);
    perRound.push((d.user + d.system) / 1000);
  }
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000 / ROUNDS;
  perRound.sort((a, b) => a - b);
  const seen = apps.filter((a) => component.scaling(a)?.metrics[0]?.available).length;
  console.log(
    JSON.stringify(
      {
        bench: "autoscaler",
        instances: apps.length,
        tasks: sleeps.length,
        measured_instances: seen,
        rounds: ROUNDS,
        cpu_ms_per_round_mean: +cpuMs.toFixed(2),
        cpu_ms_per_round_median: +(perRound[Math.floor(ROUNDS / 2)] ?? 0).toFixed(2),
        wall_ms_per_round_mean: +(wall / ROUNDS).toFixed(2),
        core_percent_at_15s: +((cpuMs / 15_000) * 100).toFixed(3),
        core_percent_at_1s: +((cpuMs / 1_000) * 100).toFixed(3),
        target: "< 1 % of a core at the default interval (15 s)",
      },
      null,
      2,
    ),
  );
  await backend.close();
} finally {
  for (const pid of sleeps) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // gone
    }
  }
  rmSync(root, { recursive: true, force: true });
}
