#!/usr/bin/env node
// bench/state: the local runtime's state dir stays bounded (issue 10 items 7, 8). 200 crossover bounces of
// one service (a new git commit marked for deployment each time, the real CLI, `paasta up` with its default
// housekeeping: once a minute, 7 days of history, 3 checkouts kept for rollback). Samples the state dir's size
// after each bounce; targets: < 50 MB after 200 bounces, and constant (within housekeeping's sawtooth) after
// the first 20. BENCH_BOUNCES changes the count. Prints one JSON object.
import { spawn, spawnSync } from "node:child_process";
import { cpSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BIN, git, localCluster, REPO, until as untilEvery } from "./common.js";

const until = (fn, ok, timeoutMs) => untilEvery(fn, ok, timeoutMs, 50);

const BOUNCES = Number(process.env.BENCH_BOUNCES ?? 200);

/** Bytes under a path (symbolic links not followed). */
function bytes(path) {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.size;
  return readdirSync(path).reduce((n, e) => n + bytes(join(path, e)), 0);
}
const count = (dir) => {
  try {
    return readdirSync(dir).length;
  } catch {
    return 0;
  }
};

async function workspace() {
  const root = mkdtempSync(join(tmpdir(), "paasta-bench-state-"));
  const soa = join(root, "soa");
  const repo = join(root, "repos/hello");
  cpSync(join(REPO, "examples/services/hello"), repo, { recursive: true });
  git(["init", "-q", "-b", "main", repo]);
  git(["add", "-A"], repo);
  git(["commit", "-q", "-m", "one"], repo);
  mkdirSync(join(soa, "hello"), { recursive: true });
  const files = {
    "service.yaml": `description: hello\nexternal_link: x\ngit_url: ${repo}\n`,
    "monitoring.yaml": "team: bench\n",
    "deploy.yaml": "pipeline:\n  - step: dev.everything\n",
    "kubernetes-dev.yaml":
      "main:\n  cmd: node server.js\n  instances: 1\n  deploy_group: dev.everything\n  healthcheck_mode: http\n  healthcheck_uri: /status\n  healthcheck_grace_period_seconds: 0.2\n  healthcheck_interval_seconds: 0.3\n",
  };
  for (const [f, content] of Object.entries(files)) writeFileSync(join(soa, "hello", f), content);
  const { env, stateDir, cache, api } = await localCluster(root, soa);
  return { root, repo, env, stateDir, cache, api };
}

const ws = await workspace();
const up = spawn(process.execPath, [BIN, "up", "--cluster", "dev"], { env: ws.env, stdio: "ignore" });
const result = { bench: "state", bounces: BOUNCES };
const samples = [];
try {
  const started = performance.now();
  for (let i = 1; i <= BOUNCES; i++) {
    writeFileSync(join(ws.repo, "VERSION"), `${i}\n`);
    git(["add", "-A"], ws.repo);
    git(["commit", "-q", "-m", `v${i}`], ws.repo);
    const sha = git(["rev-parse", "HEAD"], ws.repo);
    const r = spawnSync(
      process.execPath,
      [BIN, "mark-for-deployment", "-s", "hello", "-c", sha, "-l", "dev.everything"],
      {
        env: ws.env,
        encoding: "utf8",
      },
    );
    if (r.status !== 0) throw new Error(r.stderr);
    await until(
      async () => (await fetch(`${ws.api}/v1/services/hello/main/bounce_status`)).json(),
      (b) => b.deploy_status === "Running" && b.active_shas.length === 1 && b.active_shas[0][0] === sha,
      60_000,
    );
    samples.push(bytes(ws.stateDir));
    if (i === 1) result.git_cache_bytes_after_1 = bytes(ws.cache);
  }
  result.seconds = Number(((performance.now() - started) / 1000).toFixed(1));
  const mb = (n) => Number((n / 1024 / 1024).toFixed(2));
  const after20 = samples.slice(19);
  result.state_dir_mb = Object.fromEntries(
    [1, 20, 50, 100, 150, 200].filter((n) => n <= BOUNCES).map((n) => [`after_${n}`, mb(samples[n - 1])]),
  );
  result.state_dir_mb_after_20 = { min: mb(Math.min(...after20)), max: mb(Math.max(...after20)) };
  result.state_dir_target_mb = 50;
  result.checkouts = count(join(ws.stateDir, "artifacts/hello"));
  result.task_dirs = count(join(ws.stateDir, "tasks"));
  result.sqlite_bytes = bytes(join(ws.stateDir, "state.sqlite"));
  result.wal_bytes = bytes(join(ws.stateDir, "state.sqlite-wal"));
  result.logs_bytes = bytes(join(ws.stateDir, "logs"));
  result.git_cache_bytes = bytes(ws.cache);
} finally {
  up.kill("SIGTERM");
  await new Promise((r) => up.on("exit", r));
  rmSync(ws.root, { recursive: true, force: true });
}
console.log(JSON.stringify(result));
