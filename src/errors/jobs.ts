/** Scheduled jobs (tron-CLUSTER.yaml), their runs, and one-off runs (`paasta remote-run`). */
import type { ErrorDef } from "./def.js";

export const JOBS_ERRORS = {
  PAASTA_JOB_NOT_FOUND: {
    message: "no job {service}.{job} is configured on cluster {cluster}",
    fix: "Jobs are the top-level keys of {service}/tron-{cluster}.yaml; `paasta list -s {service} -i` lists them as JOB.ACTION.",
    exit: 1,
    http: 404,
  },
  PAASTA_JOB_RUN_NOT_FOUND: {
    message: "job {service}.{job} has no run {what}",
    fix: "`paasta status -s {service} -i {job}` lists its recent runs (older ones are pruned beyond run_limit).",
    exit: 1,
    http: 404,
  },
  PAASTA_JOB_VERB_REFUSED: {
    message: "cannot {verb} {target}: {detail}",
    fix: "`paasta status -s {service} -i {job}` shows each run's and action's state; the verbs are described in docs/jobs.md.",
    exit: 1,
    http: 409,
  },
  PAASTA_JOB_ID_INVALID: {
    message: '"{id}" is not a job identifier: {detail}',
    fix: "Name a job as SERVICE.JOB, a run as SERVICE.JOB.RUN and an action as SERVICE.JOB.RUN.ACTION (e.g. reports.nightly.3.load).",
    exit: 2,
    http: 400,
  },
  PAASTA_JOBS_UNSUPPORTED: {
    message: "the {backend} backend of cluster {cluster} cannot run batch work",
    fix: "Run jobs on a local cluster (`paasta up`) or a Kubernetes cluster (`paasta deployd`).",
    exit: 1,
    http: 501,
  },
  PAASTA_REMOTE_RUN_FAILED: {
    message: "cannot start a one-off run of {service}.{instance} on {cluster}: {detail}",
    fix: "Give the command with --cmd when the instance has none; the instance's deploy group needs a deployment (`paasta mark-for-deployment`).",
    exit: 1,
    http: 422,
  },
  PAASTA_REMOTE_RUN_NOT_FOUND: {
    message: "no one-off run {id} on cluster {cluster}",
    fix: "`paasta remote-run list -s SERVICE -c {cluster}` lists them.",
    exit: 1,
    http: 404,
  },
} as const satisfies Record<string, ErrorDef>;
