// The original PaaSTA's side of bench/k8s: paasta-tools' `setup_kubernetes_job`, run as its cron job runs it
// (one invocation over every service.instance), against a control plane of its own and the same tree. Its API
// requests are counted by original-py/sitecustomize.py (its code is not changed); readiness is read from a
// watched copy of the Deployments (one watch, no polling lists), as on our side.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { serverProbe } from "./server.js";
import { allReady, CLUSTER, PER, progress, range, round, serviceInstances, sha, writeTree } from "./tree.js";

const HOW =
  "python3 -m venv ~/venvs/paasta-tools && ~/venvs/paasta-tools/bin/pip install paasta-tools==1.64.0, " +
  "then --original ~/venvs/paasta-tools/bin/python (or PAASTA_ORIGINAL_PYTHON)";

/** The python that has paasta-tools, and its version; or why the original side is skipped. */
export function findOriginal(python) {
  if (!python) return { skipped: `skipped: no --original python given (to compare: ${HOW})` };
  const r = spawnSync(python, ["-c", "import importlib.metadata as m; print(m.version('paasta-tools'))"], {
    encoding: "utf8",
  });
  if (r.status !== 0) return { skipped: `skipped: ${python} cannot import paasta-tools (${HOW})` };
  return { python, version: r.stdout.trim() };
}

const WRITES = ["POST", "PUT", "PATCH", "DELETE"];

/** One `setup_kubernetes_job` over every instance: seconds, writes, requests by method. */
function setupKubernetesJob(ctx, label) {
  const counts = join(ctx.root, `counts-${label}.json`);
  const log = join(ctx.root, `setup_kubernetes_job-${label}.log`);
  const args = ["-m", "paasta_tools.setup_kubernetes_job", "-d", ctx.soa, "-c", CLUSTER, ...ctx.instances];
  const env = {
    ...process.env,
    PAASTA_SYSTEM_CONFIG_DIR: ctx.etc,
    KUBECONFIG: ctx.kubeconfig,
    PYTHONPATH: new URL("original-py", import.meta.url).pathname,
    PAASTA_BENCH_COUNT_FILE: counts,
  };
  const t = performance.now();
  return new Promise((resolve, reject) => {
    const out = [];
    const child = spawn(ctx.python, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.on("data", (d) => out.push(d));
    child.stderr.on("data", (d) => out.push(d));
    child.on("error", reject);
    child.on("close", (code) => {
      const seconds = (performance.now() - t) / 1000;
      writeFileSync(log, Buffer.concat(out));
      if (code !== 0) {
        const tail = Buffer.concat(out).toString().split("\n").slice(-15).join("\n");
        reject(new Error(`setup_kubernetes_job (${label}) exited ${code}; the last lines of ${log}:\n${tail}`));
        return;
      }
      const byMethod = JSON.parse(readFileSync(counts, "utf8"));
      const writes = WRITES.reduce((n, m) => n + (byMethod[m] ?? 0), 0);
      resolve({ seconds, writes, byMethod, cpuSeconds: byMethod.cpu_seconds });
    });
  });
}

/** The four rows for the original. `ctx`: { python, version, root, kubeconfig, services, dist }. */
export async function runOriginal(ctx) {
  const { connect } = await ctx.dist("backends/kubernetes/client.js");
  const { KubeCache, CACHED_KINDS } = await ctx.dist("backends/kubernetes/cache/index.js");
  const soa = join(ctx.root, "soa");
  const etc = join(ctx.root, "etc");
  mkdirSync(etc, { recursive: true });
  // The least system config setup_kubernetes_job 1.64.0 runs with (no sidecars, no extra volumes).
  writeFileSync(
    join(etc, "paasta.json"),
    JSON.stringify({ cluster: CLUSTER, docker_registry: "registry.invalid", volumes: [], hacheck_sidecar_volumes: [] }),
  );
  const instances = ctx.services * PER;
  const run = { ...ctx, soa, etc, instances: serviceInstances(ctx.services) };
  const kube = await connect({ type: "kubernetes", kubeconfig: ctx.kubeconfig }, CLUSTER);
  const cache = new KubeCache(kube, { kinds: CACHED_KINDS.filter((k) => k.kind === "Deployment") });
  const result = { version: ctx.version };
  try {
    writeTree(soa, ctx.services, sha(1));
    await cache.start();
    progress(`original ${ctx.version}: first pass over ${instances} instances`);
    const t0 = performance.now();
    const first = await setupKubernetesJob(run, "first");
    result.first_pass_seconds = round(first.seconds);
    result.first_pass_writes = first.writes;
    progress(`original: first pass done in ${result.first_pass_seconds}s; waiting for every pod to be Ready`);
    await allReady(cache, instances, sha(1));
    result.first_all_ready_seconds = round((performance.now() - t0) / 1000, 1);

    progress("original: all Ready; no-op passes");
    const noop = [];
    for (let i = 0; i < 2; i++) noop.push(await setupKubernetesJob(run, `noop${i}`));
    result.noop_pass_seconds_range = range(noop.map((p) => p.seconds));
    result.noop_pass_writes = Math.max(...noop.map((p) => p.writes));

    progress("original: rollout: writing the new deployments.json files");
    writeTree(soa, ctx.services, sha(2), true);
    const probe = await serverProbe(ctx.kubeconfig);
    const s0 = await probe.snapshot();
    const t1 = performance.now();
    const rollout = await setupKubernetesJob(run, "rollout");
    result.rollout_pass_seconds = round(rollout.seconds);
    result.rollout_writes = rollout.writes;
    await allReady(cache, instances, sha(2));
    result.rollout_all_ready_seconds = round((performance.now() - t1) / 1000, 1);
    result.rollout_server = probe.delta(s0, await probe.snapshot());
    probe.close();
    result.rollout_server.cpu_seconds.setup_kubernetes_job = round(rollout.cpuSeconds, 1);
    progress(`original: rollout: every pod Ready on the new SHA after ${result.rollout_all_ready_seconds}s`);
    return result;
  } finally {
    cache.stop();
    kube.close();
  }
}
