/**
 * Reading recorded pipelines, and pressing the button: `continuePipeline` approves the gate a paused pipeline
 * waits at and runs the rest. The CLI (`paasta pipeline continue`) awaits `done`; an API route answers as soon
 * as the approval is recorded and lets `done` run in its process:
 *
 *     const { state, done } = await continuePipeline({ soaDir: ctx.soaDir, service, sha, system: ctx.system,
 *                                                       user: "api" });
 *     done.catch(() => undefined);   // the outcome is in the pipeline state and the deploy log
 *     return c.json(state, 202);     // PaastaError → its httpStatus (404 none, 409 not paused / busy)
 */
import type { SystemConfig } from "../config/system.js";
import type { GitOptions } from "../deploy/git.js";
import { PaastaError } from "../errors.js";
import { currentUser, type LogWriter } from "../logs/writer.js";
import { loadService } from "./load.js";
import { type PipelineEvents, type RunResult, startPipeline } from "./runner.js";
import type { PipelineState } from "./state.js";
import { openStore } from "./store.js";

export interface FindOptions {
  readonly soaDir: string;
  readonly service: string;
  /** A full SHA or a prefix; without it, the newest pipeline of the service. */
  readonly sha?: string;
  readonly git?: GitOptions;
  readonly user?: string;
}

/** The recorded pipeline of `sha`, or the service's newest one; PAASTA_PIPELINE_NOT_FOUND when there is none. */
export async function findPipeline(o: FindOptions): Promise<{ state: PipelineState; url: string }> {
  const { service, url } = loadService(o.soaDir, o.service);
  const store = await openStore(url, { git: o.git, user: o.user ?? currentUser() });
  try {
    const state = o.sha ? await store.read(o.sha) : ((await store.list())[0] ?? null);
    if (!state) throw new PaastaError("PAASTA_PIPELINE_NOT_FOUND", { service, which: o.sha ? ` ${o.sha}` : "", url });
    return { state, url };
  } finally {
    await store.close();
  }
}

/** Every recorded pipeline of the service, newest first. */
export async function listPipelines(o: FindOptions): Promise<PipelineState[]> {
  const { url } = loadService(o.soaDir, o.service);
  const store = await openStore(url, { git: o.git, user: o.user ?? currentUser() });
  try {
    return await store.list();
  } finally {
    await store.close();
  }
}

export interface ContinueOptions extends FindOptions {
  /** Default: the system config of PAASTA_SYSTEM_CONFIG_DIR (the waits need its api_endpoints). */
  readonly system?: SystemConfig;
  readonly env?: NodeJS.ProcessEnv;
  readonly log?: LogWriter;
  readonly pollMs?: number;
  readonly events?: PipelineEvents;
}

/**
 * Approves the gate the pipeline of `sha` (default: the service's newest pipeline) is paused at, and runs the
 * rest. Refused (PAASTA_PIPELINE_NOT_PAUSED) unless that pipeline is paused; two presses of the button race
 * on the recorded state and only one wins.
 */
export async function continuePipeline(
  o: ContinueOptions,
): Promise<{ state: PipelineState; done: Promise<RunResult> }> {
  const { state } = await findPipeline(o);
  if (state.status !== "paused" || state.paused_before === null) {
    throw new PaastaError("PAASTA_PIPELINE_NOT_PAUSED", {
      service: state.service,
      sha: state.git_sha.slice(0, 8),
      status: state.status,
    });
  }
  const { loadSystemConfig, systemConfigDir } = await import("../config/system.js");
  return startPipeline({
    soaDir: o.soaDir,
    system: o.system ?? loadSystemConfig(systemConfigDir(o.env ?? process.env), { optional: true }),
    service: state.service,
    sha: state.git_sha,
    user: o.user ?? currentUser(),
    env: o.env,
    git: o.git,
    log: o.log,
    pollMs: o.pollMs,
    events: o.events,
    approveGate: state.paused_before,
  });
}
