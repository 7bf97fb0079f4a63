#!/usr/bin/env node
// bench/jobs: the job scheduler (issue 13).
//  1. local: seconds from a run's scheduled time to the start of its first action (a job every 2 s, one
//     action), over 10 runs: median and max; target ≤ 1 s.
//  2. local: CPU of an idle `paasta up` with 1,000 configured jobs (100 services × 10, none due) minus the same
//     runtime with none, over 20 s each; target < 1 % of a core.
//  3. Kubernetes (the test control plane): one scheduler pass over 1,000 jobs (each with a recorded run) with
//     nothing due: time (target ≤ 1 s) and writes (target 0).
// Real processes, real git, the real API server. Prints one JSON object.
import { spawn, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BIN, CLK_TCK, cpuTicks, git, localCluster, REPO, sleep, until as untilEvery } from "./common.js";

const until = (fn, ok, timeoutMs) => untilEvery(fn, ok, timeoutMs, 100);

const JOBS = Number(process.env.BENCH_JOBS ?? 1000);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** A local cluster: service `svc` (a repo, deployed) with `tron` as its tron-dev.yaml, plus `extra` services. */
async function workspace(tron, extra = () => {}) {
  const root = mkdtempSync(join(tmpdir(), "paasta-bench-jobs-"));
  const soa = join(root, "soa");
  const repo = join(root, "repos/svc");
  cpSync(join(REPO, "examples/services/hello"), repo, { recursive: true });
  git(["init", "-q", "-b", "main", repo]);
  git(["add", "-A"], repo);
  git(["commit", "-q", "-m", "one"], repo);
  const service = (name, files) => {
    mkdirSync(join(soa, name), { recursive: true });
    writeFileSync(join(soa, name, "service.yaml"), `description: ${name}\nexternal_link: x\ngit_url: ${repo}\n`);
    writeFileSync(join(soa, name, "monitoring.yaml"), "team: bench\n");
    writeFileSync(join(soa, name, "deploy.yaml"), "pipeline:\n  - step: dev.everything\n");
    for (const [f, text] of Object.entries(files)) writeFileSync(join(soa, name, f), text);
  };
  service("svc", tron ? { "tron-dev.yaml": tron } : {});
  extra(service);
  const { env, api } = await localCluster(root, soa);
  spawnSync(
    process.execPath,
    [BIN, "mark-for-deployment", "-s", "svc", "-c", git(["rev-parse", "HEAD"], repo), "-l", "dev.everything"],
    { env },
  );
  return { root, env, api };
}

async function withUp(ws, fn) {
  const up = spawn(process.execPath, [BIN, "up", "--cluster", "dev"], { env: ws.env, stdio: "ignore" });
  try {
    await until(
      async () => (await fetch(`${ws.api}/v1/version`)).status,
      (s) => s === 200,
      60_000,
    );
    return await fn(up);
  } finally {
    up.kill("SIGTERM");
    await new Promise((r) => up.on("exit", r));
    rmSync(ws.root, { recursive: true, force: true });
  }
}

const result = { bench: "jobs" };
const only = process.env.BENCH_ONLY; // local | k8s

// 1. start latency
if (only !== "k8s") {
  const ws = await workspace(
    "tick:\n  schedule: interval 2s\n  deploy_group: dev.everything\n  actions:\n    a: {command: 'true'}\n",
  );
  await withUp(ws, async () => {
    const runs = await until(
      async () => (await (await fetch(`${ws.api}/v1/jobs/svc/tick`)).json()).runs,
      (rs) => rs.filter((r) => r.actions[0].started_at).length >= 12,
      60_000,
    );
    // The first two runs include the first checkout of the commit.
    const delays = runs
      .filter((r) => r.actions[0].started_at)
      .sort((a, b) => a.run - b.run)
      .slice(2, 12)
      .map((r) => (Date.parse(r.actions[0].started_at) - Date.parse(r.scheduled_at)) / 1000);
    result.local_start_delay_seconds_median = Number(median(delays).toFixed(3));
    result.local_start_delay_seconds_max = Number(Math.max(...delays).toFixed(3));
    result.local_start_delay_target_seconds = 1;
  });
}

// 2. idle CPU with 1,000 jobs
async function idleCpu(jobs) {
  const ws = await workspace(null, (service) => {
    for (let s = 0; s < jobs / 10; s++) {
      const tron = Array.from(
        { length: 10 },
        (_, i) =>
          `j${i}:\n  schedule: cron 0 4 1 1 *\n  deploy_group: dev.everything\n  actions:\n    a: {command: 'true'}\n    b: {command: 'true', requires: [a]}\n`,
      ).join("");
      service(`jobs${s}`, { "tron-dev.yaml": tron });
    }
  });
  return withUp(ws, async (up) => {
    if (jobs > 0)
      await until(
        async () => (await (await fetch(`${ws.api}/v1/jobs`)).json()).jobs.length,
        (n) => n === jobs,
        60_000,
      );
    await sleep(8000);
    const c0 = cpuTicks(up.pid);
    const w0 = performance.now();
    await sleep(20_000);
    return (cpuTicks(up.pid) - c0) / CLK_TCK / ((performance.now() - w0) / 1000);
  });
}
if (only !== "k8s") {
  const base = await idleCpu(0);
  const withJobs = await idleCpu(JOBS);
  result.idle_jobs = JOBS;
  result.idle_cpu_percent_of_core_without_jobs = Number((base * 100).toFixed(2));
  result.idle_cpu_percent_of_core_with_jobs = Number((withJobs * 100).toFixed(2));
  result.idle_cpu_added_percent_of_core = Number(((withJobs - base) * 100).toFixed(2));
  result.idle_cpu_added_target_percent = 1;
}

// 3. Kubernetes pass over 1,000 jobs with nothing due
if (only !== "local") {
  const upK = spawnSync(join(REPO, "scripts/testenv"), ["k8s", "up"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  const kubeconfig = upK.stdout
    .trim()
    .split("\n")
    .pop()
    .replace(/^KUBECONFIG=/, "");
  const { connect } = await import(join(REPO, "dist/backends/kubernetes/client.js"));
  const { KubernetesBatch } = await import(join(REPO, "dist/backends/kubernetes/jobs/index.js"));
  const { JobConfigs } = await import(join(REPO, "dist/runtime/scheduler/configs.js"));
  const { applyIntents } = await import(join(REPO, "dist/runtime/scheduler/apply.js"));
  const { decide } = await import(join(REPO, "dist/runtime/scheduler/decide.js"));
  const { newRun } = await import(join(REPO, "dist/runtime/scheduler/specs.js"));
  const { byJob, NO_RECORDS } = await import(join(REPO, "dist/model/jobs/records.js"));
  const { registerJobMetrics } = await import(join(REPO, "dist/runtime/scheduler/metrics.js"));
  const { createMetrics } = await import(join(REPO, "dist/api/metrics.js"));
  const { EventBus } = await import(join(REPO, "dist/runtime/events.js"));
  const { loadSystemConfig } = await import(join(REPO, "dist/config/system.js"));
  const root = mkdtempSync(join(tmpdir(), "paasta-bench-kjobs-"));
  const soa = join(root, "soa");
  const ns = `paasta-bench-jobs-${Date.now().toString(36)}`;
  const sha = "1".repeat(40);
  for (let s = 0; s < JOBS / 10; s++) {
    const dir = join(soa, `jobs${s}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "service.yaml"), "description: d\nexternal_link: x\n");
    writeFileSync(
      join(dir, "deployments.json"),
      JSON.stringify({
        v1: {},
        v2: {
          deployments: {
            "kube.everything": { docker_image: `services-jobs${s}:paasta-${sha}`, git_sha: sha, image_version: null },
          },
          controls: {},
        },
      }),
    );
    writeFileSync(
      join(dir, "tron-kube.yaml"),
      Array.from(
        { length: 10 },
        (_, i) =>
          `j${i}:\n  schedule: cron 0 4 1 1 *\n  deploy_group: kube.everything\n  actions:\n    a: {command: 'true'}\n`,
      ).join(""),
    );
  }
  mkdirSync(join(root, "etc"));
  writeFileSync(
    join(root, "etc/paasta.json"),
    JSON.stringify({ cluster: "kube", clusters: ["kube"], tron_namespace: ns }),
  );
  const system = loadSystemConfig(join(root, "etc"));
  const kube = await connect({ type: "kubernetes", kubeconfig }, "bench-jobs");
  try {
    await kube.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
    const store = new KubernetesBatch(kube, "bench-jobs", ns);
    const configs = new JobConfigs(soa, system, "kube");
    configs.refresh();
    const jobs = configs.all();
    // History: one recorded (skipped) run per job, so each pass reads 1,000 run records.
    const t0 = performance.now();
    for (let i = 0; i < jobs.length; i += 20) {
      await Promise.all(
        jobs.slice(i, i + 20).map((l) =>
          store.createRun(
            newRun(l.config, l.versions, {
              scheduled_at: Date.UTC(2025, 0, 1, 4),
              manual: false,
              skipped: true,
              reason: "bench history",
            }),
          ),
        ),
      );
    }
    result.k8s_history_seconds = Number(((performance.now() - t0) / 1000).toFixed(1));
    const ctx = {
      ctx: { cluster: "bench-jobs", events: new EventBus() },
      store,
      metrics: registerJobMetrics(createMetrics().registry),
      seen: new Set(),
      pollMs: 1000,
      decide,
    };
    const pass = async () => {
      const writes = kube.writes;
      const start = performance.now();
      configs.refresh();
      const records = await store.read({ jobs });
      const read = performance.now();
      const grouped = byJob(records);
      for (const l of jobs) await applyIntents(ctx, l, grouped.get(`${l.service}.${l.job}`) ?? NO_RECORDS, Date.now());
      return {
        seconds: (performance.now() - start) / 1000,
        read: (read - start) / 1000,
        writes: kube.writes - writes,
      };
    };
    await pass(); // warm (connections, the watch, parsing)
    const passes = [];
    for (let i = 0; i < 5; i++) passes.push(await pass());
    result.k8s_jobs = jobs.length;
    result.k8s_pass_seconds_median = Number(median(passes.map((p) => p.seconds)).toFixed(3));
    result.k8s_pass_read_seconds_median = Number(median(passes.map((p) => p.read)).toFixed(3));
    result.k8s_pass_target_seconds = 1;
    result.k8s_pass_writes = Math.max(...passes.map((p) => p.writes));
    result.k8s_pass_writes_target = 0;
    store.close();
  } finally {
    await kube.delete("v1", "Namespace", undefined, ns);
    rmSync(root, { recursive: true, force: true });
  }
}
console.log(JSON.stringify(result));
