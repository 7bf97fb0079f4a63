/**
 * The mesh on Kubernetes (issue 12) against the real control plane (scripts/testenv): a Service per
 * smartstack.yaml namespace, whose EndpointSlices (kept by the real endpointslice controller) list exactly the
 * Ready pods registered in it; no writes on a no-op pass; a removed namespace's Service cleaned up under the
 * rails. The deploy record is real too (git repositories, mark-for-deployment).
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Kube } from "../../src/backends/kubernetes/client.js";
import { KubernetesBackend } from "../../src/backends/kubernetes/index.js";
import { loadSystemConfig } from "../../src/config/system.js";
import { reconcilePass } from "../../src/reconcile/pass.js";
import { paastaBin, tempDir } from "../helpers/cli.js";
import { git } from "../helpers/git.js";
import { ensureK8s, exclusiveK8s, kubeClient, kubectl } from "../helpers/k8s.js";
import { freePort, until } from "../helpers/runtime.js";

type Obj = {
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; resourceVersion?: string };
  spec?: any;
  status?: any;
};
type Slice = {
  endpoints?: Array<{ addresses: string[]; conditions?: { ready?: boolean }; targetRef?: { name: string } }>;
};

const SERVICES = ["meshy", "meshother"];
const NAMESPACES = SERVICES.map((s) => `paastasvc-${s}`);

const instances = (svc: string) => `main:
  cmd: node server.js
  cpus: 0.1
  mem: 64
  instances: 2
  deploy_group: kube.everything
${
  svc === "meshy"
    ? `canary:
  cmd: node server.js
  cpus: 0.1
  mem: 64
  instances: 1
  deploy_group: kube.everything
  registrations: [meshy.main]
  env:
    TESTENV_CRASH: "true"
`
    : ""
}`;

describe("the mesh on Kubernetes: a Service per namespace", () => {
  let root: string;
  let soa: string;
  let kube: Kube;
  let backend: KubernetesBackend;
  let system: ReturnType<typeof loadSystemConfig>;
  let release: (() => void) | undefined;
  const pass = () => reconcilePass(backend, { soaDir: soa, system, cluster: "kube" });
  const services = () => kube.list<Obj>("v1", "Service", "paasta.yelp.com/managed=true,paasta.yelp.com/registration");
  const readyIps = async (ns: string, selector: string) =>
    (await kube.list<Obj>("v1", "Pod", selector, ns))
      .filter((p) =>
        p.status?.conditions?.some((c: { type: string; status: string }) => c.type === "Ready" && c.status === "True"),
      )
      .map((p) => p.status?.podIP as string)
      .sort();
  const sliceIps = async (ns: string, name: string, ready: boolean) =>
    (await kube.list<Slice>("discovery.k8s.io/v1", "EndpointSlice", `kubernetes.io/service-name=${name}`, ns))
      .flatMap((s) => s.endpoints ?? [])
      .filter((e) => (e.conditions?.ready === true) === ready)
      .flatMap((e) => e.addresses)
      .sort();

  const cleanup = async () => {
    for (const ns of NAMESPACES) await kube.delete("v1", "Namespace", undefined, ns);
    await until(
      async () => (await kube.list<Obj>("v1", "Namespace")).filter((n) => NAMESPACES.includes(n.metadata.name)).length,
      (n) => n === 0,
      240_000,
      500,
    );
  };

  beforeAll(async () => {
    const kubeconfig = ensureK8s();
    release = await exclusiveK8s();
    kube = await kubeClient();
    await cleanup();
    root = tempDir("paasta-k8s-mesh-");
    soa = join(root, "soa");
    mkdirSync(join(root, "etc"));
    writeFileSync(
      join(root, "etc/paasta.json"),
      JSON.stringify({
        cluster: "kube",
        clusters: ["kube"],
        soa_dir: soa,
        docker_registry: "registry.example.org",
        api_endpoints: { kube: `http://127.0.0.1:${await freePort()}` },
        cluster_backends: { kube: { type: "kubernetes", kubeconfig } },
      }),
    );
    const env = { ...process.env, PAASTA_SYSTEM_CONFIG_DIR: join(root, "etc"), PAASTA_CACHE_DIR: join(root, "cache") };
    for (const [i, svc] of SERVICES.entries()) {
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
      writeFileSync(join(soa, svc, "smartstack.yaml"), `main:\n  proxy_port: ${20_101 + i}\n`);
      writeFileSync(join(soa, svc, "kubernetes-kube.yaml"), instances(svc));
      const sha = git(["rev-parse", "HEAD"], repo);
      const r = paastaBin(["mark-for-deployment", "-s", svc, "-c", sha, "-l", "kube.everything"], { env });
      expect(r.code, r.stderr).toBe(0);
    }
    system = loadSystemConfig(join(root, "etc"));
    backend = new KubernetesBackend(kube, "kube");
  }, 1_200_000);

  afterAll(async () => {
    if (kube) await cleanup();
    release?.();
  }, 300_000);

  it("a reconcile pass creates a Service per namespace, selecting the pods registered in it", async () => {
    const r = await pass();
    expect(r.routes?.outcomes.map((o) => `${o.kind} ${o.item.route.registration}`).sort()).toEqual([
      "created meshother.main",
      "created meshy.main",
    ]);
    const svc = (await services()).find((s) => s.metadata.name === "meshy-main");
    expect(svc?.metadata.namespace).toBe("paastasvc-meshy");
    expect(svc?.spec).toMatchObject({
      type: "ClusterIP",
      selector: { "registrations.paasta.yelp.com/meshy.main": "true" },
      ports: [{ port: 20101, targetPort: 8888, protocol: "TCP" }],
    });
    const pods = await kube.list<Obj>("v1", "Pod", "registrations.paasta.yelp.com/meshy.main=true", "paastasvc-meshy");
    await until(
      async () =>
        (await kube.list<Obj>("v1", "Pod", "registrations.paasta.yelp.com/meshy.main=true", "paastasvc-meshy")).length,
      (n) => n === 3,
      60_000,
    );
    expect(pods.every((p) => p.metadata.labels?.["paasta.yelp.com/service"] === "meshy")).toBe(true);
  }, 120_000);

  it("their EndpointSlices list exactly the Ready pods as ready (the crash-looping canary is not)", async () => {
    const selector = "registrations.paasta.yelp.com/meshy.main=true";
    await until(
      async () => ({
        ready: await readyIps("paastasvc-meshy", selector),
        slice: await sliceIps("paastasvc-meshy", "meshy-main", true),
      }),
      ({ ready, slice }) => ready.length === 2 && JSON.stringify(ready) === JSON.stringify(slice),
      90_000,
      500,
    );
    const canary = await kube.list<Obj>("v1", "Pod", "paasta.yelp.com/instance=canary", "paastasvc-meshy");
    expect(canary).toHaveLength(1);
    expect(await sliceIps("paastasvc-meshy", "meshy-main", true)).not.toContain(canary[0]?.status?.podIP);
    const status = await backend.meshStatus({ service: "meshy", instance: "canary" });
    const backendsOf = status?.namespaces.find((n) => n.name === "meshy.main")?.backends ?? [];
    expect(status?.namespaces[0]).toMatchObject({ name: "meshy.main", served: true, proxy_port: 20101 });
    expect(status?.namespaces[0]?.address).toBe("meshy-main.paastasvc-meshy.svc:20101");
    expect(backendsOf.filter((b) => b.state === "up").map((b) => b.instance)).toEqual(["main", "main"]);
    expect(backendsOf.find((b) => b.instance === "canary")).toMatchObject({ healthy: false });
  }, 120_000);

  it("a pass with nothing changed writes nothing", async () => {
    await pass();
    const before = new Map((await services()).map((s) => [s.metadata.name, s.metadata.resourceVersion]));
    const writes = kube.writes;
    const r = await pass();
    expect(kube.writes - writes).toBe(0);
    expect(r.routes?.outcomes.every((o) => o.kind === "unchanged")).toBe(true);
    for (const s of await services()) expect(s.metadata.resourceVersion).toBe(before.get(s.metadata.name));
  }, 60_000);

  it("a hand edit of a Service is repaired on the next pass", async () => {
    // Someone changes the port the Service forwards to (kubectl owns that field now).
    const patch = JSON.stringify([{ op: "replace", path: "/spec/ports/0/targetPort", value: 9999 }]);
    const ns = ["-n", "paastasvc-meshother"];
    const edited = kubectl([...ns, "patch", "service", "meshother-main", "--type", "json", "-p", patch]);
    expect(edited.code, edited.stderr).toBe(0);
    const before = (await services()).find((s) => s.metadata.name === "meshother-main");
    expect(before?.spec.ports[0].targetPort).toBe(9999);
    const r = await pass();
    const outcome = r.routes?.outcomes.find((o) => o.item.route.registration === "meshother.main");
    expect(outcome?.kind, outcome?.error?.message).toBe("updated");
    const repaired = (await services()).find((s) => s.metadata.name === "meshother-main");
    expect(repaired?.spec.ports).toMatchObject([{ port: 20102, targetPort: 8888 }]);
  }, 60_000);

  it("removing every namespace is refused (the tree yields none); removing one cleans up its Service", async () => {
    rmSync(join(soa, "meshy", "smartstack.yaml"));
    rmSync(join(soa, "meshother", "smartstack.yaml"));
    const refused = await pass();
    expect(refused.routes?.refused).toMatch(/yields no mesh namespace while 2 are published/);
    expect((await services()).map((s) => s.metadata.name).sort()).toEqual(["meshother-main", "meshy-main"]);
    writeFileSync(join(soa, "meshy", "smartstack.yaml"), "main:\n  proxy_port: 20101\n");
    const r = await pass();
    expect(r.routes?.outcomes.find((o) => o.item.route.registration === "meshother.main")?.kind).toBe("deleted");
    expect((await services()).map((s) => s.metadata.name)).toEqual(["meshy-main"]);
  }, 60_000);
});
