/**
 * The real Kubernetes control plane of scripts/testenv (etcd, kube-apiserver, controller-manager, scheduler,
 * kwok nodes), started on demand, and a client for assertions.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { connect, type Kube } from "../../src/backends/kubernetes/client.js";
import type { ClusterBackend } from "../../src/config/system.js";
import { REPO } from "./cli.js";

let kubeconfig: string | undefined;

/** `scripts/testenv k8s up` (idempotent; seconds when cached) → the kubeconfig path. */
export function ensureK8s(): string {
  if (kubeconfig) return kubeconfig;
  const r = spawnSync(join(REPO, "scripts/testenv"), ["k8s", "up"], { encoding: "utf8" });
  const last = r.stdout.trim().split("\n").pop() ?? "";
  if (r.status !== 0 || !last.startsWith("KUBECONFIG=")) {
    throw new Error(`scripts/testenv k8s up failed (exit ${r.status}):\n${r.stderr}\n${r.stdout}`);
  }
  kubeconfig = last.slice("KUBECONFIG=".length);
  return kubeconfig;
}

/** Runs the environment's kubectl (as a person editing by hand would). */
export function kubectl(args: string[]): { code: number; stdout: string; stderr: string } {
  const config = ensureK8s();
  const state = readFileSync(join(dirname(config), "state.env"), "utf8");
  const bin = /^KUBECTL=(.*)$/m.exec(state)?.[1] ?? "kubectl";
  const r = spawnSync(bin, ["--kubeconfig", config, ...args], { encoding: "utf8" });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export async function kubeClient(): Promise<Kube> {
  const spec: Extract<ClusterBackend, { type: "kubernetes" }> = { type: "kubernetes", kubeconfig: ensureK8s() };
  return connect(spec, "test");
}

/** Deletes every namespace a previous run left behind (labelled managed by paasta) and waits until they are gone. */
export async function cleanManagedNamespaces(kube: Kube): Promise<void> {
  const managed = await kube.list<{ metadata: { name: string } }>("v1", "Namespace", "paasta.yelp.com/managed=true");
  for (const ns of managed) await kube.delete("v1", "Namespace", undefined, ns.metadata.name);
  const end = Date.now() + 240_000;
  while (Date.now() < end) {
    if ((await kube.list("v1", "Namespace", "paasta.yelp.com/managed=true")).length === 0) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error("managed namespaces of an earlier run did not go away within 240 s");
}

/**
 * The shared control plane holds one test file's apps at a time: a file that deploys managed apps takes this
 * lock first (its passes see every managed app of the cluster, and its cleanup deletes every managed
 * namespace). Returns the release function; a lock whose holder died is taken over.
 */
export async function exclusiveK8s(timeoutMs = 900_000): Promise<() => void> {
  const lock = join(dirname(ensureK8s()), "tests.lock");
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, "pid"), String(process.pid));
      return () => rmSync(lock, { recursive: true, force: true });
    } catch {
      let holder = 0;
      try {
        holder = Number(readFileSync(join(lock, "pid"), "utf8"));
      } catch {
        // being created or removed
      }
      let alive = true;
      try {
        if (holder > 0) process.kill(holder, 0);
      } catch {
        alive = false;
      }
      if (holder > 0 && !alive) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > end) throw new Error(`the Kubernetes test lock ${lock} is held by pid ${holder}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/** A control plane of the test's own (not the shared one): its own state directory, ports and flags. */
export interface OwnK8s {
  readonly kubeconfig: string;
  readonly dir: string;
  kubectl(args: string[]): { code: number; stdout: string; stderr: string };
  /** Stops exactly this control plane (its recorded PIDs) and removes its directory. */
  down(): void;
}

/**
 * Starts a second control plane with `scripts/testenv k8s up` in a fresh PAASTA_TESTENV_DIR (free ports are
 * picked when the defaults are taken), with extra kube-apiserver flags. The shared one is never touched.
 */
export function startOwnK8s(apiserverFlags: string[] = []): OwnK8s {
  const dir = mkdtempSync(join(tmpdir(), "paasta-own-k8s-"));
  const env = { ...process.env, PAASTA_TESTENV_DIR: dir, PAASTA_TESTENV_APISERVER_FLAGS: apiserverFlags.join(" ") };
  const down = () => {
    spawnSync(join(REPO, "scripts/testenv"), ["k8s", "down"], { env, encoding: "utf8" });
    rmSync(dir, { recursive: true, force: true });
  };
  const r = spawnSync(join(REPO, "scripts/testenv"), ["k8s", "up"], { env, encoding: "utf8" });
  const last = r.stdout.trim().split("\n").pop() ?? "";
  if (r.status !== 0 || !last.startsWith("KUBECONFIG=")) {
    down();
    throw new Error(`scripts/testenv k8s up (own control plane) failed (exit ${r.status}):\n${r.stderr}\n${r.stdout}`);
  }
  const kubeconfig = last.slice("KUBECONFIG=".length);
  const state = readFileSync(join(dirname(kubeconfig), "state.env"), "utf8");
  const bin = /^KUBECTL=(.*)$/m.exec(state)?.[1] ?? "kubectl";
  return {
    kubeconfig,
    dir,
    kubectl(args) {
      const k = spawnSync(bin, ["--kubeconfig", kubeconfig, ...args], { encoding: "utf8" });
      return { code: k.status ?? -1, stdout: k.stdout, stderr: k.stderr };
    },
    down,
  };
}

/**
 * A kubeconfig for a ServiceAccount bound to cluster-admin: same rights as the admin, but not in
 * system:masters, so the API server's in-flight limits apply to it (they exempt system:masters).
 */
export function serviceAccountKubeconfig(own: OwnK8s, name: string): string {
  const run = (args: string[]) => {
    const r = own.kubectl(args);
    if (r.code !== 0 && !/AlreadyExists/.test(r.stderr)) throw new Error(`kubectl ${args.join(" ")}: ${r.stderr}`);
    return r.stdout.trim();
  };
  run(["create", "serviceaccount", name, "-n", "default"]);
  run(["create", "clusterrolebinding", name, "--clusterrole=cluster-admin", `--serviceaccount=default:${name}`]);
  const token = run(["create", "token", name, "-n", "default", "--duration=2h"]);
  const admin = readFileSync(own.kubeconfig, "utf8");
  const server = /server: (\S+)/.exec(admin)?.[1];
  const ca = /certificate-authority-data: (\S+)/.exec(admin)?.[1];
  const path = join(own.dir, `${name}.kubeconfig`);
  writeFileSync(
    path,
    [
      "apiVersion: v1",
      "kind: Config",
      "clusters:",
      `- name: own\n  cluster:\n    server: ${server}\n    certificate-authority-data: ${ca}`,
      "users:",
      `- name: ${name}\n  user:\n    token: ${token}`,
      "contexts:",
      `- name: ${name}\n  context: {cluster: own, user: ${name}}`,
      `current-context: ${name}`,
      "",
    ].join("\n"),
  );
  return path;
}
