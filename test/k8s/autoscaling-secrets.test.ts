/**
 * Secrets and autoscaling overrides on the real Kubernetes API server (scripts/testenv: etcd, kube-apiserver,
 * controller-manager with the HPA controller, kwok nodes). The control plane is shared with other suites: this
 * file applies only its own apps (never a whole pass, whose cleanup would see everyone's), in its own
 * namespaces, and removes exactly what it created.
 *
 * - `paasta secret add` for two services: a Secret per service secret, labelled and annotated with the
 *   signature, holding the value; the pod template references it. `update` rewrites it and bounces that app.
 * - A missing secret holds its instance; an undecryptable one fails its apply; both leave the workload as it runs.
 * - Overrides through `paasta api` (a real HTTP server) and `paasta autoscale`: the deployd side of the
 *   autoscaler (AutoscalerComponent without local powers) notices the change and the expiry and re-applies;
 *   the HPA's min/max follow, the HPA controller acts on them, and the pause removes the HPA.
 * - The plaintext is in no status, API answer or dry run.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMetrics } from "../../src/api/metrics.js";
import type { Kube } from "../../src/backends/kubernetes/client.js";
import { KubernetesBackend } from "../../src/backends/kubernetes/index.js";
import type { LiveState } from "../../src/backends/kubernetes/live.js";
import { cleanupSecrets } from "../../src/backends/kubernetes/secrets.js";
import { loadSystemConfig, type SystemConfig } from "../../src/config/system.js";
import type { AutoscalingRecord } from "../../src/model/autoscaling.js";
import { desiredState } from "../../src/reconcile/desired.js";
import { AutoscalerComponent } from "../../src/runtime/autoscaler/index.js";
import { autoscalingRecordName } from "../../src/runtime/autoscaler/store.js";
import { EventBus } from "../../src/runtime/events.js";
import { SecretSource } from "../../src/secrets/source.js";
import { ageEncrypt, ageKeygen, writeSecretsSystemConfig } from "../helpers/age.js";
import { BIN, paastaBin, tempDir } from "../helpers/cli.js";
import { git } from "../helpers/git.js";
import { ensureK8s, exclusiveK8s, kubeClient } from "../helpers/k8s.js";
import { freePort, getJson, until } from "../helpers/runtime.js";

type Obj = {
  metadata: {
    name: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    generation?: number;
  };
  spec?: any;
  data?: Record<string, string>;
};
/** What identifies a workload as written (its status changes all the time, its generation only when we write). */
const written = (o: Obj | undefined) =>
  `${o?.metadata.generation}:${o?.metadata.labels?.["paasta.yelp.com/config_sha"]}`;

const TAG = Math.random().toString(36).slice(2, 7);
const CLUSTER = `kas${TAG}`;
const SCALED = `ascale${TAG}`;
const FIXED = `afixed${TAG}`;
const VALUE = `kube-plaintext-${TAG}`;
const ROTATED = `kube-rotated-${TAG}`;
const TOKEN = "k-token";
const nsOf = (svc: string) => `paastasvc-${svc}`;
const INSTANCE = (svc: string, secret = "db_password") => `main:
  cmd: node server.js
  cpus: 0.1
  mem: 64
${svc === SCALED ? "  min_instances: 1\n  max_instances: 3\n" : "  instances: 1\n"}  deploy_group: ${CLUSTER}.everything
  env:
    DB_PASSWORD: SECRET(${secret})
`;

describe("secrets and autoscaling overrides on Kubernetes", () => {
  let kube: Kube;
  let backend: KubernetesBackend;
  let system: SystemConfig;
  let soa: string;
  let env: NodeJS.ProcessEnv;
  let api: { url: string; child: ChildProcess } | undefined;
  let autoscaler: AutoscalerComponent | undefined;
  const outputs: string[] = [];
  const cli = (args: string[], input?: string) => {
    const r = paastaBin(args, { env, input });
    outputs.push(r.stdout, r.stderr);
    return r;
  };
  /** What a pass does for this file's apps only: observe, then apply each with the overrides of `record`. */
  const applyMine = async (record?: AutoscalingRecord) => {
    await backend.observe();
    const d = desiredState(soa, system, CLUSTER, { autoscaling: record });
    for (const app of d.apps) await backend.apply(app);
    return d;
  };
  const secret = (svc: string) => kube.get<Obj>("v1", "Secret", nsOf(svc), `${nsOf(svc)}-secret-${svc}-db--password`);
  const deployment = (svc: string) => kube.get<Obj>("apps/v1", "Deployment", nsOf(svc), `${svc}-main`);
  const hpa = () => kube.get<Obj>("autoscaling/v2", "HorizontalPodAutoscaler", nsOf(SCALED), `${SCALED}-main`);
  const decode = (o: Obj | undefined) => Buffer.from(o?.data?.db_password ?? "", "base64").toString();

  let release: (() => void) | undefined;

  beforeAll(async () => {
    const kubeconfig = ensureK8s();
    release = await exclusiveK8s(); // one test file's apps at a time on the shared control plane
    kube = await kubeClient();
    const root = tempDir("paasta-k8s-secrets-");
    soa = join(root, "soa");
    const etc = join(root, "etc");
    mkdirSync(etc);
    const key = ageKeygen(join(root, "keys"), "kas");
    writeFileSync(
      join(etc, "paasta.json"),
      JSON.stringify({
        cluster: CLUSTER,
        clusters: [CLUSTER],
        soa_dir: soa,
        docker_registry: "registry.example.org",
        api_endpoints: { [CLUSTER]: `http://127.0.0.1:${await freePort()}` },
        api_auth_token: TOKEN,
        cluster_backends: { [CLUSTER]: { type: "kubernetes", kubeconfig } },
      }),
    );
    writeSecretsSystemConfig(etc, { [CLUSTER]: { recipients: [key.recipient], identity_file: key.identityFile } });
    env = { ...process.env, PAASTA_SYSTEM_CONFIG_DIR: etc, NO_COLOR: "1" };
    system = loadSystemConfig(etc);
    for (const svc of [SCALED, FIXED]) {
      const repo = join(root, "repos", svc);
      mkdirSync(repo, { recursive: true });
      git(["init", "-q", "-b", "main", repo]);
      writeFileSync(join(repo, "server.js"), "// a service\n");
      git(["add", "-A"], repo);
      git(["commit", "-q", "-m", "one"], repo);
      mkdirSync(join(soa, svc), { recursive: true });
      writeFileSync(join(soa, svc, "service.yaml"), `description: ${svc}\nexternal_link: x\ngit_url: ${repo}\n`);
      writeFileSync(join(soa, svc, "monitoring.yaml"), "team: t\n");
      writeFileSync(join(soa, svc, "deploy.yaml"), `pipeline:\n  - step: ${CLUSTER}.everything\n`);
      writeFileSync(join(soa, svc, `kubernetes-${CLUSTER}.yaml`), INSTANCE(svc));
      const sha = git(["rev-parse", "HEAD"], repo);
      expect(cli(["mark-for-deployment", "-s", svc, "-c", sha, "-l", `${CLUSTER}.everything`]).code).toBe(0);
      const r = cli(["secret", "add", "-s", svc, "-n", "db_password", "-i", "-y", soa], VALUE);
      expect(r.stderr).toBe("");
    }
    backend = new KubernetesBackend(kube, CLUSTER);
    backend.useSecrets(new SecretSource(soa, system).preload());
    await applyMine();
  }, 1_300_000);

  afterAll(async () => {
    await autoscaler?.stop();
    if (api && api.child.exitCode === null) {
      const exited = new Promise((r) => api?.child.once("exit", r));
      api.child.kill("SIGTERM");
      await exited;
    }
    if (backend) {
      for (const service of [SCALED, FIXED]) await backend.remove({ service, instance: "main" }).catch(() => undefined);
      for (const service of [SCALED, FIXED]) await kube.delete("v1", "Namespace", undefined, nsOf(service));
      await kube.delete("v1", "ConfigMap", "paasta-system", `paasta-record-${autoscalingRecordName(CLUSTER)}`);
      kube.close();
    }
    release?.();
  }, 120_000);

  it("a Secret per service secret, labelled as ours, annotated with the signature; the pods reference it", async () => {
    for (const svc of [SCALED, FIXED]) {
      const s = await secret(svc);
      expect(decode(s)).toBe(VALUE);
      expect(s?.metadata.labels).toMatchObject({ "paasta.yelp.com/managed": "true", "paasta.yelp.com/service": svc });
      const file = JSON.parse(readFileSync(join(soa, svc, "secrets/db_password.json"), "utf8"));
      expect(s?.metadata.annotations?.["paasta.yelp.com/secret_signature"]).toBe(file.environments[CLUSTER].signature);
      const container = (await deployment(svc))?.spec.template.spec.containers[0];
      expect(container.env.find((e: { name: string }) => e.name === "DB_PASSWORD").valueFrom.secretKeyRef).toEqual({
        key: "db_password",
        name: s?.metadata.name,
        optional: false,
      });
    }
    expect((await hpa())?.spec).toMatchObject({ minReplicas: 1, maxReplicas: 3 });
  });

  it("update rewrites that Secret and bounces that app (new config_sha); the other is untouched", async () => {
    const fixedBefore = await deployment(FIXED);
    const before = await deployment(SCALED);
    expect(cli(["secret", "update", "-s", SCALED, "-n", "db_password", "-i", "-y", soa], ROTATED).code).toBe(0);
    await applyMine();
    expect(decode(await secret(SCALED))).toBe(ROTATED);
    const after = await deployment(SCALED);
    expect(after?.metadata.labels?.["paasta.yelp.com/config_sha"]).not.toBe(
      before?.metadata.labels?.["paasta.yelp.com/config_sha"],
    );
    expect(written(await deployment(FIXED))).toBe(written(fixedBefore));
    expect(decode(await secret(FIXED))).toBe(VALUE);
  });

  it("an undecryptable value fails that app's apply and leaves it as it runs; a missing secret holds it", async () => {
    const file = join(soa, SCALED, "secrets/db_password.json");
    const good = readFileSync(file, "utf8");
    const other = ageKeygen(join(soa, "..", "other-key"), "other");
    const data = JSON.parse(good);
    data.environments[CLUSTER] = { ciphertext: ageEncrypt("x", other.recipient) };
    writeFileSync(file, JSON.stringify(data));
    try {
      const before = await deployment(SCALED);
      const app = desiredState(soa, system, CLUSTER).apps.find((a) => a.service === SCALED);
      await expect(backend.apply(app as NonNullable<typeof app>)).rejects.toThrow(/cannot be decrypted/);
      expect(written(await deployment(SCALED))).toBe(written(before));
      expect(decode(await secret(SCALED))).toBe(ROTATED);
    } finally {
      writeFileSync(file, good);
    }
    const fixedFile = join(soa, FIXED, `kubernetes-${CLUSTER}.yaml`);
    writeFileSync(fixedFile, INSTANCE(FIXED, "missing_one"));
    try {
      const fixedBefore = await deployment(FIXED);
      const d = await applyMine();
      expect(d.held).toEqual([
        { service: FIXED, instance: "main", reason: expect.stringMatching(/SECRET\(missing_one\)/) },
      ]);
      expect(written(await deployment(FIXED))).toBe(written(fixedBefore));
    } finally {
      writeFileSync(fixedFile, INSTANCE(FIXED));
    }
  });

  it("Secrets no app uses any more are cleaned up; referenced ones are kept", async () => {
    // Only this file's namespaces are looked at (other suites share the control plane).
    const mine = (l: LiveState): LiveState => ({
      ...l,
      all: (kind) => l.all(kind).filter((o) => [nsOf(SCALED), nsOf(FIXED)].includes(o.metadata.namespace ?? "")),
      get: l.get.bind(l),
      copies: l.copies.bind(l),
      hasNamespace: l.hasNamespace.bind(l),
      noteApplied: l.noteApplied.bind(l),
      noteDeleted: l.noteDeleted.bind(l),
    });
    await backend.observe(); // a fresh snapshot of what runs
    const live = mine((backend as unknown as { live: LiveState }).live);
    const apps = desiredState(soa, system, CLUSTER).apps;
    expect(await cleanupSecrets(kube, live, apps, new Set())).toEqual([]);
    // FIXED stops referring to its secret: once its workload no longer does either, the Secret goes.
    writeFileSync(join(soa, FIXED, `kubernetes-${CLUSTER}.yaml`), INSTANCE(FIXED).replace(/ {2}env:\n.*\n/, ""));
    const next = await applyMine();
    await backend.observe();
    const removed = await cleanupSecrets(
      kube,
      mine((backend as unknown as { live: LiveState }).live),
      next.apps,
      new Set(),
    );
    expect(removed).toEqual([`${nsOf(FIXED)}/${nsOf(FIXED)}-secret-${FIXED}-db--password`]);
    await until(
      () => secret(FIXED),
      (s) => s === undefined,
      30_000,
    );
    expect(decode(await secret(SCALED))).toBe(ROTATED);
  });

  it("an override through the API changes the HPA's min/max; the HPA controller acts on it; it expires back", async () => {
    // `paasta api` as its own process (the CLI calls below block this one while they run)
    const child = spawn(process.execPath, [BIN, "api", "--cluster", CLUSTER], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const said: string[] = [];
    child.stdout?.on("data", (d: Buffer) => said.push(d.toString()));
    child.stderr?.on("data", (d: Buffer) => said.push(d.toString()));
    api = { child, url: system.apiEndpoint(CLUSTER) };
    await until(
      async () => said.join(""),
      (t) => /paasta api: cluster/.test(t),
      30_000,
    );
    // deployd's side: the autoscaler component on a backend without local powers, re-applying this file's apps
    const ctx = {
      cluster: CLUSTER,
      soaDir: soa,
      system,
      backend,
      log: { write: () => {} },
      events: new EventBus(),
      metrics: createMetrics(),
      version: "test",
      env,
    };
    let applies = 0;
    autoscaler = new AutoscalerComponent(ctx, {
      intervalSeconds: 1,
      onControlsChanged: () => {
        applies++;
        void applyMine(autoscaler?.record()).catch((e: unknown) =>
          outputs.push(`apply failed: ${(e as Error).message}`),
        );
      },
    });
    await autoscaler.start();
    expect(autoscaler.decidesLocally).toBe(false);
    const out = cli([
      "autoscale",
      "-s",
      SCALED,
      "-i",
      "main",
      "-c",
      CLUSTER,
      "--set-min",
      "4",
      "--set-max",
      "5",
      "--for",
      "15s",
    ]);
    expect(out.stderr).toBe("");
    expect(out.stdout).toMatch(/min 4, max 5 until/);
    await until(hpa, (h) => h?.spec.minReplicas === 4 && h?.spec.maxReplicas === 5, 20_000);
    const shown = await getJson<{ min: number; max: number; override: unknown }>(
      `${api.url}/v1/services/${SCALED}/main/autoscaler`,
    );
    expect(shown).toMatchObject({ min: 4, max: 5, override: { min_instances: 4, max_instances: 5 } });
    const status = cli(["status", "-s", SCALED, "-c", CLUSTER, "-v"]);
    expect(status.stdout).toMatch(/Autoscaling \(proportional\): \d → \d replica\(s\) \(min 4, max 5\)/);
    // the HPA controller enforces its new min (the workload started at max_instances, 3)
    await until(
      () => deployment(SCALED),
      (d) => d?.spec.replicas === 4,
      60_000,
    );
    // expired: the config's bounds again, and the controller brings the count back under max_instances
    await until(hpa, (h) => h?.spec.minReplicas === 1 && h?.spec.maxReplicas === 3, 30_000);
    await until(
      () => deployment(SCALED),
      (d) => d?.spec.replicas === 3,
      60_000,
    );
    expect(applies).toBeGreaterThanOrEqual(2);
  }, 150_000);

  it("the pause removes the HPA (the count stays) and resuming brings it back", async () => {
    const paused = cli(["pause_service_autoscaler", "-c", CLUSTER, "-d", "10"]);
    expect(paused.stdout).toMatch(/paused until/);
    await until(hpa, (h) => h === undefined, 20_000);
    expect((await deployment(SCALED))?.spec.replicas).toBeGreaterThanOrEqual(1);
    cli(["pause_service_autoscaler", "-c", CLUSTER, "-r"]);
    await until(hpa, (h) => h?.spec.minReplicas === 1, 20_000);
  }, 60_000);

  it("the plaintexts are in no API answer, status or dry run", async () => {
    const texts = [...outputs];
    for (const path of [`/v1/services/${SCALED}/main/status`, `/v1/services/${SCALED}/main/autoscaler`, "/metrics"])
      texts.push(await (await fetch(`${api?.url}${path}`)).text());
    for (const args of [
      ["status", "-s", SCALED, "-c", CLUSTER, "-vv", "--json"],
      ["reconcile", "--cluster", CLUSTER, "--dry-run"],
    ]) {
      const r = cli(args);
      texts.push(r.stdout, r.stderr);
    }
    for (const v of [VALUE, ROTATED]) expect(texts.filter((t) => t.includes(v))).toEqual([]);
  }, 60_000);
});
