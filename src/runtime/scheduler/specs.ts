/**
 * From a job's config and its records to what a backend records and launches: a new run (with the versions
 * its actions will run and its DAG, fixed at creation) and one attempt of one action (its command with Tron's
 * context expanded, the instance it runs as, the pinned version).
 */

import type { LaunchSpec, NewRun } from "../../backends/batch.js";
import { actionAsInstance } from "../../config/resolve/index.js";
import type { ResolvedTronAction, ResolvedTronJob } from "../../config/types.js";
import type { AttemptRecord, PinnedVersion, RunRecord } from "../../model/jobs/records.js";
import { expandCommand } from "../../model/tron-command.js";
import { versionKey } from "./configs.js";

export function actionOf(job: ResolvedTronJob, name: string): ResolvedTronAction | undefined {
  return (
    job.actions.find((a) => a.name === name) ?? (job.cleanup_action?.name === name ? job.cleanup_action : undefined)
  );
}

export function newRun(
  job: ResolvedTronJob,
  versions: Readonly<Record<string, PinnedVersion>>,
  o: { scheduled_at: number; manual: boolean; skipped: boolean; reason: string | null },
): NewRun {
  return {
    service: job.service,
    job: job.name,
    scheduled_at: o.scheduled_at,
    manual: o.manual,
    state: o.skipped ? "skipped" : "pending",
    reason: o.reason,
    versions: o.skipped ? {} : versions,
    dag: Object.fromEntries(job.actions.map((a) => [a.name, [...a.requires]])),
    cleanup: job.cleanup_action?.name ?? null,
  };
}

/** The scheduled time of the job's latest run whose actions all succeeded (`{last_success#…}`). */
export function lastSuccess(
  runs: readonly RunRecord[],
  attempts: readonly AttemptRecord[],
  before: RunRecord,
): Date | undefined {
  const ok = runs
    .filter((r) => r.run !== before.run && r.scheduled_at <= before.scheduled_at && r.state === "pending")
    .filter((r) => {
      const names = [...Object.keys(r.dag), ...(r.cleanup ? [r.cleanup] : [])];
      return names.every((n) => attempts.some((a) => a.run === r.run && a.action === n && a.state === "succeeded"));
    })
    .sort((a, b) => b.scheduled_at - a.scheduled_at)[0];
  return ok ? new Date(ok.scheduled_at) : undefined;
}

export function launchSpec(
  job: ResolvedTronJob,
  run: RunRecord,
  action: string,
  attempt: number,
  o: { manual: boolean; lastSuccess?: Date },
): LaunchSpec {
  const conf = actionOf(job, action);
  const ids = { service: run.service, job: run.job, run: run.run, action, attempt };
  if (!conf) {
    // Removed from the config while its run was under way: recorded as failed, nothing is launched.
    const any = job.actions[0] as ResolvedTronAction;
    return {
      ...ids,
      cluster: job.cluster,
      manual: o.manual,
      config: actionAsInstance(job, { ...any, name: action, instance: `${job.name}.${action}` }, "true"),
      command: "",
      version: null,
      maxRuntimeSeconds: null,
      fail: `action ${action} is no longer in the job's config`,
    };
  }
  const command = expandCommand(conf.command, {
    time: new Date(run.scheduled_at),
    runid: `${run.service}.${run.job}.${run.run}`,
    name: `${run.service}.${run.job}`,
    actionname: action,
    lastSuccess: o.lastSuccess,
  });
  const version = run.versions[versionKey(job, conf)] ?? null;
  return {
    ...ids,
    cluster: job.cluster,
    manual: o.manual,
    config: actionAsInstance(job, conf, command),
    command,
    version,
    maxRuntimeSeconds: conf.max_runtime_seconds,
    fail: version ? undefined : `nothing is deployed for deploy group ${conf.deploy_group ?? "(none)"}`,
  };
}
