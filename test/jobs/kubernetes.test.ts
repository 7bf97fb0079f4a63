/**
 * Jobs on a real Kubernetes control plane (scripts/testenv: kube-apiserver, the Job controller, kwok nodes
 * whose pods complete — or fail, for a container with TESTENV_CRASH=true): each action attempt is a Job with a
 * deterministic name, run records are Jobs too, and `paasta deployd` — two at once, then killed with SIGKILL
 * and restarted mid-run — never creates a second Job for any action. `paasta api` serves the runs from the
 * cluster alone. Everything lives in a namespace of this test, deleted at the end.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Kube } from "../../src/backends/kubernetes/client.js";
import { BIN, paastaBin, tempDir } from "../helpers/cli.js";
import { ensureK8s, exclusiveK8s, kubeClient } from "../helpers/k8s.js";
import { freePort, getJson, sleep, until } from "../helpers/runtime.js";

type Job = {
  metadata: { name: string; labels: Record<string, string>; annotations: Record<string, string> };
  status?: { conditions?: Array<{ type: string; status: string }> };
};

const CLUSTER = "kjobs";
const SHA = "0123456789abcdef0123456789abcdef01234567";

describe("jobs on Kubernetes", () => {
  let kube: Kube;
  let root: string;
  let env: NodeJS.ProcessEnv;
  let ns: string;
  let api: string;
  const children: ChildProcess[] = [];
  const start = (cmd: string): ChildProcess => {
    const child = spawn(process.execPath, [BIN, cmd, "--cluster", CLUSTER], { env, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout?.resume();
    child.stderr?.resume();
    children.push(child);
    return child;
  };
  const stop = async (child: ChildProcess, signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill(signal);
    await exited;
  };
  const jobs = async (selector: string) =>
    kube.list<Job>("batch/v1", "Job", `paasta.yelp.com/cluster=${CLUSTER},${selector}`, ns);
  const attempts = (job: string) => jobs(`paasta.yelp.com/batch=attempt,paasta.yelp.com/job=${job}`);
  let deployd: ChildProcess | undefined;
  const done = (j: Job) =>
    j.status?.conditions?.some((c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True");

  let release: (() => void) | undefined;

  beforeAll(async () => {
    const kubeconfig = ensureK8s();
    release = await exclusiveK8s(); // one test file's apps at a time on the shared control plane
    kube = await kubeClient();
    ns = `paasta-jobs-${Date.now().toString(36)}`;
    // Our own namespace, without the managed label (another suite's cleanup of managed namespaces leaves it be).
    await kube.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
    await until(
      async () => kube.list("v1", "ServiceAccount", undefined, ns),
      (sas) => sas.length > 0,
      30_000,
    );
    root = tempDir("paasta-kjobs-");
    const soa = join(root, "soa");
    mkdirSync(join(soa, "svc"), { recursive: true });
    mkdirSync(join(root, "etc"));
    api = `http://127.0.0.1:${await freePort()}`;
    writeFileSync(
      join(root, "etc/paasta.json"),
      JSON.stringify({
        cluster: CLUSTER,
        clusters: [CLUSTER],
        soa_dir: soa,
        docker_registry: "registry.example.org",
        api_endpoints: { [CLUSTER]: api },
        api_auth_token: "test-token",
        cluster_backends: { [CLUSTER]: { type: "kubernetes", kubeconfig } },
        tron_namespace: ns,
      }),
    );
    const files: Record<string, string> = {
      "service.yaml": "description: d\nexternal_link: https://example.org\n",
      "monitoring.yaml": "team: test\n",
      "deploy.yaml": "pipeline:\n  - step: kjobs.everything\n",
      [`tron-${CLUSTER}.yaml`]: `dag:
  schedule: interval 8s
  deploy_group: kjobs.everything
  actions:
    a: {command: "echo a {runid}", cpus: 0.1, mem: 64}
    b: {command: "echo b", requires: [a], cpus: 0.1, mem: 64}
    c: {command: "echo c", requires: [a], cpus: 0.1, mem: 64}
flaky:
  schedule: daily 04:00:00
  enabled: false
  deploy_group: kjobs.everything
  actions:
    a:
      command: exit 1
      cpus: 0.1
      mem: 64
      retries: 2
      retries_delay: 1s
      env: {TESTENV_CRASH: "true"}
  cleanup_action: {command: echo cleanup, cpus: 0.1, mem: 64}
`,
      [`adhoc-${CLUSTER}.yaml`]: `shell:\n  cmd: sh\n  cpus: 0.1\n  mem: 64\n  namespace: ${ns}\n  deploy_group: kjobs.everything\n`,
      "deployments.json": JSON.stringify({
        v1: {},
        v2: {
          deployments: {
            "kjobs.everything": { docker_image: `services-svc:paasta-${SHA}`, git_sha: SHA, image_version: null },
          },
          controls: {},
        },
      }),
    };
    for (const [f, text] of Object.entries(files)) writeFileSync(join(soa, "svc", f), text);
    env = {
      ...process.env,
      PAASTA_SYSTEM_CONFIG_DIR: join(root, "etc"),
      PAASTA_CACHE_DIR: join(root, "cache"),
      NO_COLOR: "1",
    };
    start("api");
    await until(
      async () => (await fetch(`${api}/v1/jobs`)).status,
      (st) => st === 200,
      30_000,
    );
  }, 1_300_000);

  afterAll(async () => {
    for (const c of children) await stop(c, "SIGKILL");
    if (kube && ns) await kube.delete("v1", "Namespace", undefined, ns);
    release?.();
  }, 60_000);

  it("the DAG runs as Jobs in order; two deployds, then deployd killed and restarted mid-run: one Job per action", async () => {
    const first = [start("deployd"), start("deployd")];
    // Runs go through with two schedulers at once.
    await until(
      async () => (await attempts("dag")).filter(done).length,
      (n) => n >= 3,
      90_000,
      500,
    );
    // Mid-run: a's Job of a run exists, b's and c's not yet.
    await until(
      async () => {
        const all = await attempts("dag");
        const runs = new Set(all.map((j) => j.metadata.labels["paasta.yelp.com/run"]));
        return [...runs].some((r) => all.filter((j) => j.metadata.labels["paasta.yelp.com/run"] === r).length === 1);
      },
      (mid) => mid,
      60_000,
      100,
    );
    for (const c of first) await stop(c, "SIGKILL");
    await sleep(1500);
    deployd = start("deployd");
    const before = (await jobs("paasta.yelp.com/batch=run,paasta.yelp.com/job=dag")).length;
    await until(
      async () => (await jobs("paasta.yelp.com/batch=run,paasta.yelp.com/job=dag")).length,
      (n) => n >= before + 2,
      90_000,
      500,
    );
    const all = await attempts("dag");
    const byAction = new Map<string, number>();
    for (const j of all) {
      const k = `${j.metadata.labels["paasta.yelp.com/run"]}.${j.metadata.annotations["paasta.yelp.com/action-name"]}`;
      byAction.set(k, (byAction.get(k) ?? 0) + 1);
      expect(j.metadata.labels["paasta.yelp.com/attempt"]).toBe("1");
    }
    expect([...byAction.values()].every((n) => n === 1)).toBe(true);
    // Every run record is one scheduled time (its run number is that time in seconds), each at most once.
    const runs = await jobs("paasta.yelp.com/batch=run,paasta.yelp.com/job=dag");
    const times = runs.map((r) => r.metadata.annotations["paasta.yelp.com/scheduled-at"]);
    expect(new Set(times).size).toBe(times.length);
    for (const r of runs) {
      expect(Number(r.metadata.labels["paasta.yelp.com/run"]) * 1000).toBe(
        Date.parse(r.metadata.annotations["paasta.yelp.com/scheduled-at"] ?? ""),
      );
    }
    // b and c only after a: their Jobs were created after a's Job of the same run completed.
    type Runs = { runs: Array<{ state: string; actions: Array<{ started_at: string; ended_at: string }> }> };
    const finished = await until(
      async () => (await getJson<Runs>(`${api}/v1/jobs/svc/dag`)).runs,
      (rs) => rs.filter((r) => r.state === "succeeded").length >= 3,
      60_000,
      500,
    );
    for (const r of finished.filter((x) => x.state === "succeeded")) {
      const [a, b, c] = r.actions;
      expect(Date.parse(b?.started_at ?? "")).toBeGreaterThanOrEqual(Date.parse(a?.ended_at ?? "") - 1000);
      expect(Date.parse(c?.started_at ?? "")).toBeGreaterThanOrEqual(Date.parse(a?.ended_at ?? "") - 1000);
    }
  }, 300_000);

  it("a failing pod's action is retried `retries` times, then fails; the cleanup action still runs (tronctl start, paasta api)", async () => {
    if (!deployd) deployd = start("deployd");
    const start1 = paastaBin(["tronctl", "start", "svc.flaky", "-c", CLUSTER], { env });
    expect(start1.code, start1.stderr).toBe(0);
    expect(start1.stdout).toMatch(/start svc\.flaky on kjobs: run \d+ started/);
    const run = await until(
      async () =>
        (
          await getJson<{
            runs: Array<{
              state: string;
              actions: Array<{ name: string; state: string; attempts: number; retries: number }>;
            }>;
          }>(`${api}/v1/jobs/svc/flaky`)
        ).runs[0],
      (r) => r?.state === "failed",
      120_000,
      500,
    );
    expect(run?.actions.map((a) => [a.name, a.state, a.attempts, a.retries])).toEqual([
      ["a", "failed", 3, 2],
      ["cleanup", "succeeded", 1, 0],
    ]);
    const failedJobs = (await attempts("flaky")).filter(
      (j) => j.metadata.annotations["paasta.yelp.com/action-name"] === "a",
    );
    expect(failedJobs.map((j) => j.metadata.labels["paasta.yelp.com/attempt"]).sort()).toEqual(["1", "2", "3"]);
    const status = paastaBin(["status", "-s", "svc", "-i", "flaky", "-c", CLUSTER], { env });
    expect(status.stdout).toContain("svc.flaky (job)");
    expect(status.stdout).toMatch(/a\s+failed.*attempt 3\/3/);
  }, 180_000);

  it("remote-run of an adhoc instance is a Job; it prints the exit code (kwok pods have no output to read)", async () => {
    const r = paastaBin(["remote-run", "start", "-s", "svc", "-i", "shell", "-c", CLUSTER, "--cmd", "echo hi"], {
      env,
    });
    expect(r.stdout).toMatch(/remote-run-svc-shell-\S+ succeeded: exit code 0/);
    expect(r.stderr).toContain("output: ");
    expect(r.code).toBe(0);
    const list = paastaBin(["remote-run", "list", "-s", "svc", "-c", CLUSTER], { env });
    expect(list.stdout).toMatch(/remote-run-svc-shell-\S+ {2}succeeded exit 0 .*echo hi/);
  }, 120_000);
});
