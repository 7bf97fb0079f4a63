// Our side of bench/k8s: `paasta deployd`'s host in this process (as `paasta deployd` runs it), against a
// control plane of its own. Readiness is read from deployd's own watched copy (no polling lists).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { serverProbe } from "./server.js";
import { allReady, CLUSTER, PER, progress, range, round, sha, svcName, writeTree } from "./tree.js";

const waitFor = (xs) =>
  new Promise((resolve) => {
    const wait = () => (xs.length > 0 ? resolve(xs[0]) : setTimeout(wait, 50));
    wait();
  });

/** The rows for ours. `ctx`: { root, kubeconfig, services, dist }. */
export async function runOurs(ctx) {
  const { startDeploydHost, startApiHost } = await ctx.dist("runtime/cluster-host.js");
  const { loadSystemConfig } = await ctx.dist("config/system.js");
  const { connect } = await ctx.dist("backends/kubernetes/client.js");
  const { KubernetesBackend } = await ctx.dist("backends/kubernetes/index.js");
  const { reconcilePass } = await ctx.dist("reconcile/pass.js");
  const instances = ctx.services * PER;
  const soa = join(ctx.root, "soa");
  const etc = join(ctx.root, "etc");
  const result = {};
  let deployd;
  let api;
  try {
    writeTree(soa, ctx.services, sha(1));
    mkdirSync(etc, { recursive: true });
    writeFileSync(
      join(etc, "paasta.json"),
      JSON.stringify({
        cluster: CLUSTER,
        clusters: [CLUSTER],
        soa_dir: soa,
        api_endpoints: { [CLUSTER]: "http://127.0.0.1:0" },
        cluster_backends: { [CLUSTER]: { type: "kubernetes", kubeconfig: ctx.kubeconfig } },
      }),
    );
    const system = loadSystemConfig(etc);
    const hostOptions = { soaDir: soa, system, cluster: CLUSTER, version: "bench", env: process.env };
    const passes = [];
    let kube;
    progress(`ours: first pass over ${instances} instances`);
    const t0 = performance.now();
    deployd = await startDeploydHost({
      ...hostOptions,
      gitPollMs: 0,
      onPass: (r) => passes.push({ at: performance.now(), ms: r.durationMs, writes: kube?.writes ?? 0, r }),
    });
    const backend = deployd.ctx.backend;
    kube = backend.kube;
    const loop = deployd.host.get("reconcile").loop;
    const firstPass = await waitFor(passes);
    result.first_pass_seconds = round(firstPass.ms / 1000);
    result.first_pass_writes = kube.writes;
    result.first_pass_failed = firstPass.r.outcomes.filter((o) => o.kind === "failed").length;
    progress(`ours: first pass done in ${result.first_pass_seconds}s; waiting for every pod to be Ready`);
    await backend.startCache();
    await allReady(backend.cache, instances, sha(1));
    result.first_all_ready_seconds = round((performance.now() - t0) / 1000, 1);

    // No-op passes in steady state: the watched copy, nothing changed.
    progress("ours: all Ready; no-op passes");
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
      const k = await connect({ type: "kubernetes", kubeconfig: ctx.kubeconfig }, CLUSTER);
      const r = await reconcilePass(new KubernetesBackend(k, CLUSTER), { soaDir: soa, cluster: CLUSTER, system });
      oneShot.push(r.durationMs / 1000);
      k.close();
    }
    result.noop_pass_listing_seconds_range = range(oneShot);

    // Status of one instance through the API, from the API host's own watched copy.
    api = await startApiHost(hostOptions);
    await api.ctx.backend.startCache();
    const statusMs = [];
    for (let i = 0; i < 50; i++) {
      const t = performance.now();
      const res = await fetch(`${api.url}/v1/services/${svcName(i % ctx.services)}/i${i % PER}/status`);
      if (res.status !== 200) throw new Error(`status route: HTTP ${res.status}`);
      await res.json();
      statusMs.push(performance.now() - t);
    }
    statusMs.sort((a, b) => a - b);
    result.status_route_ms_median = round(statusMs[25], 1);
    result.status_route_ms_p95 = round(statusMs[47], 1);
    // The API host's own watched copy is not part of a rollout (the original runs without one either).
    await api.stop();
    api = undefined;

    // Rollout of a new SHA: written as mark-for-deployment would (deployments.json); deployd sees the files change.
    progress("ours: rollout: writing the new deployments.json files");
    const before = passes.length;
    const w0 = kube.writes;
    const probe = await serverProbe(ctx.kubeconfig);
    const s0 = await probe.snapshot();
    const cpu0 = process.cpuUsage();
    const t1 = performance.now();
    writeTree(soa, ctx.services, sha(2), true);
    await allReady(backend.cache, instances, sha(2));
    result.rollout_all_ready_seconds = round((performance.now() - t1) / 1000, 1);
    result.rollout_server = probe.delta(s0, await probe.snapshot());
    probe.close();
    const cpu = process.cpuUsage(cpu0);
    result.rollout_server.cpu_seconds.deployd = round((cpu.user + cpu.system) / 1e6, 1);
    progress(`ours: rollout: every pod Ready on the new SHA after ${result.rollout_all_ready_seconds}s`);
    const rollout = passes.slice(before).filter((p) => p.r.writes > 0);
    result.rollout_passes_with_writes = rollout.length;
    result.rollout_passes = passes.length - before;
    result.rollout_pass_seconds = round((rollout[0]?.ms ?? 0) / 1000);
    result.rollout_writes = kube.writes - w0;
    result.rollout_pass_done_after_seconds = round(((rollout.at(-1)?.at ?? t1) - t1) / 1000, 1);
    result.flow = { limit: round(kube.flow.limit, 1), throttled: kube.flow.throttled, retries: kube.retries };
    result.relists = backend.cache.relists();
    return result;
  } finally {
    await api?.stop();
    await deployd?.stop();
  }
}
