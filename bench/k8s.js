#!/usr/bin/env node
// bench/k8s: `paasta deployd` (in this process, as `paasta deployd` runs it) against a real control plane of
// its own (scripts/testenv in a fresh PAASTA_TESTENV_DIR, stopped at the end; the shared one is never used).
// N instances (N/4 services × 4, 1 replica each). Rows:
//  1. first pass (creates everything): seconds, writes; and seconds until every pod is Ready;
//  2. no-op pass in deployd's steady state (the watched copy; the pass, not start-up): seconds, writes, lists;
//     and the same pass as one-shot `paasta reconcile` runs it (listing);
//  3. rollout of a new SHA: the pass that writes it (seconds, writes), and
//  4. seconds from writing the new deployments.json files until every pod is Ready on the new SHA;
//  plus the API's status route for one instance (ms, from the watched copy).
// Readiness is read from deployd's own watched copy (no polling lists that would load the API server).
// Options: --instances N (default 1000), --keep (leave the control plane running; with PAASTA_TESTENV_DIR set,
// that control plane is used and always left running). Prints one JSON object.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

const REPO = new URL("..", import.meta.url).pathname;
const { values: args } = parseArgs({
  options: {
    instances: { type: "string", default: "1000" },
    keep: { type: "boolean", default: false },
  },
});
const PER = 4;
const SERVICES = Math.ceil(Number(args.instances) / PER);
const INSTANCES = SERVICES * PER;
const dist = (p) => import(join(REPO, "dist", p));
const { startDeploydHost, startApiHost } = await dist("runtime/cluster-host.js");
const { loadSystemConfig } = await dist("config/system.js");
const { connect } = await dist("backends/kubernetes/client.js");
const { KubernetesBackend } = await dist("backends/kubernetes/index.js");
const { reconcilePass } = await dist("reconcile/pass.js");

const root = mkdtempSync(join(tmpdir(), "paasta-bench-k8s-"));
const envDir = process.env.PAASTA_TESTENV_DIR ?? mkdtempSync(join(tmpdir(), "paasta-bench-k8s-env-"));
const ownEnv = !process.env.PAASTA_TESTENV_DIR;
const testenv = (verb) =>
  spawnSync(join(REPO, "scripts/testenv"), ["k8s", verb], {
    encoding: "utf8",
    env: { ...process.env, PAASTA_TESTENV_DIR: envDir },
    stdio: ["ignore", "pipe", "inherit"],
  });
const up = testenv("up");
const kubeconfig = up.stdout
  .trim()
  .split("\n")
  .pop()
  .replace(/^KUBECONFIG=/, "");
if (up.status !== 0) throw new Error("scripts/testenv k8s up failed");

const soa = join(root, "soa");
const sha = (n) => String(n).repeat(40).slice(0, 40);
const svcName = (s) => `bench${String(s).padStart(4, "0")}`;
function writeTree(gitSha, onlyDeployments = false) {
  for (let s = 0; s < SERVICES; s++) {
    const svc = svcName(s);
    const dir = join(soa, svc);
    if (!onlyDeployments) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "service.yaml"), `description: ${svc}\nexternal_link: x\n`);
      writeFileSync(join(dir, "monitoring.yaml"), "team: bench\n");
      writeFileSync(join(dir, "deploy.yaml"), "pipeline:\n  - step: kube.everything\n");
      const body = Array.from(
        { length: PER },
        (_, i) => `i${i}:\n  cmd: run\n  cpus: 0.01\n  mem: 32\n  instances: 1\n  deploy_group: kube.everything\n`,
      ).join("");
      writeFileSync(join(dir, "kubernetes-kube.yaml"), body);
    }
    const deployment = { docker_image: `services-${svc}:paasta-${gitSha}`, git_sha: gitSha, image_version: null };
    writeFileSync(
      join(dir, "deployments.json"),
      JSON.stringify({ v1: {}, v2: { deployments: { "kube.everything": deployment }, controls: {} } }),
    );
  }
}

/** Resolves when every managed Deployment runs `gitSha` with all its pods Ready and no old pod left. */
function allReady(cache, gitSha) {
  const done = () => {
    const ws = cache.workloads();
    if (ws.length !== INSTANCES) return false;
    return ws.every((d) => {
      const want = d.spec?.replicas ?? 0;
      const st = d.status ?? {};
      return (
        d.metadata.labels?.["paasta.yelp.com/git_sha"] === gitSha &&
        (st.observedGeneration ?? 0) >= (d.metadata.generation ?? 0) &&
        (st.updatedReplicas ?? 0) === want &&
        (st.readyReplicas ?? 0) === want &&
        (st.replicas ?? 0) === want
      );
    });
  };
  return new Promise((resolve) => {
    let scheduled = false;
    const check = () => {
      scheduled = false;
      if (done()) {
        off();
        resolve();
      }
    };
    const off = cache.onChange(() => {
      if (!scheduled) setTimeout(check, 100);
      scheduled = true;
    });
    check();
  });
}

const round = (x, d = 2) => Number(x.toFixed(d));
const range = (xs) => [round(Math.min(...xs), 3), round(Math.max(...xs), 3)];
const result = { bench: "k8s", instances: INSTANCES, services: SERVICES };
let deployd;
let api;
try {
  writeTree(sha(1));
  const etc = join(root, "etc");
  mkdirSync(etc);
  writeFileSync(
    join(etc, "paasta.json"),
    JSON.stringify({
      cluster: "kube",
      clusters: ["kube"],
      soa_dir: soa,
      api_endpoints: { kube: "http://127.0.0.1:0" },
      cluster_backends: { kube: { type: "kubernetes", kubeconfig } },
    }),
  );
  const system = loadSystemConfig(etc);
  const passes = [];
  let kube;
  const t0 = performance.now();
  deployd = await startDeploydHost({
    soaDir: soa,
    system,
    cluster: "kube",
    version: "bench",
    env: process.env,
    gitPollMs: 0,
    onPass: (r) => passes.push({ at: performance.now(), ms: r.durationMs, writes: kube?.writes ?? 0, r }),
  });
  const backend = deployd.ctx.backend;
  kube = backend.kube;
  const loop = deployd.host.get("reconcile").loop;
  const firstPass = await new Promise((resolve) => {
    const wait = () => (passes.length > 0 ? resolve(passes[0]) : setTimeout(wait, 50));
    wait();
  });
  result.first_pass_seconds = round(firstPass.ms / 1000);
  result.first_pass_writes = kube.writes;
  result.first_pass_failed = firstPass.r.outcomes.filter((o) => o.kind === "failed").length;
  await backend.startCache();
  await allReady(backend.cache, sha(1));
  result.first_all_ready_seconds = round((performance.now() - t0) / 1000, 1);

  // No-op passes in steady state: the watched copy, nothing changed.
  await new Promise((r) => setTimeout(r, 2000));
  const noop = [];
  for (let i = 0; i < 7; i++) {
    const w = kube.writes;
    const l = kube.lists;
    const r = await loop.runPass();
    noop.push({ s: r.durationMs / 1000, writes: kube.writes - w, lists: kube.lists - l });
  }
  result.noop_pass_seconds = round(noop.map((p) => p.s).sort((a, b) => a - b)[3], 3);
  result.noop_pass_seconds_range = range(noop.map((p) => p.s));
  result.noop_pass_writes = Math.max(...noop.map((p) => p.writes));
  result.noop_pass_lists = Math.max(...noop.map((p) => p.lists));
  const oneShot = [];
  for (let i = 0; i < 3; i++) {
    const k = await connect({ type: "kubernetes", kubeconfig }, "kube");
    const r = await reconcilePass(new KubernetesBackend(k, "kube"), { soaDir: soa, cluster: "kube", system });
    oneShot.push(r.durationMs / 1000);
    k.close();
  }
  result.noop_pass_listing_seconds_range = range(oneShot);

  // Status of one instance through the API, from the API host's own watched copy.
  api = await startApiHost({ soaDir: soa, system, cluster: "kube", version: "bench", env: process.env });
  await api.ctx.backend.startCache();
  const statusMs = [];
  for (let i = 0; i < 50; i++) {
    const t = performance.now();
    const res = await fetch(`${api.url}/v1/services/${svcName(i % SERVICES)}/i${i % PER}/status`);
    if (res.status !== 200) throw new Error(`status route: HTTP ${res.status}`);
    await res.json();
    statusMs.push(performance.now() - t);
  }
  statusMs.sort((a, b) => a - b);
  result.status_route_ms_median = round(statusMs[25], 1);
  result.status_route_ms_p95 = round(statusMs[47], 1);

  // Rollout of a new SHA: written as mark-for-deployment would (deployments.json); deployd sees the files change.
  const before = passes.length;
  const w0 = kube.writes;
  const t1 = performance.now();
  writeTree(sha(2), true);
  await allReady(backend.cache, sha(2));
  result.rollout_all_ready_seconds = round((performance.now() - t1) / 1000, 1);
  const rollout = passes.slice(before).filter((p) => p.r.writes > 0);
  result.rollout_passes_with_writes = rollout.length;
  result.rollout_pass_seconds = round((rollout[0]?.ms ?? 0) / 1000);
  result.rollout_writes = kube.writes - w0;
  result.rollout_pass_done_after_seconds = round(((rollout.at(-1)?.at ?? t1) - t1) / 1000, 1);
  result.flow = { limit: round(kube.flow.limit, 1), throttled: kube.flow.throttled, retries: kube.retries };
  result.relists = backend.cache.relists();
  // The original PaaSTA's setup_kubernetes_job is not driven by this script (it needs its own system config);
  // say so instead of printing nothing.
  const original = spawnSync("sh", ["-c", "command -v setup_kubernetes_job"], { encoding: "utf8" });
  result.original =
    original.status === 0
      ? `not run: setup_kubernetes_job found at ${original.stdout.trim()}, run it by hand against this tree`
      : "skipped: paasta-tools is not installed (install it in a virtualenv outside the repo to compare)";
} finally {
  await api?.stop();
  await deployd?.stop();
  if (ownEnv && !args.keep) {
    testenv("down");
    rmSync(envDir, { recursive: true, force: true });
  }
  rmSync(root, { recursive: true, force: true });
}
console.log(JSON.stringify(result));
