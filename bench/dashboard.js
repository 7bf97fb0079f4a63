#!/usr/bin/env node
// bench/dashboard: server time of the dashboard's home page with 100 services (2 long-running instances each,
// deployed) on a LocalBackend store (not started: no processes, so statuses have no tasks), through the API
// app in-process (app.request: the page's whole server work, no socket). Reports the first render (cold
// resolver caches) and the median / p95 of steady renders (what a browser reloading the page, or the live
// stream re-rendering it every second, costs), and the same for one instance page. Target: home ≤ 200 ms.
// Prints one JSON object.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";

const REPO = new URL("..", import.meta.url).pathname;
const SERVICES = Number(process.env.BENCH_SERVICES ?? 100);
const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const dist = (p) => import(join(REPO, "dist", p));
const { LocalBackend } = await dist("backends/local/index.js");
const { ProcessExecutor } = await dist("backends/local/executors/process.js");
const { loadSystemConfig } = await dist("config/system.js");
const { desiredState } = await dist("reconcile/desired.js");
const { buildApi } = await dist("api/app.js");

const root = mkdtempSync(join(tmpdir(), "paasta-bench-dashboard-"));
const soa = join(root, "soa");
const sha = "a".repeat(40);
for (let s = 0; s < SERVICES; s++) {
  const svc = `svc${String(s).padStart(3, "0")}`;
  const dir = join(soa, svc);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "service.yaml"),
    `description: service number ${s}\nexternal_link: https://example.org/${svc}\n`,
  );
  writeFileSync(join(dir, "monitoring.yaml"), `team: team${s % 7}\n`);
  writeFileSync(join(dir, "deploy.yaml"), "pipeline:\n  - step: dev.everything\n");
  writeFileSync(
    join(dir, "kubernetes-dev.yaml"),
    "main:\n  cmd: run\n  instances: 3\n  deploy_group: dev.everything\ncanary:\n  cmd: run\n  instances: 1\n  deploy_group: dev.everything\n",
  );
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
  }),
);
const system = loadSystemConfig(join(root, "etc"));
const backend = new LocalBackend({
  cluster: "dev",
  stateDir: join(root, "state"),
  executor: (d) => new ProcessExecutor(d),
});
for (const app of desiredState(soa, system, "dev").apps) await backend.apply(app);

// One API app, as a running `paasta up` or `paasta api` has; it keeps nothing between requests but the
// resolver's per-service results (re-read when a file changes).
const app = buildApi({ cluster: "dev", backend, soaDir: soa, system, token: "t", version: "bench" });

async function timed(path) {
  const t0 = performance.now();
  const res = await app.request(path);
  const body = await res.text();
  const ms = performance.now() - t0;
  if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status}: ${body.slice(0, 300)}`);
  return { ms, bytes: body.length };
}

async function measure(path) {
  const first = await timed(path);
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push((await timed(path)).ms);
  runs.sort((a, b) => a - b);
  const at = (q) => runs[Math.min(runs.length - 1, Math.floor(q * runs.length))];
  const r = (x) => Math.round(x * 10) / 10;
  return { first_ms: r(first.ms), median_ms: r(at(0.5)), p95_ms: r(at(0.95)), bytes: first.bytes };
}

try {
  const home = await measure("/");
  const instance = await measure("/services/svc042/main");
  console.log(
    JSON.stringify(
      {
        bench: "dashboard",
        services: SERVICES,
        instances: SERVICES * 2,
        runs: RUNS,
        home,
        instance_page: instance,
        target_home_ms: 200,
        within_target: home.median_ms <= 200,
        machine: { cores: cpus().length, load_average_1m: Math.round(loadavg()[0] * 10) / 10 },
        note: "server time in-process (app.request); statuses without tasks; services have no git_url, so no deploy history read",
      },
      null,
      2,
    ),
  );
} finally {
  await backend.close();
  rmSync(root, { recursive: true, force: true });
}
