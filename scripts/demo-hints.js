// What `npm start` prints and writes for the user's own terminal (kept apart from start.js): an env file to
// `source` that puts this checkout's `paasta` on PATH and points it at the demo's system config, and the
// commands to try. Every hint is a command that works pasted in order, in one terminal, from the checkout's
// directory (test/demo/first-hour.test.ts runs them). None is `npx paasta`: outside this checkout npx would
// ask the public registry for a package of that name.
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";

/** `WS/env` and `WS/bin/paasta` (a link to this checkout's bin/paasta.js). */
export function writeEnvFile(root, ws, etc) {
  const binDir = join(ws, "bin");
  mkdirSync(binDir, { recursive: true });
  rmSync(join(binDir, "paasta"), { force: true });
  symlinkSync(join(root, "bin", "paasta.js"), join(binDir, "paasta"));
  const file = join(ws, "env");
  writeFileSync(
    file,
    [
      "# Source this file (`source .paasta-demo/env`): paasta from this checkout on PATH, and the demo's system",
      "# config (cluster dev, its API, its soa-configs) for every paasta command. Written by `npm start`.",
      `export PATH="${binDir}:$PATH"`,
      `export PAASTA_SYSTEM_CONFIG_DIR="${etc}"`,
      "",
    ].join("\n"),
  );
  return file;
}

/** The commands to try, as lines `command   # what it shows`, relative to `cwd` where that is shorter. */
export function demoHints({ cwd, ws, envFile }) {
  const rel = (p) => {
    const r = relative(cwd, p);
    return r.startsWith("..") ? p : r;
  };
  const repo = rel(join(ws, "repos", "hello"));
  const sha = `$(git -C ${repo} rev-parse HEAD)`;
  return [
    [`source ${rel(envFile)}`, "paasta on PATH, talking to the demo (or: npm link, then set PAASTA_SYSTEM_CONFIG_DIR)"],
    ["paasta status -s hello -v", "versions, tasks, health"],
    ["paasta logs -s hello -l 20", "the latest lines; -f follows them (Ctrl-C stops)"],
    [`echo change >> ${repo}/README && git -C ${repo} add -A && git -C ${repo} commit -qm change`, "a new commit"],
    [`paasta mark-for-deployment -s hello -c ${sha} -l dev.everything`, "deploy it: a crossover bounce"],
    [`paasta wait-for-deployment -s hello -c ${sha} -l dev.everything -t 300`, "watch it finish"],
    ["paasta stop -s hello -c dev -i main", "stop main until the next deploy"],
    ["paasta start -s hello -c dev -i main", "and start it again"],
    [`paasta pipeline run -s hello -k ${sha}`, "deploy.yaml step by step (docs/pipeline.md)"],
    ["paasta status -s reports -i nightly", "a scheduled job (every 30 s here): runs and actions (docs/jobs.md)"],
    ["paasta remote-run start -s hello -i shell --cmd 'echo hi from a one-off'", "a one-off run of an adhoc instance"],
  ].map(([cmd, why]) => `${cmd}    # ${why}`);
}
