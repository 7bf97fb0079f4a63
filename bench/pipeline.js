#!/usr/bin/env node
// bench/pipeline: the pipeline's own overhead per step (issue 18: ≤ 1 s), beyond the steps' own work (marks,
// waits, commands). A real bare repository on disk; a deploy.yaml of 10 deploy groups and 2 command steps.
// Overhead = (wall time of the run − time inside the steps) / steps: claiming the commit, recording each step's
// start and end in refs/notes/paasta-pipeline, deciding what runs next, the deploy events. Also the whole CLI
// (`paasta pipeline run --json`, Node start-up included) and a resume of a finished commit. Prints JSON.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const GROUPS = 10;
const RUNS = 5;
const root = mkdtempSync(join(tmpdir(), "paasta-bench-pipeline-"));
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
for (let i = 0; i < RUNS + 2; i++) {
  writeFileSync(join(work, "f"), String(i));
  git(["add", "f"], work);
  git(["commit", "-q", "-m", `c${i}`], work);
  shas.push(git(["rev-parse", "HEAD"], work));
}
git(["push", "-q", bare, "HEAD:refs/heads/main"], work);

const soa = join(root, "soa");
const svc = join(soa, "bench");
mkdirSync(svc, { recursive: true });
writeFileSync(join(svc, "service.yaml"), `description: bench\nexternal_link: x\ngit_url: ${bare}\n`);
const groups = Array.from({ length: GROUPS }, (_, g) => `  - step: dg${String(g).padStart(2, "0")}\n`).join("");
writeFileSync(
  join(svc, "deploy.yaml"),
  `pipeline:\n  - step: command-a\n    command: "true"\n${groups}  - step: command-b\n    command: "true"\n`,
);
const STEPS = GROUPS + 2;
process.env.PAASTA_CACHE_DIR = join(root, "cache");

const { runPipeline } = await import(new URL("../dist/pipeline/runner.js", import.meta.url).pathname);
const log = { write: () => {} };
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const runs = [];
for (let i = 0; i < RUNS; i++) {
  const r = await runPipeline({ soaDir: soa, service: "bench", sha: shas[i], user: "bench", log, env });
  if (r.decision.kind !== "done") throw new Error(`run ${i}: ${r.decision.kind} ${JSON.stringify(r.state.reason)}`);
  const work = r.timings.steps.reduce((n, s) => n + s.work_ms, 0);
  runs.push({
    wall_ms: r.timings.wall_ms,
    work_ms: work,
    overhead_ms_per_step: Math.round(((r.timings.wall_ms - work) / STEPS) * 10) / 10,
    mark_ms_median: median(r.timings.steps.filter((s) => s.name.startsWith("dg")).map((s) => s.work_ms)),
  });
}
const t0 = Date.now();
const resume = await runPipeline({ soaDir: soa, service: "bench", sha: shas[0], user: "bench", log, env });
const resumeMs = Date.now() - t0;

const bin = new URL("../bin/paasta.js", import.meta.url).pathname;
const cliStart = Date.now();
const cli = spawnSync(
  process.execPath,
  [bin, "pipeline", "run", "-s", "bench", "-k", shas[RUNS], "-d", soa, "--json"],
  {
    env: { ...env, PAASTA_SYSTEM_CONFIG_DIR: join(root, "no-etc"), PAASTA_CACHE_DIR: join(root, "cache") },
    encoding: "utf8",
  },
);
const cliMs = Date.now() - cliStart;
if (cli.status !== 0) throw new Error(cli.stderr);
const cliOut = JSON.parse(cli.stdout);
const cliWork = cliOut.timings.steps.reduce((n, s) => n + s.work_ms, 0);

console.log(
  JSON.stringify(
    {
      bench: "pipeline",
      steps: STEPS,
      runs,
      overhead_ms_per_step_median: median(runs.map((r) => r.overhead_ms_per_step)),
      resume_finished_commit_ms: resumeMs,
      resume_outcome: resume.decision.kind,
      cli: {
        wall_ms: cliMs,
        work_ms: cliWork,
        overhead_ms_per_step_incl_node_startup: Math.round(((cliMs - cliWork) / STEPS) * 10) / 10,
      },
      target_ms_per_step: 1000,
    },
    null,
    2,
  ),
);
rmSync(root, { recursive: true, force: true });
