/**
 * The Kubernetes backend against a real control plane (scripts/testenv: etcd, kube-apiserver,
 * kube-controller-manager, kube-scheduler, kwok nodes): real Deployments, ReplicaSets, HPAs, PDBs, garbage
 * collection. The services' deploy record is real too (git repositories and tags).
 */
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Kube } from "../../src/backends/kubernetes/client.js";
import { KubernetesBackend } from "../../src/backends/kubernetes/index.js";
import { loadSystemConfig } from "../../src/config/system.js";
import { reconcilePass } from "../../src/reconcile/pass.js";
import { BIN, paastaBin, tempDir } from "../helpers/cli.js";
import { git } from "../helpers/git.js";
import { cleanManagedNamespaces, ensureK8s, exclusiveK8s, kubeClient, kubectl } from "../helpers/k8s.js";
import { freePort, until } from "../helpers/runtime.js";

type Obj = {
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; resourceVersion?: string };
  spec?: any;
  status?: any;
};

const SERVICES = ["alpha", "bravo", "charlie", "crashy"];
const INSTANCE = (extra: string) => `main:
  cmd: node server.js
  cpus: 0.1
  mem: 64
  instances: 2
  deploy_group: kube.everything
  healthcheck_mode: http
${extra}`;

describe("Kubernetes backend on a real control plane", () => {
  let root: string;
  let soa: string;
  let env: NodeJS.ProcessEnv;
  let kube: Kube;
  let backend: KubernetesBackend;
  let system: ReturnType<typeof loadSystemConfig>;
  const pass = (force = false) => reconcilePass(backend, { soaDir: soa, system, cluster: "kube", force });
  const deployments = (svc: string) => kube.list<Obj>("apps/v1", "Deployment", `paasta.yelp.com/service=${svc}`);
  const replicasets = (svc: string) => kube.list<Obj>("apps/v1", "ReplicaSet", `paasta.yelp.com/service=${svc}`);
  const readyPods = async (svc: string) =>
    (await kube.list<Obj>("v1", "Pod", `paasta.yelp.com/service=${svc}`)).filter((p) =>
      p.status?.conditions?.some((c: { type: string; status: string }) => c.type === "Ready" && c.status === "True"),
    ).length;
  const edit = (svc: string, from: string, to: string) => {
    const p = join(soa, svc, "kubernetes-kube.yaml");
    writeFileSync(p, readFileSync(p, "utf8").replace(from, to));
  };

  let release: (() => void) | undefined;

  beforeAll(async () => {
    const kubeconfig = ensureK8s();
    release = await exclusiveK8s(); // one test file's apps at a time on the shared control plane
    kube = await kubeClient();
    await cleanManagedNamespaces(kube);
    root = tempDir("paasta-k8s-");
    soa = join(root, "soa");
    const port = await freePort();
    mkdirSync(join(root, "etc"));
    writeFileSync(
      join(root, "etc/paasta.json"),
      JSON.stringify({
        cluster: "kube",
        clusters: ["kube"],
        soa_dir: soa,
        docker_registry: "registry.example.org",
        api_endpoints: { kube: `http://127.0.0.1:${port}` },
        cluster_backends: { kube: { type: "kubernetes", kubeconfig } },
      }),
    );
    env = {
      ...process.env,
      PAASTA_SYSTEM_CONFIG_DIR: join(root, "etc"),
      PAASTA_CACHE_DIR: join(root, "cache"),
      NO_COLOR: "1",
    };
    for (const svc of SERVICES) {
      const repo = join(root, "repos", svc);
      mkdirSync(repo, { recursive: true });
      git(["init", "-q", "-b", "main", repo]);
      writeFileSync(join(repo, "server.js"), "// a service\n");
      git(["add", "-A"], repo);
      git(["commit", "-q", "-m", "one"], repo);
      mkdirSync(join(soa, svc), { recursive: true });
      writeFileSync(join(soa, svc, "service.yaml"), `description: ${svc}\nexternal_link: x\ngit_url: ${repo}\n`);
      writeFileSync(join(soa, svc, "monitoring.yaml"), "team: test\n");
      writeFileSync(join(soa, svc, "deploy.yaml"), "pipeline:\n  - step: kube.everything\n");
      const extra =
        svc === "charlie"
          ? "  min_instances: 1\n  max_instances: 4\n  bounce_margin_factor: 0.5\n  autoscaling:\n    metrics_providers:\n      - type: cpu\n        setpoint: 0.7\n"
          : svc === "crashy"
            ? '  env:\n    TESTENV_CRASH: "true"\n'
            : "";
      writeFileSync(join(soa, svc, "kubernetes-kube.yaml"), INSTANCE(extra));
      const sha = git(["rev-parse", "HEAD"], repo);
      const r = paastaBin(["mark-for-deployment", "-s", svc, "-c", sha, "-l", "kube.everything"], { env });
      expect(r.code, r.stderr).toBe(0);
    }
    system = loadSystemConfig(join(root, "etc"));
    backend = new KubernetesBackend(kube, "kube");
  }, 1_300_000);

  afterAll(async () => {
    if (kube) await cleanManagedNamespaces(kube);
    release?.();
  }, 300_000);

  it("paasta reconcile deploys the services and their pods become Ready", async () => {
    const r = paastaBin(["reconcile", "--cluster", "kube"], { env });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/create\s+alpha\.main/);
    for (const svc of ["alpha", "bravo"])
      await until(
        () => readyPods(svc),
        (n) => n === 2,
        60_000,
      );
    await until(
      () => readyPods("charlie"),
      (n) => n >= 1,
      60_000,
    );
    const [d] = await deployments("alpha");
    expect(d?.metadata.namespace).toBe("paastasvc-alpha");
    expect(d?.metadata.labels).toMatchObject({
      "paasta.yelp.com/managed": "true",
      "paasta.yelp.com/service": "alpha",
      "paasta.yelp.com/instance": "main",
    });
    expect(d?.spec.template.spec.containers[0].image).toMatch(
      /^registry\.example\.org\/services-alpha:paasta-[0-9a-f]{40}$/,
    );
  }, 120_000);

  it("a pass with nothing changed makes zero writes", async () => {
    await pass(); // settle autoscaled replica counts
    const before = new Map(
      (await kube.list<Obj>("apps/v1", "Deployment", "paasta.yelp.com/managed=true")).map((d) => [
        d.metadata.name,
        d.metadata.resourceVersion,
      ]),
    );
    const writes = kube.writes;
    const r = await pass();
    expect(kube.writes - writes).toBe(0);
    expect(r.outcomes.every((o) => o.kind === "unchanged")).toBe(true);
    const after = await kube.list<Obj>("apps/v1", "Deployment", "paasta.yelp.com/managed=true");
    for (const d of after) expect(d.metadata.resourceVersion).toBe(before.get(d.metadata.name));
  }, 60_000);

  it("the HPA and the PDBs have the specified contents", async () => {
    const [hpa] = await kube.list<Obj>("autoscaling/v2", "HorizontalPodAutoscaler", "paasta.yelp.com/service=charlie");
    expect(hpa?.spec).toMatchObject({
      minReplicas: 1,
      maxReplicas: 4,
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "charlie-main" },
      metrics: [
        { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } },
      ],
      behavior: {
        scaleDown: {
          stabilizationWindowSeconds: 300,
          selectPolicy: "Max",
          policies: [{ type: "Percent", value: 30, periodSeconds: 60 }],
        },
      },
    });
    const [charliePdb] = await kube.list<Obj>("policy/v1", "PodDisruptionBudget", "paasta.yelp.com/service=charlie");
    expect(charliePdb?.spec).toMatchObject({ maxUnavailable: "50%", unhealthyPodEvictionPolicy: "IfHealthyBudget" });
    const [alphaPdb] = await kube.list<Obj>("policy/v1", "PodDisruptionBudget", "paasta.yelp.com/service=alpha");
    expect(alphaPdb?.spec).toMatchObject({
      maxUnavailable: 0,
      selector: { matchLabels: { "paasta.yelp.com/service": "alpha", "paasta.yelp.com/instance": "main" } },
    });
    expect(await kube.list("autoscaling/v2", "HorizontalPodAutoscaler", "paasta.yelp.com/service=alpha")).toHaveLength(
      0,
    );
  });

  it("changing cpus rolls a new ReplicaSet and changes config_sha", async () => {
    const [before] = await deployments("alpha");
    edit("alpha", "cpus: 0.1", "cpus: 0.2");
    const r = await pass();
    expect(r.outcomes.find((o) => o.item.action === "apply" && o.item.app.service === "alpha")?.kind).toBe("updated");
    const [after] = await deployments("alpha");
    expect(after?.metadata.labels?.["paasta.yelp.com/config_sha"]).not.toBe(
      before?.metadata.labels?.["paasta.yelp.com/config_sha"],
    );
    await until(
      async () => (await replicasets("alpha")).map((rs) => rs.metadata.labels?.["paasta.yelp.com/config_sha"]),
      (shas) => shas.includes(after?.metadata.labels?.["paasta.yelp.com/config_sha"]),
      30_000,
    );
    await until(
      () => readyPods("alpha"),
      (n) => n === 2,
      60_000,
    );
  }, 90_000);

  it("changing instances scales without a new ReplicaSet", async () => {
    const before = (await replicasets("bravo")).map((rs) => rs.metadata.name).sort();
    edit("bravo", "instances: 2", "instances: 3");
    const r = await pass();
    expect(r.outcomes.find((o) => o.item.action === "apply" && o.item.app.service === "bravo")?.item).toMatchObject({
      change: "scale",
    });
    const [d] = await deployments("bravo");
    expect(d?.spec.replicas).toBe(3);
    await until(
      () => readyPods("bravo"),
      (n) => n === 3,
      60_000,
    );
    expect((await replicasets("bravo")).map((rs) => rs.metadata.name).sort()).toEqual(before);
  }, 90_000);

  it("paasta stop → 0 replicas", async () => {
    const r = paastaBin(["stop", "-s", "bravo", "-c", "kube", "-i", "main"], { env });
    expect(r.code, r.stderr).toBe(0);
    await pass();
    const [d] = await deployments("bravo");
    expect(d?.spec.replicas).toBe(0);
    await until(
      () => readyPods("bravo"),
      (n) => n === 0,
      60_000,
    );
  }, 90_000);

  it("a hand edit is repaired on the next pass", async () => {
    const [d] = await deployments("alpha");
    const image = d?.spec.template.spec.containers[0].image;
    const edit = kubectl(["-n", "paastasvc-alpha", "set", "image", "deployment/alpha-main", "main=hand/edited:1"]);
    expect(edit.code, edit.stderr).toBe(0);
    expect((await deployments("alpha"))[0]?.spec.template.spec.containers[0].image).toBe("hand/edited:1");
    const r = await pass();
    expect(r.outcomes.find((o) => o.item.action === "apply" && o.item.app.service === "alpha")?.kind).toBe("updated");
    expect((await deployments("alpha"))[0]?.spec.template.spec.containers[0].image).toBe(image);
    expect(backend.lastDrift.get("Deployment/paastasvc-alpha/alpha-main")).toContain('"hand/edited:1"');
  }, 60_000);

  it("a namespace move creates the new copy, then removes the old one once the new one is ready", async () => {
    edit("alpha", "deploy_group: kube.everything", "deploy_group: kube.everything\n  namespace: moved-alpha");
    await pass();
    await until(
      () => readyPods("alpha"),
      (n) => n >= 2,
      60_000,
    );
    // the next pass sees the new copy ready and deletes the old one
    await until(
      async () => {
        await pass();
        return (await deployments("alpha")).map((d) => d.metadata.namespace);
      },
      (nss) => nss.length === 1 && nss[0] === "moved-alpha",
      60_000,
      1000,
    );
    edit("alpha", "\n  namespace: moved-alpha", "");
    await pass();
    await until(
      async () => {
        await pass();
        return (await deployments("alpha")).map((d) => d.metadata.namespace);
      },
      (nss) => nss.length === 1 && nss[0] === "paastasvc-alpha",
      60_000,
      1000,
    );
  }, 150_000);

  it("with downthenup, a moved instance's new copy is created only after the old one is gone", async () => {
    edit(
      "bravo",
      "deploy_group: kube.everything",
      "deploy_group: kube.everything\n  bounce_method: downthenup\n  namespace: moved-bravo",
    );
    await pass();
    const during = (await deployments("bravo")).map((d) => d.metadata.namespace);
    expect(during).not.toContain("moved-bravo");
    await until(
      async () => {
        await pass();
        return (await deployments("bravo")).map((d) => d.metadata.namespace);
      },
      (nss) => nss.length === 1 && nss[0] === "moved-bravo",
      90_000,
      1000,
    );
  }, 150_000);

  it("paasta status through paasta api shows versions; a crash-looping container is not healthy", async () => {
    const api = spawn(process.execPath, [BIN, "api", "--cluster", "kube"], { env, stdio: ["ignore", "pipe", "pipe"] });
    try {
      const status = await until(
        async () => paastaBin(["status", "-s", "alpha", "-c", "kube", "-v", "--json"], { env }),
        (r) => r.code === 0,
        30_000,
      );
      const [entry] = JSON.parse(status.stdout);
      expect(entry.status.backend).toBe("kubernetes");
      expect(entry.status.deploy_status).toBe("Running");
      expect(entry.status.versions[0]).toMatchObject({ desired: true, replicas: 2, ready_replicas: 2 });
      const crashy = await until(
        async () => JSON.parse(paastaBin(["status", "-s", "crashy", "-c", "kube", "--json"], { env }).stdout)[0].status,
        (s) => s.versions[0]?.tasks.some((t: { reason: string | null }) => /CrashLoopBackOff/.test(t.reason ?? "")),
        60_000,
      );
      expect(crashy.deploy_status).not.toBe("Running");
      expect(crashy.versions[0].ready_replicas).toBe(0);
      expect(crashy.versions[0].tasks[0]).toMatchObject({ healthy: false, state: "unhealthy" });
      const text = paastaBin(["status", "-s", "alpha", "-c", "kube"], { env });
      expect(text.stdout).toContain("State: Running");
    } finally {
      api.kill("SIGTERM");
    }
  }, 120_000);

  it("the ChangeWatcher power wakes the reconciler when a managed workload is edited by hand", async () => {
    let changes = 0;
    const stop = backend.watchChanges(() => changes++);
    try {
      await new Promise((r) => setTimeout(r, 1000)); // the watch is established
      const before = changes;
      const [d] = await deployments("alpha");
      const ns = d?.metadata.namespace ?? "";
      const r = kubectl(["annotate", "deployment", "-n", ns, "alpha-main", "touched-by=hand", "--overwrite"]);
      expect(r.code, r.stderr).toBe(0);
      await until(
        async () => changes,
        (n) => n > before,
        15_000,
      );
    } finally {
      stop();
    }
  }, 60_000);

  it("the LogSource power reads pod logs through the API server, and says so when a pod's logs are unavailable", async () => {
    const tail = await backend.readLogs({ service: "alpha", filter: {}, limit: 10 });
    const pods = (await kube.list<Obj>("v1", "Pod", "paasta.yelp.com/service=alpha")).map((p) => p.metadata.name);
    expect(pods.length).toBeGreaterThan(0);
    // kwok's nodes have no kubelet: the API server cannot fetch container logs, and each pod says so once.
    expect(tail.lines.map((l) => l.task).sort()).toEqual([...pods].sort());
    for (const l of tail.lines) {
      expect(l).toMatchObject({ service: "alpha", instance: "main", component: "task_lifecycle" });
      expect(l.message).toMatch(/^logs of pod alpha-main-\S+ are not available: /);
    }
    expect(await tail.next()).toEqual([]);
  }, 60_000);

  it("removing most services is refused without --force and done with it", async () => {
    for (const svc of ["alpha", "bravo", "crashy"]) rmSync(join(soa, svc), { recursive: true });
    const refused = paastaBin(["reconcile", "--cluster", "kube"], { env });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain("refusing to delete 3 of 4 apps (more than 50%) without --force");
    expect(await deployments("alpha")).toHaveLength(1);
    const forced = paastaBin(["reconcile", "--cluster", "kube", "--force"], { env });
    expect(forced.code, forced.stdout + forced.stderr).toBe(0);
    await until(
      async () =>
        (await kube.list<Obj>("apps/v1", "Deployment", "paasta.yelp.com/managed=true")).map((d) => d.metadata.name),
      (names) => names.length === 1 && names[0] === "charlie-main",
      60_000,
    );
    expect(await kube.list("policy/v1", "PodDisruptionBudget", "paasta.yelp.com/service=alpha")).toHaveLength(0);
    expect(
      await kube.list("autoscaling/v2", "HorizontalPodAutoscaler", "paasta.yelp.com/service=charlie"),
    ).toHaveLength(1);
  }, 120_000);

  it("remove() works in a fresh process that never observed the cluster", async () => {
    const fresh = new KubernetesBackend(kube, "kube");
    await fresh.remove({ service: "charlie", instance: "main" });
    await until(
      async () => (await deployments("charlie")).length,
      (n) => n === 0,
      60_000,
    );
    expect(await kube.list("autoscaling/v2", "HorizontalPodAutoscaler", "paasta.yelp.com/service=charlie")).toEqual([]);
    expect(await kube.list("policy/v1", "PodDisruptionBudget", "paasta.yelp.com/service=charlie")).toEqual([]);
  }, 90_000);
});
