/**
 * Kubernetes at scale, against a control plane of this test's own (scripts/testenv in its own
 * PAASTA_TESTENV_DIR, stopped afterwards; the shared one is never touched): the watched copy (informers: list
 * once, watch, relist on 410 Gone), passes that neither list nor write when nothing changed, status from memory,
 * and writes under throttling. The API server runs with `--enable-priority-and-fairness=false
 * --max-mutating-requests-inflight=1` (and watches ConfigMaps from etcd, compacted every 10 s): one write seat.
 * Requests of system:masters (the control plane's components, the admin client) take the seat when it is free
 * and are let through when it is not; everyone else gets 429 with Retry-After. So the ServiceAccount client of
 * the throttling tests competes with the controllers for that seat, as a deployd on a busy cluster would.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InstanceStatus } from "../../src/backends/backend.js";
import { MANAGED_SELECTOR } from "../../src/backends/kubernetes/cache/index.js";
import { Informer } from "../../src/backends/kubernetes/cache/informer.js";
import { connect, type Kube } from "../../src/backends/kubernetes/client.js";
import { KubernetesBackend } from "../../src/backends/kubernetes/index.js";
import type { KubeObject } from "../../src/backends/kubernetes/render/types.js";
import { desiredState } from "../../src/reconcile/desired.js";
import { reconcilePass } from "../../src/reconcile/pass.js";
import { tempDir } from "../helpers/cli.js";
import { type OwnK8s, serviceAccountKubeconfig, startOwnK8s } from "../helpers/k8s.js";
import { until } from "../helpers/runtime.js";

type Obj = KubeObject & { status?: any; spec?: any };

/** A soa-configs tree: `services` services (prefix-NNN) × `per` instances, all deployed at `sha`. */
function writeTree(soa: string, prefix: string, services: number, per: number, sha: string): void {
  for (let s = 0; s < services; s++) {
    const svc = `${prefix}${String(s).padStart(3, "0")}`;
    const dir = join(soa, svc);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "service.yaml"), `description: ${svc}\nexternal_link: x\n`);
    writeFileSync(join(dir, "monitoring.yaml"), "team: test\n");
    const body = Array.from(
      { length: per },
      (_, i) => `i${i}:\n  cmd: run\n  cpus: 0.01\n  mem: 32\n  instances: 1\n  deploy_group: kube.main\n`,
    ).join("");
    writeFileSync(join(dir, "kubernetes-kube.yaml"), body);
    const deployment = { docker_image: `services-${svc}:paasta-${sha}`, git_sha: sha, image_version: null };
    writeFileSync(
      join(dir, "deployments.json"),
      JSON.stringify({ v1: {}, v2: { deployments: { "kube.main": deployment }, controls: {} } }),
    );
  }
}

const sha = (c: string) => c.repeat(40);
const ready = (p: Obj) =>
  p.status?.conditions?.some((c: { type: string; status: string }) => c.type === "Ready" && c.status === "True");

describe("Kubernetes at scale (own control plane)", () => {
  let own: OwnK8s;
  let admin: Kube;
  let root: string;

  beforeAll(async () => {
    own = startOwnK8s([
      "--enable-priority-and-fairness=false",
      "--max-mutating-requests-inflight=1",
      // ConfigMaps are watched from etcd (no watch cache), whose history is compacted every 10 s (default
      // 5 min): a watch from an old resourceVersion soon answers 410 Gone
      "--watch-cache-sizes=configmaps#0",
      "--etcd-compaction-interval=10s",
    ]);
    admin = await connect({ type: "kubernetes", kubeconfig: own.kubeconfig }, "kube");
    root = tempDir("paasta-k8s-scale-");
  }, 180_000);

  afterAll(() => {
    admin?.close();
    own?.down();
    if (root) rmSync(root, { recursive: true, force: true });
  }, 120_000);

  describe("the watched copy", () => {
    it("an informer lists, then follows changes; a version that is too old (410 Gone) leads to a relist", async () => {
      const seen: string[] = [];
      const informer = new Informer(
        admin,
        {
          apiVersion: "v1",
          kind: "ConfigMap",
          labelSelector: "informer-test=yes",
          index: (o) => o.metadata.labels?.app,
        },
        { resyncMs: 0, onChange: (type, o) => seen.push(`${type} ${o.metadata.name}`) },
      );
      const cm = (name: string, data: string) => ({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name, namespace: "default", labels: { "informer-test": "yes", app: "a" } },
        data: { v: data },
      });
      await admin.apply(cm("before", "1"));
      await informer.start();
      try {
        expect(informer.synced).toBe(true);
        expect(seen).toEqual(["added before"]);
        await admin.apply(cm("after", "1"));
        await admin.apply(cm("after", "2"));
        await until(
          async () => informer.get("default", "after")?.data,
          (d) => (d as { v?: string } | undefined)?.v === "2",
          15_000,
        );
        expect(
          informer
            .byIndex("a")
            .map((o) => o.metadata.name)
            .sort(),
        ).toEqual(["after", "before"]);
        expect(informer.get("default", "after")?.metadata).not.toHaveProperty("managedFields");
        await admin.delete("v1", "ConfigMap", "default", "before");
        await until(
          async () => informer.get("default", "before"),
          (o) => o === undefined,
          15_000,
        );
        expect(informer.relists).toBe(1);
        // Version 1 is gone once the API server has compacted etcd (every 10 s here): 410 Expired.
        await until(
          async () => {
            informer.resumeFrom("1");
            await new Promise((r) => setTimeout(r, 1000));
            return informer.relists;
          },
          (n) => n === 2,
          40_000,
          0,
        );
        await admin.apply(cm("later", "1"));
        await until(
          async () => informer.get("default", "later"),
          (o) => o !== undefined,
          15_000,
        );
        expect(
          informer
            .list()
            .map((o) => o.metadata.name)
            .sort(),
        ).toEqual(["after", "later"]);
        expect(seen).toContain("deleted before");
      } finally {
        informer.stop();
      }
    }, 60_000);

    it("passes against the copy neither list nor write when nothing changed; a hand edit wakes and is repaired", async () => {
      const soa = join(root, "soa-cache");
      writeTree(soa, "cached", 3, 2, sha("1"));
      const backend = new KubernetesBackend(admin, "kube");
      await backend.startCache();
      expect(backend.cacheReady).toBe(true);
      const applyAll = async () => {
        const apps = desiredState(soa, undefined, "kube").apps;
        return Promise.all(apps.map((a) => backend.apply(a)));
      };
      let wakes = 0;
      const stopWatch = backend.watchChanges(() => wakes++);
      try {
        const w0 = admin.writes;
        expect(await applyAll()).toEqual(Array(6).fill("created"));
        expect(admin.writes - w0).toBe(3 + 6 + 6); // namespaces, Deployments, PDBs
        // workloads were written only once each new namespace had its default ServiceAccount (pods need it)
        for (const s of ["cached000", "cached001", "cached002"])
          expect(await admin.get("v1", "ServiceAccount", `paastasvc-${s}`, "default")).toBeDefined();
        const lists = admin.lists;
        const w1 = admin.writes;
        expect(await applyAll()).toEqual(Array(6).fill("unchanged"));
        expect(await backend.observe()).toHaveLength(6);
        expect(admin.writes - w1).toBe(0);
        expect(admin.lists - lists).toBe(0);

        const before = wakes;
        const edit = own.kubectl(["-n", "paastasvc-cached001", "set", "image", "deployment/cached001-i1", "i1=hand:1"]);
        expect(edit.code, edit.stderr).toBe(0);
        await until(
          async () => wakes,
          (n) => n > before,
          15_000,
        );
        const results = await applyAll();
        expect(results.filter((r) => r === "updated")).toHaveLength(1);
        expect(backend.lastDrift.get("Deployment/paastasvc-cached001/cached001-i1")).toContain('"hand:1"');
        expect(admin.lists - lists).toBe(0);
      } finally {
        stopWatch();
        await backend.close();
      }
    }, 90_000);

    it("status and observe from the copy say what a fresh listing says, without a request", async () => {
      const cached = new KubernetesBackend(
        await connect({ type: "kubernetes", kubeconfig: own.kubeconfig }, "kube"),
        "kube",
      );
      const listing = new KubernetesBackend(admin, "kube");
      await cached.startCache();
      try {
        const ref = { service: "cached001", instance: "i1" };
        await until(
          async () => (await listing.status(ref))?.deploy_status,
          (s) => s === "Running",
          60_000,
        );
        const fromList = (await listing.status(ref)) as InstanceStatus;
        await until(
          async () => (await cached.status(ref))?.deploy_status,
          (s) => s === "Running",
          15_000,
        );
        const lists = cached.kube.lists;
        const fromCache = (await cached.status(ref)) as InstanceStatus;
        expect(cached.kube.lists).toBe(lists);
        expect(fromCache).toEqual(fromList);
        expect(fromCache.versions[0]?.tasks).toHaveLength(1);
        const all = cached.cachedStatuses();
        expect(all.map((s) => `${s.service}.${s.instance}`).sort()).toEqual(
          ["cached000", "cached001", "cached002"].flatMap((s) => [`${s}.i0`, `${s}.i1`]),
        );
        const sortKey = (o: { service: string; instance: string }) => `${o.service}.${o.instance}`;
        const strip = (os: Awaited<ReturnType<typeof listing.observe>>) =>
          [...os].sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
        expect(strip(await cached.observe())).toEqual(strip(await listing.observe()));

        const changed: string[] = [];
        const off = cached.onStateChange((r) => changed.push(`${r.service}.${r.instance}`));
        const pods = await admin.list<Obj>("v1", "Pod", `${MANAGED_SELECTOR},paasta.yelp.com/service=cached002`);
        await admin.delete("v1", "Pod", pods[0]?.metadata.namespace, pods[0]?.metadata.name ?? "");
        await until(
          async () => changed,
          (c) => c.includes(`cached002.${pods[0]?.metadata.labels?.["paasta.yelp.com/instance"]}`),
          15_000,
        );
        off();
        // removed: the copy marks it at once, the cluster finishes the deletion
        await cached.remove({ service: "cached000", instance: "i0" });
        expect((await cached.observe()).map(sortKey)).not.toContain("cached000.i0");
        await until(
          async () => cached.cache.workloads({ service: "cached000", instance: "i0" }).length,
          (n) => n === 0,
          60_000,
        );
      } finally {
        await cached.close();
      }
    }, 120_000);
  });

  describe("throttling (429s from the API server's in-flight limit)", () => {
    let kube: Kube;
    let backend: KubernetesBackend;
    const soa = () => join(root, "soa-throttled");
    const pass = () => reconcilePass(backend, { soaDir: soa(), cluster: "kube", force: true });

    beforeAll(async () => {
      // the watched-copy tests' apps go first: these passes own the cluster
      for (const ns of await admin.list<Obj>("v1", "Namespace", MANAGED_SELECTOR))
        await admin.delete("v1", "Namespace", undefined, ns.metadata.name);
      kube = await connect({ type: "kubernetes", kubeconfig: serviceAccountKubeconfig(own, "paasta-deployd") }, "kube");
      backend = new KubernetesBackend(kube, "kube");
      await until(
        async () => (await admin.list<Obj>("apps/v1", "Deployment", MANAGED_SELECTOR)).length,
        (n) => n === 0,
        120_000,
      );
    }, 180_000);

    afterAll(async () => {
      await backend?.close();
    });

    it("absorbs 429s with back-off: every app is created, none fails, nothing is written twice", async () => {
      writeTree(soa(), "thr", 30, 2, sha("1"));
      const r = await pass();
      expect(r.outcomes.filter((o) => o.kind === "failed").map((o) => o.kind === "failed" && o.error.message)).toEqual(
        [],
      );
      expect(r.outcomes.map((o) => o.kind)).toEqual(Array(60).fill("created"));
      expect(kube.flow.throttled).toBeGreaterThan(0);
      expect(kube.retries).toBeGreaterThan(0);
      expect(kube.writes).toBe(30 + 60 + 60);
      expect(await admin.list("apps/v1", "Deployment", MANAGED_SELECTOR)).toHaveLength(60);
      expect((await pass()).writes).toBe(0);
    }, 180_000);

    it("a rollout of a new SHA under throttling completes: every pod Ready on the new SHA", async () => {
      const throttled = kube.flow.throttled;
      writeTree(soa(), "thr", 30, 2, sha("2"));
      const r = await pass();
      expect(r.outcomes.map((o) => o.kind)).toEqual(Array(60).fill("updated"));
      expect(kube.flow.throttled).toBeGreaterThan(throttled);
      await until(
        async () => {
          const pods = await admin.list<Obj>("v1", "Pod", MANAGED_SELECTOR);
          return pods.filter((p) => p.metadata.labels?.["paasta.yelp.com/git_sha"] === sha("2") && ready(p)).length;
        },
        (n) => n === 60,
        180_000,
        1000,
      );
      const deployments = await admin.list<Obj>("apps/v1", "Deployment", MANAGED_SELECTOR);
      expect(deployments.every((d) => d.metadata.labels?.["paasta.yelp.com/git_sha"] === sha("2"))).toBe(true);
    }, 240_000);
  });
});
