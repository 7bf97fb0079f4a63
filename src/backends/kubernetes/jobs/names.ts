/**
 * Deterministic names and labels of batch Jobs: a run's record and each attempt of each action are named from
 * (service, job, run, action, attempt) alone, so a scheduler that restarts (or a second one) computes the same
 * name and its create answers "already exists" — that is how nothing is launched twice, with no database.
 */
import { createHash } from "node:crypto";
import { sanitiseForKubernetes } from "../../../config/naming.js";
import { MANAGED } from "../render/types.js";

export const BATCH = "paasta.yelp.com/batch";
export const L = {
  cluster: "paasta.yelp.com/cluster",
  service: "paasta.yelp.com/service",
  instance: "paasta.yelp.com/instance",
  job: "paasta.yelp.com/job",
  run: "paasta.yelp.com/run",
  action: "paasta.yelp.com/action",
  attempt: "paasta.yelp.com/attempt",
} as const;

/** Annotations carry the exact values (labels may have to be hashed) and what is recorded about a run. */
export const A = {
  service: "paasta.yelp.com/service-name",
  job: "paasta.yelp.com/job-name",
  action: "paasta.yelp.com/action-name",
  instance: "paasta.yelp.com/instance-name",
  scheduledAt: "paasta.yelp.com/scheduled-at",
  manual: "paasta.yelp.com/manual",
  state: "paasta.yelp.com/run-state",
  reason: "paasta.yelp.com/reason",
  versions: "paasta.yelp.com/versions",
  dag: "paasta.yelp.com/dag",
  cleanup: "paasta.yelp.com/cleanup",
  reported: "paasta.yelp.com/reported",
  killed: "paasta.yelp.com/killed",
  killReason: "paasta.yelp.com/kill-reason",
  user: "paasta.yelp.com/user",
  command: "paasta.yelp.com/command",
} as const;

/** The Job holding a run's record; never runs (suspended). */
export const KIND_RUN = "run";
export const KIND_ATTEMPT = "attempt";
export const KIND_ONE_OFF = "one-off";

const hash = (s: string, n: number) => createHash("sha1").update(s).digest("hex").slice(0, n);

/** A label value: the value itself when Kubernetes allows it, else a stable hash of it. */
export function labelValue(v: string): string {
  return /^[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$/.test(v) ? v : `h-${hash(v, 16)}`;
}

function readable(parts: string[], room: number): string {
  return sanitiseForKubernetes(parts.join("-"))
    .replace(/[^a-z0-9-]/g, "-")
    .slice(0, room)
    .replace(/-+$/, "");
}

/** `SERVICE-JOB-RUN-ACTION-ATTEMPT` made DNS-safe and ≤ 63 characters, with a hash of the exact tuple. */
export function attemptJobName(service: string, job: string, run: number, action: string, attempt: number): string {
  const id = hash(JSON.stringify([service, job, run, action, attempt]), 8);
  const tail = `-${run}-${attempt}-${id}`;
  return `${readable([service, job, action], 63 - tail.length)}${tail}`;
}

export function runJobName(service: string, job: string, run: number): string {
  const id = hash(JSON.stringify([service, job, run]), 8);
  const tail = `-${run}-run-${id}`;
  return `${readable([service, job], 63 - tail.length)}${tail}`;
}

export function oneOffJobName(service: string, instance: string, stamp: string): string {
  const tail = `-${stamp}`;
  return `${readable(["remote-run", service, instance], 63 - tail.length)}${tail}`;
}

export function batchLabels(
  kind: string,
  cluster: string,
  ids: { service: string; job?: string; run?: number; action?: string; attempt?: number; instance: string },
): Record<string, string> {
  const labels: Record<string, string> = {
    [MANAGED]: "true",
    "app.kubernetes.io/managed-by": "paasta",
    [BATCH]: kind,
    [L.cluster]: labelValue(cluster),
    [L.service]: labelValue(ids.service),
    [L.instance]: labelValue(ids.instance),
  };
  if (ids.job !== undefined) labels[L.job] = labelValue(ids.job);
  if (ids.run !== undefined) labels[L.run] = String(ids.run);
  if (ids.action !== undefined) labels[L.action] = labelValue(ids.action);
  if (ids.attempt !== undefined) labels[L.attempt] = String(ids.attempt);
  return labels;
}

/** The selector of this cluster's batch objects of one kind (optionally one service / job / run). */
export function batchSelector(
  kind: string,
  cluster: string,
  f: { service?: string; job?: string; run?: number } = {},
): string {
  const parts = [`${MANAGED}=true`, `${BATCH}=${kind}`, `${L.cluster}=${labelValue(cluster)}`];
  if (f.service) parts.push(`${L.service}=${labelValue(f.service)}`);
  if (f.job) parts.push(`${L.job}=${labelValue(f.job)}`);
  if (f.run !== undefined) parts.push(`${L.run}=${f.run}`);
  return parts.join(",");
}
