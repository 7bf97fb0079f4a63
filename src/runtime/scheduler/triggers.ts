/**
 * Cross-job triggers for a pass: which jobs' records a pass must read (a job's own, and those of the jobs it
 * waits for triggers from), and the triggers those records show emitted.
 */
import { byJob, type JobRecords, type JobRef, jobKey } from "../../model/jobs/records.js";
import { emitted, upstreamJobs } from "../../model/jobs/triggers.js";
import type { JobConfigs, LoadedJob } from "./configs.js";

/** The jobs and the jobs they wait for triggers from (known ones only), each once. */
export function withUpstreams(configs: JobConfigs, jobs: readonly LoadedJob[]): LoadedJob[] {
  const out = new Map<string, LoadedJob>(jobs.map((j) => [jobKey(j), j]));
  for (const j of jobs) {
    for (const up of j.config ? upstreamJobs(j.config) : []) {
      const l = configs.get(up);
      if (l) out.set(jobKey(up), l);
    }
  }
  return [...out.values()];
}

/** Every trigger the records of these jobs show emitted. */
export function emittedTriggers(
  jobs: readonly LoadedJob[],
  records: JobRecords | Map<string, JobRecords>,
): Set<string> {
  const grouped = records instanceof Map ? records : byJob(records);
  const out = new Set<string>();
  for (const j of jobs) {
    const r = grouped.get(jobKey(j));
    if (j.config && r) for (const t of emitted(j.config, r.runs, r.attempts)) out.add(t);
  }
  return out;
}

export type { JobRef };
