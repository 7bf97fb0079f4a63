#!/usr/bin/env node
// `npm test`: builds the CLI, prepares the real test environments (each `scripts/testenv*` builds or installs
// what it needs once, cached outside the repository, and says exactly what is missing when it cannot), runs
// the whole suite, then stops the environments this run started. The last line is `N passed, N failed`.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const run = (cmd, args, opts = {}) => spawnSync(cmd, args, { stdio: "inherit", cwd: root, ...opts }).status ?? 1;
const quiet = (cmd, args) => spawnSync(cmd, args, { stdio: "ignore", cwd: root }).status ?? 1;

if (run("npx", ["tsc", "-p", "tsconfig.build.json"]) !== 0) {
  console.log("build failed: the TypeScript sources do not compile (see above)");
  console.log("0 passed, 1 failed");
  process.exit(1);
}

// Environments: [script, kind]. `setup` builds/installs (idempotent); tests start them on demand (`up`).
// Alertmanager: tests start their own per scenario; `status` only says it is installed, `down` always runs.
// Chromium: the dashboard's browser tests start their own headless browser each (nothing to start or stop).
const envs = [
  ["scripts/testenv", "k8s"],
  ["scripts/testenv-docker", "docker"],
  ["scripts/testenv-tools", "tools"],
  ["scripts/testenv-haproxy", "haproxy"],
  ["scripts/testenv-alertmanager", "alertmanager"],
  ["scripts/testenv-chromium", "chromium"],
].filter(([script]) => existsSync(`${root}${script}`));
const perTest = new Set(["alertmanager"]);
const wasRunning = new Map(
  envs.map(([script, kind]) => [kind, !perTest.has(kind) && quiet(script, [kind, "status"]) === 0]),
);
for (const [script, kind] of envs) {
  const verb = kind === "k8s" ? "build" : "setup";
  console.log(`\n== test environment ${kind}: ${script} ${kind} ${verb}`);
  if (run(script, [kind, verb]) !== 0) {
    // The tests that need it fail with the same message; say it once here too.
    console.log(`== ${kind} environment could not be prepared (see above); its tests will fail`);
  }
}

const code = run("npx", ["vitest", "run", ...process.argv.slice(2)]);
for (const [script, kind] of envs) if (!wasRunning.get(kind)) quiet(script, [kind, "down"]);
process.exit(code);
