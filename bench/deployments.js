#!/usr/bin/env node
// bench/deployments: `paasta generate-deployments` for a service whose repository has 10,000 deploy tags
// across 20 deploy groups and 200 start/stop tags (40 instances on 2 clusters). The real CLI, a real bare
// repository on disk. Prints JSON; target ≤ 0.5 s (issue 3).
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const TAGS = 10_000;
const GROUPS = 20;
const CONTROL = 200;
const root = mkdtempSync(join(tmpdir(), "paasta-bench-deployments-"));
const env = {
  ...process.env,
  GIT_AUTHOR_NAME: "b",
  GIT_AUTHOR_EMAIL: "b@example.org",
  GIT_COMMITTER_NAME: "b",
  GIT_COMMITTER_EMAIL: "b@example.org",
};
const git = (args, cwd) => execFileSync("git", args, { cwd, env, encoding: "utf8" }).trim();

const bare = join(root, "remote.git");
const work = join(root, "work");
git(["init", "-q", "--bare", bare]);
git(["init", "-q", work]);
const shas = [];
for (let i = 0; i < 10; i++) {
  writeFileSync(join(work, "f"), String(i));
  git(["add", "f"], work);
  git(["commit", "-q", "-m", `c${i}`], work);
  shas.push(git(["rev-parse", "HEAD"], work));
}
git(["push", "-q", bare, "HEAD:refs/heads/main"], work);

// 10,000 deploy tags (500 per group, one per minute) and 200 start/stop tags, written as packed refs.
const lines = ["# pack-refs with: peeled fully-peeled sorted "];
const stamp = (n) => {
  const d = new Date(Date.UTC(2024, 0, 1) + n * 60_000);
  const p = (x, w = 2) => String(x).padStart(w, "0");
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}T${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
};
const refs = [];
for (let i = 0; i < TAGS; i++)
  refs.push([`refs/tags/paasta-dg${String(i % GROUPS).padStart(2, "0")}-${stamp(i)}-deploy`, shas[i % shas.length]]);
for (let i = 0; i < CONTROL; i++) {
  const inst = `i${String(i % 40).padStart(2, "0")}`;
  refs.push([
    `refs/tags/paasta-c${i % 2}.${inst}-${stamp(TAGS + i)}-${i % 3 === 0 ? "stop" : "start"}`,
    shas[i % shas.length],
  ]);
}
refs.sort((a, b) => (a[0] < b[0] ? -1 : 1));
for (const [ref, sha] of refs) lines.push(`${sha} ${ref}`);
writeFileSync(join(bare, "packed-refs"), `${lines.join("\n")}\n`);

const soa = join(root, "soa");
const svc = join(soa, "bench");
mkdirSync(svc, { recursive: true });
writeFileSync(join(svc, "service.yaml"), `description: bench\nexternal_link: x\ngit_url: ${bare}\n`);
writeFileSync(join(svc, "monitoring.yaml"), "team: bench\n");
writeFileSync(
  join(svc, "deploy.yaml"),
  `pipeline:\n${Array.from({ length: GROUPS }, (_, g) => `  - step: dg${String(g).padStart(2, "0")}\n`).join("")}`,
);
for (const c of ["c0", "c1"]) {
  const body = Array.from(
    { length: 40 },
    (_, i) => `i${String(i).padStart(2, "0")}:\n  cmd: run\n  deploy_group: dg${String(i % GROUPS).padStart(2, "0")}\n`,
  ).join("");
  writeFileSync(join(svc, `kubernetes-${c}.yaml`), body);
}

const bin = new URL("../bin/paasta.js", import.meta.url).pathname;
const runEnv = {
  ...process.env,
  PAASTA_SYSTEM_CONFIG_DIR: join(root, "no-etc"),
  PAASTA_CACHE_DIR: join(root, "cache"),
};
const runs = [];
let last;
for (let i = 0; i < 5; i++) {
  if (i > 0) rmSync(join(svc, "deployments.json"), { force: true });
  const t0 = process.hrtime.bigint();
  last = spawnSync(process.execPath, [bin, "generate-deployments", "-s", "bench", "-d", soa], {
    env: runEnv,
    encoding: "utf8",
  });
  runs.push(Number(process.hrtime.bigint() - t0) / 1e9);
  if (last.status !== 0) break;
}
const t0 = process.hrtime.bigint();
spawnSync(process.execPath, [bin, "--version"], { env: runEnv });
const startup = Number(process.hrtime.bigint() - t0) / 1e9;
rmSync(root, { recursive: true, force: true });
const median = [...runs].sort((a, b) => a - b)[Math.floor(runs.length / 2)];
console.log(
  JSON.stringify({
    bench: "deployments",
    tags: TAGS + CONTROL,
    deploy_groups: GROUPS,
    instances: 80,
    seconds_median: Number(median.toFixed(3)),
    seconds_runs: runs.map((r) => Number(r.toFixed(3))),
    node_startup_seconds: Number(startup.toFixed(3)),
    target_seconds: 0.5,
    ratio_to_target: Number((median / 0.5).toFixed(3)),
    exit_code: last.status,
  }),
);
if (last.status !== 0) {
  console.error(last.stderr);
  process.exit(1);
}
