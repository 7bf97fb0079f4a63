/** `paasta pipeline run|continue|status`: run a service's deploy.yaml for a commit, with gates and resume. */
import type { Command } from "commander";
import type { RunResult } from "../../pipeline/runner.js";
import type { PipelineState } from "../../pipeline/state.js";
import {
  examples,
  jsonOption,
  optionalSystemConfig,
  printJson,
  resolveSoaDir,
  type SoaDirOptions,
  shortAlias,
  soaDirOptions,
} from "../common.js";
import type { Io } from "../io.js";
import type { Runner } from "../registry.js";

interface PipelineOptions extends SoaDirOptions {
  service: string;
  commit?: string;
  from?: string;
  to?: string;
  retry?: boolean;
  json?: boolean;
  verbose?: boolean;
  all?: boolean;
}

function common(cmd: Command, commitHelp: string): Command {
  cmd
    .requiredOption("-s, --service <service>", "the service")
    .option("-k, --commit <sha>", `${commitHelp} (full SHA or a prefix; alias -c)`);
  shortAlias(cmd, "-c", "commit", "<sha>");
  return jsonOption(soaDirOptions(cmd));
}

export function register(program: Command, io: Io, run: Runner): void {
  const pipeline = program
    .command("pipeline")
    .description("Run a service's deploy.yaml for a commit: build steps, deploys, gates; resumable (docs/pipeline.md)")
    .addHelpText(
      "after",
      examples("paasta pipeline run -s hello", "paasta pipeline status -s hello", "paasta pipeline continue -s hello"),
    );
  common(
    pipeline.command("run").description("Run (or resume) the pipeline of a commit until it ends or pauses at a gate"),
    "the commit (default: HEAD of the repository in the current directory)",
  )
    .option("--from <step>", "start at this step (approves a gate in front of it)")
    .option("--to <step>", "stop after this step")
    .option("--retry", "run failed steps again (a deploy group is still never marked twice for the commit)")
    .addHelpText(
      "after",
      `${examples(
        "cd ~/src/hello && paasta pipeline run -s hello",
        "paasta pipeline run -s hello -k 1a2b3c4 --to dev.everything",
        "paasta pipeline run -s hello -k 1a2b3c4 --json",
      )}
Each step's status, times and log are recorded in the service's repository (refs/notes/paasta-pipeline), so a
second run of the same commit resumes where the first stopped. Exit status: 0 when the pipeline succeeded,
paused at a gate or stopped at --to; 1 when a step failed.
`,
    )
    .action((opts: PipelineOptions) => run(runPipelineCmd(opts, io)));
  common(
    pipeline.command("continue").description("Approve the gate a paused pipeline waits at, and run the rest"),
    "the paused commit (default: the service's newest pipeline)",
  )
    .addHelpText("after", examples("paasta pipeline continue -s hello", "paasta pipeline continue -s hello -k 1a2b3c4"))
    .action((opts: PipelineOptions) => run(runContinue(opts, io)));
  common(
    pipeline.command("status").description("Show a pipeline: each step with its status, start, end and detail"),
    "the commit (default: the service's newest pipeline)",
  )
    .option("-v, --verbose", "include each step's log")
    .option("-a, --all", "list every recorded pipeline of the service")
    .addHelpText("after", examples("paasta pipeline status -s hello", "paasta pipeline status -s hello -k 1a2b3c4 -v"))
    .action((opts: PipelineOptions) => run(runStatus(opts, io)));
}

async function context(opts: PipelineOptions, io: Io) {
  const { currentUser } = await import("../../logs/writer.js");
  const soaDir = await resolveSoaDir(opts, io);
  const system = await optionalSystemConfig(io);
  const git = io.env.PAASTA_GIT_RETRY_DELAY_MS ? { retryDelayMs: Number(io.env.PAASTA_GIT_RETRY_DELAY_MS) } : undefined;
  const pollMs = io.env.PAASTA_PIPELINE_POLL_MS ? Number(io.env.PAASTA_PIPELINE_POLL_MS) : undefined;
  return { soaDir, system, git, pollMs, user: currentUser(io.env), env: io.env };
}

async function finish(opts: PipelineOptions, io: Io, r: RunResult): Promise<number> {
  const { PaastaError } = await import("../../errors.js");
  if (opts.json) printJson(io, { ...r.state, outcome: r.decision.kind, timings: r.timings });
  else for (const l of await statusLines(r.state, false)) io.out(l);
  if (r.decision.kind !== "failed") return 0;
  const sha = r.state.git_sha.slice(0, 8);
  throw new PaastaError("PAASTA_PIPELINE_FAILED", {
    service: r.state.service,
    sha,
    detail: `${r.decision.step}: ${r.decision.reason}`,
  });
}

export async function runPipelineCmd(opts: PipelineOptions, io: Io): Promise<number> {
  const { runPipeline } = await import("../../pipeline/runner.js");
  const { resolveCommit } = await import("../../image/target.js");
  const { progressPrinter } = await import("../pipeline-progress.js");
  const ctx = await context(opts, io);
  const sha = opts.commit ?? resolveCommit(io.cwd, undefined);
  const r = await runPipeline({
    ...ctx,
    service: opts.service,
    sha,
    from: opts.from,
    to: opts.to,
    retry: opts.retry,
    events: progressPrinter(io, Boolean(opts.json)),
  });
  return finish(opts, io, r);
}

export async function runContinue(opts: PipelineOptions, io: Io): Promise<number> {
  const { continuePipeline } = await import("../../pipeline/continue.js");
  const { progressPrinter } = await import("../pipeline-progress.js");
  const ctx = await context(opts, io);
  const { done } = await continuePipeline({
    ...ctx,
    service: opts.service,
    sha: opts.commit,
    events: progressPrinter(io, Boolean(opts.json)),
  });
  return finish(opts, io, await done);
}

async function statusLines(state: PipelineState, verbose: boolean): Promise<string[]> {
  const { renderStatus } = await import("../../pipeline/render.js");
  const { runnerIsAlive } = await import("../../pipeline/runner.js");
  return renderStatus(state, { runnerAlive: runnerIsAlive(state), verbose });
}

export async function runStatus(opts: PipelineOptions, io: Io): Promise<number> {
  const { findPipeline, listPipelines } = await import("../../pipeline/continue.js");
  const { runnerIsAlive } = await import("../../pipeline/runner.js");
  const ctx = await context(opts, io);
  if (opts.all) {
    const all = await listPipelines({ ...ctx, service: opts.service });
    if (opts.json) printJson(io, all);
    else {
      const { headline } = await import("../../pipeline/render.js");
      for (const s of all) io.out(`${s.git_sha.slice(0, 8)}  ${s.created_at}  ${headline(s, runnerIsAlive(s))}`);
    }
    return 0;
  }
  const { state } = await findPipeline({ ...ctx, service: opts.service, sha: opts.commit });
  if (opts.json) printJson(io, { ...state, runner_alive: runnerIsAlive(state) });
  else for (const l of await statusLines(state, Boolean(opts.verbose))) io.out(l);
  return 0;
}
