/**
 * Batch records read back from Jobs (pure): a run's record from its suspended record Job's annotations, an
 * attempt's state from its Job's conditions (Complete → succeeded; Failed → failed, with why: killed, past its
 * deadline, the pod failed), its exit code from its pod when the pods were read.
 */

import type { AttemptRecord, RunRecord } from "../../../model/jobs/records.js";
import type { OneOffRecord } from "../../batch.js";
import type { KubeObject } from "../render/types.js";
import { A, L } from "./names.js";

export type KubeJob = KubeObject & {
  metadata: KubeObject["metadata"] & { creationTimestamp?: string; resourceVersion?: string };
  spec?: { suspend?: boolean; activeDeadlineSeconds?: number };
  status?: {
    startTime?: string;
    completionTime?: string;
    active?: number;
    conditions?: Array<{
      type: string;
      status: string;
      reason?: string;
      message?: string;
      lastTransitionTime?: string;
    }>;
  };
};

export type KubePod = KubeObject & {
  status?: { containerStatuses?: Array<{ state?: { terminated?: { exitCode?: number } } }> };
};

const ann = (j: KubeJob, k: string) => j.metadata.annotations?.[k];
const time = (s: string | undefined) => (s ? Date.parse(s) : null);

function json<T>(text: string | undefined, fallback: T): T {
  try {
    return text ? (JSON.parse(text) as T) : fallback;
  } catch {
    return fallback;
  }
}

export function runOf(j: KubeJob): RunRecord {
  return {
    service: ann(j, A.service) ?? "",
    job: ann(j, A.job) ?? "",
    run: Number(j.metadata.labels?.[L.run]),
    scheduled_at: time(ann(j, A.scheduledAt)) ?? 0,
    manual: ann(j, A.manual) === "true",
    state: (ann(j, A.state) as RunRecord["state"] | undefined) ?? "pending",
    reason: ann(j, A.reason) || null,
    created_at: time(j.metadata.creationTimestamp) ?? 0,
    versions: json(ann(j, A.versions), {}),
    dag: json(ann(j, A.dag), {}),
    cleanup: ann(j, A.cleanup) || null,
    reported: ann(j, A.reported) === "true",
  };
}

/** State, times and why of a Job that runs something (an attempt, a one-off run). */
function outcome(j: KubeJob): {
  state: "running" | "succeeded" | "failed";
  started_at: number;
  ended_at: number | null;
  reason: string | null;
} {
  const started = time(j.status?.startTime) ?? time(j.metadata.creationTimestamp) ?? Date.now();
  const cond = (type: string) => j.status?.conditions?.find((c) => c.type === type && c.status === "True");
  const recorded = ann(j, A.reason);
  if (j.spec?.suspend && recorded) return { state: "failed", started_at: started, ended_at: started, reason: recorded };
  const complete = cond("Complete");
  if (complete)
    return {
      state: "succeeded",
      started_at: started,
      ended_at: time(j.status?.completionTime ?? complete.lastTransitionTime),
      reason: null,
    };
  const failed = cond("Failed");
  if (!failed) return { state: "running", started_at: started, ended_at: null, reason: null };
  const killed = ann(j, A.killReason);
  const why =
    killed ??
    (failed.reason === "DeadlineExceeded"
      ? `exceeded max_runtime (${j.spec?.activeDeadlineSeconds ?? "?"}s)`
      : failed.reason === "BackoffLimitExceeded"
        ? null
        : (failed.message ?? failed.reason ?? null));
  return { state: "failed", started_at: started, ended_at: time(failed.lastTransitionTime) ?? Date.now(), reason: why };
}

/** The exit code of each Job's pod, by Job name (the pod label the Job controller sets). */
export function exitCodes(pods: readonly KubePod[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const p of pods) {
    const name = p.metadata.labels?.["batch.kubernetes.io/job-name"] ?? p.metadata.labels?.["job-name"];
    const code = p.status?.containerStatuses?.[0]?.state?.terminated?.exitCode;
    if (name && code !== undefined) out.set(name, code);
  }
  return out;
}

export function attemptOf(j: KubeJob, codes: ReadonlyMap<string, number>): AttemptRecord {
  const o = outcome(j);
  const code = codes.get(j.metadata.name);
  return {
    service: ann(j, A.service) ?? "",
    job: ann(j, A.job) ?? "",
    run: Number(j.metadata.labels?.[L.run]),
    action: ann(j, A.action) ?? "",
    attempt: Number(j.metadata.labels?.[L.attempt]),
    state: o.state,
    started_at: o.started_at,
    ended_at: o.ended_at,
    exit_code: code ?? (o.state === "succeeded" ? 0 : null),
    reason: o.reason,
    killed: ann(j, A.killed) === "user",
    manual: ann(j, A.manual) === "true",
    where: `job ${j.metadata.namespace}/${j.metadata.name}`,
  };
}

export function oneOffOf(j: KubeJob, codes: ReadonlyMap<string, number>): OneOffRecord {
  const o = outcome(j);
  const code = codes.get(j.metadata.name);
  return {
    id: j.metadata.name,
    service: ann(j, A.service) ?? "",
    instance: ann(j, A.instance) ?? "",
    user: ann(j, A.user) ?? "",
    command: ann(j, A.command) ?? "",
    state: o.state,
    started_at: o.started_at,
    ended_at: o.ended_at,
    exit_code: code ?? (o.state === "succeeded" ? 0 : null),
    reason: o.reason,
    where: `job ${j.metadata.namespace}/${j.metadata.name}`,
  };
}
