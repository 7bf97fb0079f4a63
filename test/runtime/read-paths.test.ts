/**
 * The read paths of a running cluster under bad input (issue 10 items 5, 6, 10), against the real runtime:
 * `paasta up` as a child process, real git repositories, the CLI as a child process.
 *  - a service whose config breaks stays visible (API and `paasta status`) with its running state and the
 *    located problem;
 *  - a new service in a repository that already deploys another one is deployed without a new tag;
 *  - an instance that was never marked names its real deploy group;
 *  - soa-configs that are missing or unreadable (as a non-root user) give catalogued errors: no stack traces
 *    from the CLI, 503 (never 500) from the API.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, chownSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, paastaBin, REPO } from "../helpers/cli.js";
import {
  getJson,
  killTaskGroups,
  makeWorkspace,
  runtimeIdIfAny,
  sleep,
  startUp,
  type UpProcess,
  until,
  type Workspace,
} from "../helpers/runtime.js";

const KUBE = "main:\n  cmd: node server.js\n  instances: 1\n  deploy_group: dev.everything\n";
const NOBODY = 65534;

/**
 * How the non-root checks run. As the current user when it is not root. As root: as nobody when nobody can
 * run this checkout, else (a checkout under a private home) as root without the capabilities that bypass file
 * permissions (setpriv), for which a chmod 000 directory is as unreadable as for any user.
 */
function nonRoot(): { uid?: number; gid?: number; prefix: string[] } {
  if (process.getuid?.() !== 0) return { prefix: [] };
  const probe = spawnSync(
    process.execPath,
    [
      "-e",
      `require("fs").accessSync(${JSON.stringify(BIN)}); require(${JSON.stringify(join(REPO, "node_modules/better-sqlite3"))})`,
    ],
    { uid: NOBODY, gid: NOBODY, stdio: "ignore" },
  );
  if (probe.status === 0) return { uid: NOBODY, gid: NOBODY, prefix: [] };
  return { prefix: ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"] };
}
const asUser = nonRoot();

interface Status {
  deploy_status: string;
  versions: Array<{ replicas: number; tasks: Array<{ id: string; state: string }> }>;
  config_problems?: string[];
}

function chownTree(path: string, uid: number, gid: number): void {
  chownSync(path, uid, gid);
  if (!statSync(path).isDirectory()) return;
  for (const e of readdirSync(path)) chownTree(join(path, e), uid, gid);
}

/** Runs the CLI as `asUser` (a non-root user), from the workspace root. */
function cliAs(ws: Workspace, args: string[]) {
  const [command, ...prefix] = [...asUser.prefix, process.execPath];
  const r = spawnSync(command as string, [...prefix, BIN, ...args], {
    cwd: ws.root,
    encoding: "utf8",
    env: { ...ws.env, HOME: ws.root },
    uid: asUser.uid,
    gid: asUser.gid,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe("read paths under bad input", () => {
  let ws: Workspace;
  let up: UpProcess | undefined;
  const mark = (service: string, sha: string, group = "dev.everything") => {
    const r = paastaBin(["mark-for-deployment", "-s", service, "-c", sha, "-l", group], { env: ws.env });
    expect(r.code, r.stdout + r.stderr).toBe(0);
  };
  const status = (service: string) => getJson<Status>(`${ws.api}/v1/services/${service}/main/status`);

  beforeAll(async () => {
    ws = await makeWorkspace({
      alpha: { "kubernetes-dev.yaml": KUBE },
      beta: { "kubernetes-dev.yaml": KUBE },
      delta: { "kubernetes-dev.yaml": "main:\n  cmd: node server.js\n  deploy_group: dev.never\n" },
    });
    // Git work as this user first: git refuses repositories another user owns.
    mark("alpha", ws.commit("alpha", { VERSION: "1\n" }));
    mark("beta", ws.commit("beta", { VERSION: "1\n" }));
    chmodSync(ws.root, 0o755);
    if (asUser.uid !== undefined) chownTree(ws.root, NOBODY, NOBODY);
    up = startUp(ws, [], "dev", { ...asUser, env: { HOME: ws.root } });
    await up.waitForOutput(/API: +http/);
    await until(
      () => status("alpha"),
      (s) => s.deploy_status === "Running",
    );
    await until(
      () => status("beta"),
      (s) => s.deploy_status === "Running",
    );
  }, 90_000);

  afterAll(async () => {
    await up?.kill("SIGTERM");
    killTaskGroups(runtimeIdIfAny(ws.stateDir));
    rmSync(ws.root, { recursive: true, force: true });
  });

  it("a new service in a repository that already deploys another is deployed without a new tag", async () => {
    await sleep(7000); // the git poller (every 3 s) has read alpha's repository since its last tag
    const dir = join(ws.soa, "gamma");
    mkdirSync(dir);
    writeFileSync(
      join(dir, "service.yaml"),
      "description: gamma\nexternal_link: https://example.org\ngit_url: ../../repos/alpha\n",
    );
    writeFileSync(join(dir, "monitoring.yaml"), "team: test\n");
    writeFileSync(join(dir, "deploy.yaml"), "pipeline:\n  - step: dev.everything\n");
    writeFileSync(join(dir, "kubernetes-dev.yaml"), KUBE);
    if (asUser.uid !== undefined) chownTree(dir, NOBODY, NOBODY);
    const s = await until(
      () => status("gamma"),
      (s) => s.deploy_status === "Running",
      30_000,
    );
    expect(s.versions[0]?.replicas).toBe(1);
  }, 60_000);

  it("an instance never marked for deployment names its real deploy group", async () => {
    const res = await fetch(`${ws.api}/v1/services/delta/main/status`);
    expect(res.status).toBe(404);
    const body = (await res.json()) as { code: string; message: string };
    expect(body.code).toBe("PAASTA_NOT_DEPLOYED");
    expect(body.message).toContain("deploy group dev.never was never marked");
  });

  it("a service whose config breaks stays visible with its running state and the located problem", async () => {
    const before = await status("alpha");
    const task = before.versions[0]?.tasks[0]?.id;
    writeFileSync(join(ws.soa, "alpha", "kubernetes-dev.yaml"), "main:\n  cmd: [node\n  instances: 1\n");
    await up?.waitForOutput(/alpha: config has \d+ problem\(s\), left as it runs/, 15_000);
    const list = await getJson<{ services: Array<[string, string]> }>(`${ws.api}/v1/services`);
    expect(list.services).toContainEqual(["alpha", "main"]);
    expect(list.services).toContainEqual(["beta", "main"]);
    const one = await getJson<{ instances: string[] }>(`${ws.api}/v1/services/alpha`);
    expect(one.instances).toEqual(["main"]);
    const s = await status("alpha");
    expect(s.deploy_status).toBe("Running");
    expect(s.versions[0]?.tasks[0]?.id).toBe(task);
    expect(s.config_problems?.[0]).toMatch(/^alpha\/kubernetes-dev\.yaml:\d+:\d+/);
    const cli = paastaBin(["status", "-s", "alpha", "-v"], { env: ws.env });
    expect(cli.code, cli.stdout + cli.stderr).toBe(0);
    expect(cli.stdout).toContain("State: Running");
    expect(cli.stdout).toContain(task);
    expect(cli.stdout).toMatch(/config problem \(left as it runs\): alpha\/kubernetes-dev\.yaml:\d+/);
  }, 30_000);

  it("an unreadable service directory: catalogued errors from list and validate, and the API answers", async () => {
    chmodSync(join(ws.soa, "beta"), 0o000);
    try {
      for (const args of [
        ["list", "-d", ws.soa],
        ["validate", "-s", "beta", "-d", ws.soa],
      ]) {
        const r = cliAs(ws, args);
        expect(r.code, r.stdout + r.stderr).toBe(2);
        expect(r.stderr).toContain(`cannot read ${join(ws.soa, "beta")}: permission denied [PAASTA_SOA_UNREADABLE]`);
        expect(r.stderr).not.toMatch(/\n\s+at /);
      }
      const res = await fetch(`${ws.api}/v1/services/beta/main/status`);
      expect(res.status).toBe(200); // what runs is still known
      const list = await getJson<{ services: Array<[string, string]> }>(`${ws.api}/v1/services`);
      expect(list.services).toContainEqual(["beta", "main"]); // it still runs
      expect(list.services).toContainEqual(["gamma", "main"]);
      const one = await fetch(`${ws.api}/v1/services/beta`);
      expect(one.status).toBe(503);
      expect(((await one.json()) as { code: string }).code).toBe("PAASTA_SOA_UNREADABLE");
    } finally {
      chmodSync(join(ws.soa, "beta"), 0o755);
    }
  });

  it("an unreadable or missing soa-configs tree: catalogued errors, 503 from the API, never 500", async () => {
    chmodSync(ws.soa, 0o000);
    try {
      for (const args of [
        ["list", "-d", ws.soa],
        ["validate", "-d", ws.soa],
        ["list-clusters", "-d", ws.soa],
      ]) {
        const r = cliAs(ws, args);
        expect(r.code, r.stdout + r.stderr).toBe(2);
        expect(r.stderr).toContain(`cannot read ${ws.soa}: permission denied [PAASTA_SOA_UNREADABLE]`);
        expect(r.stderr).not.toMatch(/\n\s+at /);
      }
      for (const path of ["/v1/services", "/v1/services/alpha", "/v1/services/alpha/logs"]) {
        const res = await fetch(`${ws.api}${path}`);
        expect(res.status, path).toBe(503);
        expect(((await res.json()) as { code: string }).code).toBe("PAASTA_SOA_UNREADABLE");
      }
    } finally {
      chmodSync(ws.soa, 0o755);
    }
    const moved = `${ws.soa}.moved`;
    renameSync(ws.soa, moved);
    try {
      const res = await fetch(`${ws.api}/v1/services`);
      expect(res.status).toBe(503);
      expect(((await res.json()) as { code: string }).code).toBe("PAASTA_SOA_DIR_MISSING");
      const r = cliAs(ws, ["list", "-d", ws.soa]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("[PAASTA_SOA_DIR_MISSING]");
    } finally {
      renameSync(moved, ws.soa);
    }
    const s = await status("beta");
    expect(s.deploy_status).toBe("Running"); // nothing was touched meanwhile
  });
});
