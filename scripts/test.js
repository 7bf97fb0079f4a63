#!/usr/bin/env node
// `npm test`: builds the CLI, then runs the whole suite (unit, integration against real git and processes,
// lint, schema and docs drift). The last line printed is `N passed, N failed`.
import { spawnSync } from "node:child_process";

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: "inherit", shell: false });
  return r.status ?? 1;
}

const build = run("npx", ["tsc", "-p", "tsconfig.build.json"]);
if (build !== 0) {
  console.log("build failed: the TypeScript sources do not compile (see above)");
  console.log("0 passed, 1 failed");
  process.exit(1);
}
process.exit(run("npx", ["vitest", "run", ...process.argv.slice(2)]));
