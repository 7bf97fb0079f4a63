// What both sides of bench/k8s share: the soa-configs tree (N/4 services × 4 instances, 1 replica each), the
// wait for every pod Ready on a SHA (read from a watched copy, no polling lists), a control plane of its own
// per side, and progress lines. Bench scripts only.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { REPO } from "../common.js";

export { REPO };
export const PER = 4;
export const CLUSTER = "kube";
export const sha = (n) => String(n).repeat(40).slice(0, 40);
export const svcName = (s) => `bench${String(s).padStart(4, "0")}`;
export const round = (x, d = 2) => Number(x.toFixed(d));
export const range = (xs) => [round(Math.min(...xs), 3), round(Math.max(...xs), 3)];

const started = performance.now();
/** Progress on stderr (stdout is the JSON): elapsed seconds and the phase. */
export const progress = (what) =>
  process.stderr.write(`bench/k8s +${((performance.now() - started) / 1000).toFixed(1)}s ${what}\n`);

/** `service.instance` of every instance, in order. */
export const serviceInstances = (services) =>
  Array.from({ length: services }, (_, s) => Array.from({ length: PER }, (_, i) => `${svcName(s)}.i${i}`)).flat();

/** Writes the tree (or only the deployments.json files, as mark-for-deployment would change them). */
export function writeTree(soa, services, gitSha, onlyDeployments = false) {
  for (let s = 0; s < services; s++) {
    const svc = svcName(s);
    const dir = join(soa, svc);
    if (!onlyDeployments) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "service.yaml"), `description: ${svc}\nexternal_link: x\n`);
      writeFileSync(join(dir, "monitoring.yaml"), "team: bench\n");
      writeFileSync(join(dir, "deploy.yaml"), `pipeline:\n  - step: ${CLUSTER}.everything\n`);
      const body = Array.from(
        { length: PER },
        (_, i) =>
          `i${i}:\n  cmd: run\n  cpus: 0.01\n  mem: 32\n  instances: 1\n  deploy_group: ${CLUSTER}.everything\n`,
      ).join("");
      writeFileSync(join(dir, `kubernetes-${CLUSTER}.yaml`), body);
    }
    const deployment = { docker_image: `services-${svc}:paasta-${gitSha}`, git_sha: gitSha, image_version: null };
    // controls as generate_deployments_for_service writes them (the original reads desired_state from there)
    const controls = Object.fromEntries(
      Array.from({ length: PER }, (_, i) => [
        `${svc}:${CLUSTER}.i${i}`,
        { desired_state: "start", force_bounce: null },
      ]),
    );
    writeFileSync(
      join(dir, "deployments.json"),
      JSON.stringify({ v1: {}, v2: { deployments: { [`${CLUSTER}.everything`]: deployment }, controls } }),
    );
  }
}

/** Resolves when `instances` managed Deployments run `gitSha` with all their pods Ready and no old pod left. */
export function allReady(cache, instances, gitSha) {
  const done = () => {
    const ws = cache.workloads();
    if (ws.length !== instances) return false;
    return ws.every((d) => {
      const want = d.spec?.replicas ?? 0;
      const st = d.status ?? {};
      return (
        d.metadata.labels?.["paasta.yelp.com/git_sha"] === gitSha &&
        (st.observedGeneration ?? 0) >= (d.metadata.generation ?? 0) &&
        (st.updatedReplicas ?? 0) === want &&
        (st.readyReplicas ?? 0) === want &&
        (st.replicas ?? 0) === want
      );
    });
  };
  return new Promise((resolve) => {
    let scheduled = false;
    const check = () => {
      scheduled = false;
      if (done()) {
        off();
        resolve();
      }
    };
    const off = cache.onChange(() => {
      if (!scheduled) setTimeout(check, 100);
      scheduled = true;
    });
    check();
  });
}

/**
 * A control plane of its own (scripts/testenv in a fresh PAASTA_TESTENV_DIR): `{ kubeconfig, down() }`. With
 * `dir` given (PAASTA_TESTENV_DIR set by the caller), that one is used and always left running.
 */
export function controlPlane(dir) {
  const envDir = dir ?? mkdtempSync(join(tmpdir(), "paasta-bench-k8s-env-"));
  const testenv = (verb) =>
    spawnSync(join(REPO, "scripts/testenv"), ["k8s", verb], {
      encoding: "utf8",
      env: { ...process.env, PAASTA_TESTENV_DIR: envDir },
      stdio: ["ignore", "pipe", "inherit"],
    });
  const up = testenv("up");
  if (up.status !== 0) throw new Error("scripts/testenv k8s up failed");
  const kubeconfig = up.stdout
    .trim()
    .split("\n")
    .pop()
    .replace(/^KUBECONFIG=/, "");
  return {
    kubeconfig,
    down(keep) {
      if (dir || keep) return;
      testenv("down");
      rmSync(envDir, { recursive: true, force: true });
    },
  };
}
