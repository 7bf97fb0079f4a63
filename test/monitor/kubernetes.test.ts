/**
 * The monitor on the real Kubernetes API server (scripts/testenv: etcd, kube-apiserver, controllers, kwok):
 * replication from Ready pods. One service's pods stay Running but not Ready (kwok's crash stage, env
 * TESTENV_CRASH=true), the other's become Ready. `paasta monitor` runs as a child process and sends to a
 * loopback webhook; `paasta api` reads the alerts back from the monitor's ConfigMap record.
 *
 * The control plane is shared with other suites: this test applies only its own apps (never a reconcile pass,
 * whose cleanup would see everyone's apps), and removes exactly what it created.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Kube } from "../../src/backends/kubernetes/client.js";
import { KubernetesBackend } from "../../src/backends/kubernetes/index.js";
import { loadSystemConfig } from "../../src/config/system.js";
import { desiredState } from "../../src/reconcile/desired.js";
import { startApiHost } from "../../src/runtime/cluster-host.js";
import { recordName } from "../../src/runtime/monitor/state.js";
import { type Receiver, startReceiver } from "../helpers/alertmanager.js";
import { BIN, paastaBin, tempDir } from "../helpers/cli.js";
import { git } from "../helpers/git.js";
import { ensureK8s, exclusiveK8s, kubeClient, kubectl } from "../helpers/k8s.js";
import { freePort, until } from "../helpers/runtime.js";

const TAG = Math.random().toString(36).slice(2, 7);
const CLUSTER = `kmon${TAG}`;
const GOOD = `mongood${TAG}`;
const BAD = `monbad${TAG}`;
const INSTANCE = (extra: string) => `main:
  cmd: node server.js
  cpus: 0.1
  mem: 64
  instances: 2
  deploy_group: ${CLUSTER}.everything
${extra}`;

interface Hook {
  paasta: { kind: string; event: { name: string; team: string; output: string; status: number; page: boolean } };
}

describe("monitor on Kubernetes: replication from Ready pods", () => {
  let kube: Kube;
  let backend: KubernetesBackend;
  let rx: Receiver;
  let monitor: ChildProcess | undefined;
  let soa: string;
  let etc: string;
  const output: string[] = [];
  const hooks = (name: string) =>
    rx
      .on("/hook")
      .map((r) => r.body as unknown as Hook)
      .filter((h) => h.paasta.event.name === name);

  let release: (() => void) | undefined;

  beforeAll(async () => {
    const kubeconfig = ensureK8s();
    release = await exclusiveK8s(); // one test file's apps at a time on the shared control plane
    kube = await kubeClient();
    rx = await startReceiver();
    const root = tempDir("paasta-k8s-monitor-");
    soa = join(root, "soa");
    etc = join(root, "etc");
    mkdirSync(etc);
    writeFileSync(
      join(etc, "paasta.json"),
      JSON.stringify({
        cluster: CLUSTER,
        clusters: [CLUSTER],
        soa_dir: soa,
        docker_registry: "registry.example.org",
        api_endpoints: { [CLUSTER]: `http://127.0.0.1:${await freePort()}` },
        cluster_backends: { [CLUSTER]: { type: "kubernetes", kubeconfig } },
        monitoring_sinks: [{ type: "webhook", url: `${rx.url}/hook` }],
        monitoring_check_interval_seconds: 1,
      }),
    );
    const env = { ...process.env, PAASTA_SYSTEM_CONFIG_DIR: etc, NO_COLOR: "1" };
    for (const [svc, team, extra] of [
      [GOOD, "a", ""],
      [BAD, "b", '  env:\n    TESTENV_CRASH: "true"\n'],
    ] as const) {
      const repo = join(root, "repos", svc);
      mkdirSync(repo, { recursive: true });
      git(["init", "-q", "-b", "main", repo]);
      writeFileSync(join(repo, "server.js"), "// a service\n");
      git(["add", "-A"], repo);
      git(["commit", "-q", "-m", "one"], repo);
      mkdirSync(join(soa, svc), { recursive: true });
      writeFileSync(join(soa, svc, "service.yaml"), `description: ${svc}\nexternal_link: x\ngit_url: ${repo}\n`);
      writeFileSync(join(soa, svc, "monitoring.yaml"), `team: ${team}\nalert_after: 0\n`);
      writeFileSync(join(soa, svc, "deploy.yaml"), `pipeline:\n  - step: ${CLUSTER}.everything\n`);
      writeFileSync(join(soa, svc, `kubernetes-${CLUSTER}.yaml`), INSTANCE(extra));
      const sha = git(["rev-parse", "HEAD"], repo);
      const r = paastaBin(["mark-for-deployment", "-s", svc, "-c", sha, "-l", `${CLUSTER}.everything`], { env });
      expect(r.code, r.stderr).toBe(0);
    }
    backend = new KubernetesBackend(kube, CLUSTER);
    await backend.observe();
    for (const app of desiredState(soa, loadSystemConfig(etc), CLUSTER).apps) await backend.apply(app);
    monitor = spawn(process.execPath, [BIN, "monitor", "--cluster", CLUSTER], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    monitor.stdout?.on("data", (d: Buffer) => output.push(d.toString()));
    monitor.stderr?.on("data", (d: Buffer) => output.push(d.toString()));
  }, 1_300_000);

  afterAll(async () => {
    if (monitor && monitor.exitCode === null) {
      const exited = new Promise((r) => monitor?.once("exit", r));
      monitor.kill("SIGTERM");
      await exited;
    }
    if (backend) {
      for (const service of [GOOD, BAD]) await backend.remove({ service, instance: "main" }).catch(() => undefined);
      for (const service of [GOOD, BAD]) await kube.delete("v1", "Namespace", undefined, `paastasvc-${service}`);
      await kube.delete("v1", "ConfigMap", "paasta-system", `paasta-record-${recordName(CLUSTER)}`);
    }
    await rx?.close();
    release?.();
  }, 120_000);

  it("pods that stay not-Ready alert the owning team; Ready pods do not", async () => {
    const bad = await until(
      async () => hooks(`check_paasta_services_replication.${BAD}.main`),
      (l) => l.some((h) => h.paasta.kind === "fire"),
      90_000,
    ).catch((e) => {
      throw new Error(`${(e as Error).message}\nmonitor output:\n${output.join("")}`);
    });
    const fire = bad.find((h) => h.paasta.kind === "fire");
    expect(fire?.paasta.event.team).toBe("b");
    expect(fire?.paasta.event.output).toContain(`${BAD}.main has 0/2 replicas available (threshold: 50%)`);
    const loop = await until(
      async () => hooks(`check_paasta_crash_loop.${BAD}.main`),
      (l) => l.some((h) => h.paasta.kind === "fire"),
      90_000,
    );
    expect(loop.find((h) => h.paasta.kind === "fire")?.paasta.event.output).toContain("CrashLoopBackOff");
    expect(hooks(`check_paasta_services_replication.${GOOD}.main`)).toEqual([]);
  }, 200_000);

  it("paasta api serves the alerts from the monitor's ConfigMap record", async () => {
    const system = loadSystemConfig(etc);
    const api = await startApiHost({ soaDir: soa, system, cluster: CLUSTER, version: "test", env: process.env });
    try {
      const res = (await (await fetch(`${api.url}/v1/alerts?service=${BAD}`)).json()) as {
        alerts: Array<{ check: string; state: string; team: string; sent_to: string[] }>;
      };
      const repl = res.alerts.find((a) => a.check === `check_paasta_services_replication.${BAD}.main`);
      expect(repl).toMatchObject({ state: "firing", team: "b", sent_to: [`webhook ${rx.url}/hook`] });
      const good = (await (await fetch(`${api.url}/v1/alerts?service=${GOOD}`)).json()) as { alerts: unknown[] };
      expect(good.alerts).toEqual([]);
    } finally {
      await api.stop();
    }
  }, 60_000);

  it("a container the kubelet reports OOMKilled raises oom-killer.S.I for the owning team, without paging", async () => {
    // kwok (the kubelets' stand-in) never OOM-kills: the report a kubelet would write is written here, through
    // the real API server's status subresource. Not modelled: the kernel, the kubelet's own restart.
    const ns = `paastasvc-${GOOD}`;
    const pods = JSON.parse(kubectl(["get", "pods", "-n", ns, "-o", "json"]).stdout) as {
      items: Array<{ metadata: { name: string }; spec: { containers: Array<{ name: string; image: string }> } }>;
    };
    const target = pods.items[0];
    expect(target).toBeDefined();
    const now = new Date().toISOString();
    const containerStatuses = target?.spec.containers.map((c) => ({
      name: c.name,
      image: c.image,
      imageID: "",
      ready: true,
      started: true,
      restartCount: 1,
      state: { running: { startedAt: now } },
      lastState: { terminated: { exitCode: 137, reason: "OOMKilled", startedAt: now, finishedAt: now } },
    }));
    const patch = JSON.stringify({ status: { containerStatuses } });
    const r = kubectl([
      "patch",
      "pod",
      target?.metadata.name ?? "",
      "-n",
      ns,
      "--subresource=status",
      "--type=merge",
      "-p",
      patch,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const oom = await until(
      async () => hooks(`oom-killer.${GOOD}.main`),
      (l) => l.some((h) => h.paasta.kind === "fire"),
      30_000,
    ).catch((e) => {
      throw new Error(`${(e as Error).message}\nmonitor output:\n${output.join("")}`);
    });
    const fire = oom.find((h) => h.paasta.kind === "fire");
    expect(fire?.paasta.event.team).toBe("a");
    expect(fire?.paasta.event.output).toContain(`task ${target?.metadata.name}: OOMKilled: exited with code 137`);
    expect(fire?.paasta.event.page).toBe(false);
  }, 60_000);
});
