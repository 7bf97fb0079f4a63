/**
 * The local runtime's state stays bounded (issue 10 items 7, 8), against the real runtime: `paasta up` as a
 * child process with housekeeping every second (PAASTA_HOUSEKEEPING_MS) and a short history (history_days),
 * real bounces from real git commits.
 *  7. a state file bloated by old history (as an older version left it: no auto_vacuum) shrinks: history is
 *     pruned by age, free pages are given back, the WAL is truncated;
 *  8. checkouts and task directories of old versions are deleted, keeping what runs and keep_versions
 *     recent checkouts (rollback); the disk use is reported on /metrics.
 */
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { paastaBin } from "../helpers/cli.js";
import {
  getJson,
  killTaskGroups,
  makeWorkspace,
  runtimeIdIfAny,
  startUp,
  type UpProcess,
  until,
  type Workspace,
} from "../helpers/runtime.js";

const KUBE = "main:\n  cmd: node server.js\n  instances: 1\n  deploy_group: dev.everything\n";
const HISTORY_DAYS = 3 / 86_400; // three seconds

const size = (p: string) => {
  try {
    return statSync(p).size;
  } catch {
    return 0;
  }
};

describe("bounded state", () => {
  let ws: Workspace;
  let up: UpProcess | undefined;
  const stateBytes = () => ["", "-wal", "-shm"].reduce((n, x) => n + size(join(ws.stateDir, `state.sqlite${x}`)), 0);
  const bounce = () =>
    getJson<{ deploy_status: string; active_shas: Array<[string, string]> }>(
      `${ws.api}/v1/services/hello/main/bounce_status`,
    );
  const deploy = async (n: number) => {
    const sha = ws.commit("hello", { VERSION: `${n}\n` });
    const r = paastaBin(["mark-for-deployment", "-s", "hello", "-c", sha, "-l", "dev.everything"], { env: ws.env });
    expect(r.code, r.stderr).toBe(0);
    await until(
      bounce,
      (b) => b.deploy_status === "Running" && b.active_shas.length === 1 && b.active_shas[0]?.[0] === sha,
      30_000,
    );
    return sha;
  };

  beforeAll(async () => {
    ws = await makeWorkspace({ hello: { "kubernetes-dev.yaml": KUBE } }, { env: { PAASTA_HOUSEKEEPING_MS: "1000" } });
    up = startUp(ws);
    await up.waitForOutput(/API: +http/);
    await deploy(1);
  }, 60_000);

  afterAll(async () => {
    await up?.kill("SIGTERM");
    killTaskGroups(runtimeIdIfAny(ws.stateDir));
    rmSync(ws.root, { recursive: true, force: true });
  });

  it("a state file bloated with old history shrinks back (pruned by age, vacuumed, WAL truncated)", async () => {
    // Default retention (7 days): these rows are from 1970.
    await up?.kill("SIGTERM");
    const db = new Database(join(ws.stateDir, "state.sqlite"));
    db.pragma("auto_vacuum = NONE"); // the file as an older version created it
    db.exec("VACUUM");
    const insert = db.prepare(
      `INSERT INTO tasks (id, service, instance, config_hash, git_sha, state, host, created_at, stopped_at, reason, log_dir)
       VALUES (?, 'hello', 'main', 'old', 'old', 'failed', '127.0.0.1', 1, 1, ?, '/nonexistent')`,
    );
    const reason = "x".repeat(10_000);
    db.transaction(() => {
      for (let i = 0; i < 3000; i++) insert.run(`old-${i}`, reason);
    })();
    db.pragma("wal_checkpoint(TRUNCATE)");
    db.close();
    const bloated = stateBytes();
    expect(bloated).toBeGreaterThan(25_000_000);
    up = startUp(ws);
    await up.waitForOutput(/API: +http/);
    const shrunk = await until(
      async () => stateBytes(),
      (n) => n < 2_000_000,
      30_000,
    );
    expect(shrunk).toBeLessThan(bloated / 10);
    const check = new Database(join(ws.stateDir, "state.sqlite"), { readonly: true });
    try {
      expect(check.prepare("SELECT COUNT(*) AS n FROM tasks WHERE id LIKE 'old-%'").get()).toEqual({ n: 0 });
    } finally {
      check.close();
    }
  }, 60_000);

  it("old checkouts and task directories are deleted; what runs and keep_versions checkouts stay", async () => {
    await up?.kill("SIGTERM");
    const path = join(ws.etc, "paasta.json");
    const cfg = JSON.parse(readFileSync(path, "utf8"));
    Object.assign(cfg.cluster_backends.dev, { history_days: HISTORY_DAYS, keep_versions: 2 });
    writeFileSync(path, JSON.stringify(cfg));
    up = startUp(ws);
    await up.waitForOutput(/API: +http/);
    const shas: string[] = [];
    for (let i = 2; i <= 9; i++) shas.push(await deploy(i));
    const artifacts = join(ws.stateDir, "artifacts", "hello");
    const tasks = join(ws.stateDir, "tasks");
    const left = await until(
      async () => ({ checkouts: readdirSync(artifacts).sort(), taskDirs: readdirSync(tasks) }),
      (l) => l.checkouts.length <= 3 && l.taskDirs.length === 1,
      30_000,
    );
    const running = shas[shas.length - 1] as string;
    expect(left.checkouts).toContain(running);
    expect(left.checkouts.length).toBe(3); // the running one and two recent ones to roll back to
    expect(left.taskDirs[0]).toMatch(new RegExp(`^main-${running.slice(0, 8)}-`));
    const metrics = await (await fetch(`${ws.api}/metrics`)).text();
    const total = /paasta_state_dir_bytes\{part="total"\} (\d+)/.exec(metrics)?.[1];
    expect(Number(total)).toBeGreaterThan(0);
    expect(metrics).toMatch(/paasta_state_dir_bytes\{part="artifacts"\} \d+/);
  }, 120_000);
});
