/**
 * The dashboard of `paasta api` for a Kubernetes cluster, in Chromium, against the real API server
 * (scripts/testenv: etcd, kube-apiserver, controllers, kwok nodes). `paasta api` runs as a child process; the
 * pages read the cluster through the same routes as on the local runtime.
 *
 * The control plane is shared with other suites: this test applies only its own app (in its own namespace,
 * never a reconcile pass, whose cleanup would see everyone's apps) and removes exactly what it created.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Kube } from "../../src/backends/kubernetes/client.js";
import { KubernetesBackend } from "../../src/backends/kubernetes/index.js";
import { loadSystemConfig } from "../../src/config/system.js";
import { desiredState } from "../../src/reconcile/desired.js";
import { type Browser, startBrowser } from "../helpers/browser.js";
import { BIN, paastaBin, tempDir } from "../helpers/cli.js";
import { git } from "../helpers/git.js";
import { ensureK8s, exclusiveK8s, kubeClient } from "../helpers/k8s.js";
import { freePort, getJson, until } from "../helpers/runtime.js";

const TAG = Math.random().toString(36).slice(2, 7);
const CLUSTER = `kdash${TAG}`;
const SERVICE = `dash${TAG}`;

describe("the dashboard of paasta api on Kubernetes, in Chromium", () => {
  let kube: Kube;
  let backend: KubernetesBackend | undefined;
  let api: ChildProcess | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let url: string;
  let sha: string;
  const output: string[] = [];

  let release: (() => void) | undefined;

  beforeAll(async () => {
    const kubeconfig = ensureK8s();
    release = await exclusiveK8s(); // one test file's apps at a time on the shared control plane
    kube = await kubeClient();
    const root = tempDir("paasta-k8s-dashboard-");
    const soa = join(root, "soa");
    const etc = join(root, "etc");
    mkdirSync(etc);
    url = `http://127.0.0.1:${await freePort()}`;
    writeFileSync(
      join(etc, "paasta.json"),
      JSON.stringify({
        cluster: CLUSTER,
        clusters: [CLUSTER],
        soa_dir: soa,
        docker_registry: "registry.example.org",
        api_endpoints: { [CLUSTER]: url },
        api_auth_token: "k8s-token",
        cluster_backends: { [CLUSTER]: { type: "kubernetes", kubeconfig } },
      }),
    );
    const env = { ...process.env, PAASTA_SYSTEM_CONFIG_DIR: etc, NO_COLOR: "1" };
    const repo = join(root, "repos", SERVICE);
    mkdirSync(repo, { recursive: true });
    git(["init", "-q", "-b", "main", repo]);
    writeFileSync(join(repo, "server.js"), "// a service\n");
    git(["add", "-A"], repo);
    git(["commit", "-q", "-m", "one"], repo);
    sha = git(["rev-parse", "HEAD"], repo);
    mkdirSync(join(soa, SERVICE), { recursive: true });
    const files: Record<string, string> = {
      "service.yaml": `description: the dashboard's Kubernetes test service\nexternal_link: https://example.org\ngit_url: ${repo}\n`,
      "monitoring.yaml": "team: kteam\n",
      "deploy.yaml": `pipeline:\n  - step: ${CLUSTER}.everything\n`,
      [`kubernetes-${CLUSTER}.yaml`]: `main:\n  cmd: node server.js\n  cpus: 0.1\n  mem: 64\n  instances: 2\n  deploy_group: ${CLUSTER}.everything\n`,
    };
    for (const [f, text] of Object.entries(files)) writeFileSync(join(soa, SERVICE, f), text);
    const r = paastaBin(["mark-for-deployment", "-s", SERVICE, "-c", sha, "-l", `${CLUSTER}.everything`], { env });
    expect(r.code, r.stderr).toBe(0);
    backend = new KubernetesBackend(kube, CLUSTER);
    await backend.observe();
    for (const app of desiredState(soa, loadSystemConfig(etc), CLUSTER).apps) await backend.apply(app);
    api = spawn(process.execPath, [BIN, "api", "--cluster", CLUSTER], { env, stdio: ["ignore", "pipe", "pipe"] });
    api.stdout?.on("data", (d: Buffer) => output.push(d.toString()));
    api.stderr?.on("data", (d: Buffer) => output.push(d.toString()));
    await until(
      () => getJson<{ deploy_status: string }>(`${url}/v1/services/${SERVICE}/main/status`),
      (s) => s.deploy_status === "Running",
      120_000,
    ).catch((e) => {
      throw new Error(`${(e as Error).message}\npaasta api output:\n${output.join("")}`);
    });
    browser = await startBrowser();
    page = await browser.newPage();
  }, 1_300_000);

  afterAll(async () => {
    await browser?.close();
    if (api && api.exitCode === null) {
      const exited = new Promise((r) => api?.once("exit", r));
      api.kill("SIGTERM");
      await exited;
    }
    if (backend) {
      await backend.remove({ service: SERVICE, instance: "main" }).catch(() => undefined);
      await kube.delete("v1", "Namespace", undefined, `paastasvc-${SERVICE}`).catch(() => undefined);
      await backend.close();
    }
    release?.();
  }, 120_000);

  it("paasta api prints the dashboard URL first", () => {
    expect(output.join("").split("\n")[0]).toBe(`Dashboard: ${url}/`);
  });

  it("home lists the service with its owner, Running and 2/2 healthy", async () => {
    await page.goto(`${url}/`);
    const row = `tr[data-instance="${SERVICE}.main"]`;
    await page.waitForSelector(row);
    expect(await page.textContent(`section[data-service="${SERVICE}"] .team`)).toBe("kteam");
    expect(await page.textContent(`${row} .pill`)).toBe("Running");
    expect(await page.textContent(`${row} td.num`)).toBe("2/2");
  });

  it("the instance page shows the version's pods with their health, and the deploy history", async () => {
    await page.goto(`${url}/services/${SERVICE}/main`);
    await page.waitForSelector(`#versions [data-version="${sha}"]`);
    const pods = await page.$$eval("#versions tr[data-task]", (rows) =>
      rows.map((r) => [r.getAttribute("data-task"), r.querySelector("[class^=task-]")?.textContent]),
    );
    expect(pods).toHaveLength(2);
    for (const [name, health] of pods) {
      expect(name).toMatch(new RegExp(`^${SERVICE}-main-`));
      expect(health).toBe("healthy");
    }
    expect(await page.textContent("#summary")).toContain("backend kubernetes");
    expect(await page.textContent(`#history tr[data-sha="${sha}"]`)).toContain("current");
  });
});
