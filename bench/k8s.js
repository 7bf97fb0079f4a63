#!/usr/bin/env node
// bench/k8s: the Kubernetes backend on the test control plane (scripts/testenv: real kube-apiserver,
// controller-manager, scheduler, kwok nodes). 1,000 instances (250 services × 4):
//  1. first apply: time and writes of the pass that creates everything, and time until every pod is Ready;
//  2. a no-op pass: time (target ≤ 1 s) and writes (target 0);
//  3. a rollout of a new SHA to every instance under a write budget (--rate-limit 200 per pass): passes,
//     and time until every instance runs the new SHA with all pods Ready.
// Prints one JSON object.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const REPO = new URL("..", import.meta.url).pathname;
const SERVICES = Number(process.env.BENCH_SERVICES ?? 250);
const PER = 4;
const BUDGET = Number(process.env.BENCH_RATE_LIMIT ?? 200);
const up = spawnSync(join(REPO, "scripts/testenv"), ["k8s", "up"], {
  encoding: "utf8",
  stdio: ["ignore", "pipe", "inherit"],
});
const kubeconfig = up.stdout
  .trim()
  .split("\n")
  .pop()
  .replace(/^KUBECONFIG=/, "");
const { connect } = await import(join(REPO, "dist/backends/kubernetes/client.js"));
const { KubernetesBackend } = await import(join(REPO, "dist/backends/kubernetes/index.js"));
const { reconcilePass } = await import(join(REPO, "dist/reconcile/pass.js"));

const root = mkdtempSync(join(tmpdir(), "paasta-bench-k8s-"));
const soa = join(root, "soa");
const sha = (n) => String(n).repeat(40).slice(0, 40);
function writeTree(gitSha) {
  for (let s = 0; s < SERVICES; s++) {
    const svc = `bench${String(s).padStart(3, "0")}`;
    const dir = join(soa, svc);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "service.yaml"),
      `description: ${svc}\nexternal_link: x\ngit_url: https://git.example.org/${svc}.git\n`,
    );
    writeFileSync(join(dir, "monitoring.yaml"), "team: bench\n");
    writeFileSync(join(dir, "deploy.yaml"), "pipeline:\n  - step: kube.everything\n");
    const body = Array.from(
      { length: PER },
      (_, i) => `i${i}:\n  cmd: run\n  cpus: 0.01\n  mem: 32\n  instances: 1\n  deploy_group: kube.everything\n`,
    ).join("");
    writeFileSync(join(dir, "kubernetes-kube.yaml"), body);
    writeFileSync(
      join(dir, "deployments.json"),
      JSON.stringify({
        v1: {},
        v2: {
          deployments: {
            "kube.everything": {
              docker_image: `services-${svc}:paasta-${gitSha}`,
              git_sha: gitSha,
              image_version: null,
            },
          },
          controls: {},
        },
      }),
    );
  }
}

const kube = await connect({ type: "kubernetes", kubeconfig }, "kube");
const backend = new KubernetesBackend(kube, "kube");
const pass = async (rateLimit) => {
  const w = kube.writes;
  const t0 = performance.now();
  const r = await reconcilePass(backend, { soaDir: soa, cluster: "kube", rateLimit, concurrency: 8 });
  return {
    seconds: (performance.now() - t0) / 1000,
    writes: kube.writes - w,
    deferred: r.outcomes.filter((o) => o.kind === "deferred").length,
    errors: r.outcomes.filter((o) => o.kind === "failed").map((o) => o.error.message),
  };
};
async function waitReady(gitSha, timeoutMs) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const deps = await kube.list("apps/v1", "Deployment", "paasta.yelp.com/managed=true");
    const done = deps.filter(
      (d) =>
        d.metadata.labels["paasta.yelp.com/git_sha"] === gitSha &&
        (d.status?.readyReplicas ?? 0) === 1 &&
        (d.status?.updatedReplicas ?? 0) === 1 &&
        (d.status?.replicas ?? 0) === 1,
    );
    if (done.length === SERVICES * PER) return;
    if (Date.now() > end) throw new Error(`only ${done.length}/${SERVICES * PER} ready`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

const result = { bench: "k8s", instances: SERVICES * PER };
try {
  // Start clean: namespaces of earlier runs.
  for (const ns of await kube.list("v1", "Namespace", "paasta.yelp.com/managed=true"))
    await kube.delete("v1", "Namespace", undefined, ns.metadata.name);
  while ((await kube.list("v1", "Namespace", "paasta.yelp.com/managed=true")).length > 0)
    await new Promise((r) => setTimeout(r, 1000));
  writeTree(sha(1));
  const t0 = performance.now();
  const first = await pass();
  result.first_apply_seconds = Number(first.seconds.toFixed(2));
  result.first_apply_writes = first.writes;
  result.first_apply_errors = first.errors.length;
  await waitReady(sha(1), 900_000);
  result.first_all_ready_seconds = Number(((performance.now() - t0) / 1000).toFixed(1));
  const noop = [];
  for (let i = 0; i < 3; i++) noop.push(await pass());
  result.noop_pass_seconds = Number(Math.min(...noop.map((p) => p.seconds)).toFixed(3));
  result.noop_pass_seconds_runs = noop.map((p) => Number(p.seconds.toFixed(3)));
  result.noop_pass_writes = Math.max(...noop.map((p) => p.writes));
  result.noop_target_seconds = 1;
  writeTree(sha(2));
  const t1 = performance.now();
  let passes = 0;
  for (;;) {
    const p = await pass(BUDGET);
    passes++;
    if (p.deferred === 0 && p.writes === 0) break;
    if (passes > 50) throw new Error("rollout did not converge");
  }
  result.rollout_write_budget = BUDGET;
  result.rollout_passes = passes;
  result.rollout_apply_seconds = Number(((performance.now() - t1) / 1000).toFixed(1));
  await waitReady(sha(2), 900_000);
  result.rollout_all_ready_seconds = Number(((performance.now() - t1) / 1000).toFixed(1));
} finally {
  for (const ns of await kube.list("v1", "Namespace", "paasta.yelp.com/managed=true"))
    await kube.delete("v1", "Namespace", undefined, ns.metadata.name);
  rmSync(root, { recursive: true, force: true });
}
console.log(JSON.stringify(result));
