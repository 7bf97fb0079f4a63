/** The deploy pipeline runner (`paasta pipeline`, deploy.yaml). */
import type { ErrorDef } from "./def.js";

export const PIPELINE_ERRORS = {
  PAASTA_PIPELINE_INVALID: {
    message: "the pipeline of {service} cannot run: {detail}",
    fix: "Fix deploy.yaml at the place named (`paasta validate -s {service}` checks it); see docs/pipeline.md.",
    exit: 1,
    http: 422,
  },
  PAASTA_PIPELINE_NOT_FOUND: {
    message: "no pipeline of {service}{which} is recorded in {url}",
    fix: "Start one with `paasta pipeline run -s {service} -k SHA` (in the service's repository, -k defaults to HEAD).",
    exit: 1,
    http: 404,
  },
  PAASTA_PIPELINE_BUSY: {
    message: "the pipeline of {service} {sha} is being run by {runner}",
    fix: "Watch it with `paasta pipeline status -s {service} -k {sha}`. If that process is gone, wait {stale} for its heartbeat to lapse (another machine) and run again; on the same machine a dead runner is noticed at once.",
    exit: 1,
    http: 409,
  },
  PAASTA_PIPELINE_NOT_PAUSED: {
    message: "the pipeline of {service} {sha} is not paused at a gate (its status: {status})",
    fix: "`paasta pipeline status -s {service}` shows where it is. Only a pipeline paused by trigger_next_step_manually or confirmation_required can be continued; a stopped or interrupted one resumes with `paasta pipeline run`.",
    exit: 1,
    http: 409,
  },
  PAASTA_PIPELINE_FAILED: {
    message: "the pipeline of {service} {sha} failed at {detail}",
    fix: "`paasta pipeline status -s {service} -k {sha}` shows each step's log. Fix it in a new commit, or re-run the failed steps with `paasta pipeline run --retry` (a deploy group is never marked twice for one commit).",
    exit: 1,
    http: 500,
  },
} as const satisfies Record<string, ErrorDef>;
