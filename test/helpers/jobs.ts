/** A resolved Tron job from YAML (through the real loader and resolver), and record builders for pure tests. */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadServiceDir } from "../../src/config/file-check.js";
import { formatProblem } from "../../src/config/problem.js";
import { resolveTronJob } from "../../src/config/resolve/index.js";
import { loadSystemConfig } from "../../src/config/system.js";
import type { ResolvedTronJob } from "../../src/config/types.js";
import type { AttemptRecord, RunRecord } from "../../src/model/jobs/records.js";
import { tempDir } from "./cli.js";

/** `tron-c1.yaml` with `yaml` as its content; returns job `name` resolved. */
export function tronJob(yaml: string, name: string, system: Record<string, unknown> = {}): ResolvedTronJob {
  const root = tempDir("paasta-jobs-");
  mkdirSync(join(root, "soa", "svc"), { recursive: true });
  mkdirSync(join(root, "etc"));
  writeFileSync(join(root, "etc", "paasta.json"), JSON.stringify({ cluster: "c1", ...system }));
  writeFileSync(join(root, "soa", "svc", "service.yaml"), "description: d\nexternal_link: https://example.org\n");
  writeFileSync(join(root, "soa", "svc", "tron-c1.yaml"), yaml);
  const r = resolveTronJob(loadServiceDir(join(root, "soa"), "svc"), loadSystemConfig(join(root, "etc")), "c1", name);
  if (!r.ok) throw new Error(r.problems.map(formatProblem).join("; "));
  return r.config;
}

export function runRecord(job: ResolvedTronJob, run: number, at: number, extra: Partial<RunRecord> = {}): RunRecord {
  return {
    service: job.service,
    job: job.name,
    run,
    scheduled_at: at,
    manual: false,
    state: "pending",
    reason: null,
    created_at: at,
    versions: {},
    dag: Object.fromEntries(job.actions.map((a) => [a.name, [...a.requires]])),
    cleanup: job.cleanup_action?.name ?? null,
    reported: false,
    ...extra,
  };
}

export function attempt(
  job: ResolvedTronJob,
  run: number,
  action: string,
  n: number,
  state: AttemptRecord["state"],
  times: { start?: number; end?: number } = {},
  extra: Partial<AttemptRecord> = {},
): AttemptRecord {
  const done = state === "succeeded" || state === "failed";
  return {
    service: job.service,
    job: job.name,
    run,
    action,
    attempt: n,
    state,
    started_at: times.start ?? 0,
    ended_at: done ? (times.end ?? times.start ?? 0) : null,
    exit_code: state === "succeeded" ? 0 : state === "failed" ? 1 : null,
    reason: null,
    killed: false,
    manual: false,
    where: null,
    ...extra,
  };
}
