/**
 * Status of an instance on Kubernetes from its workload and pods: versions side by side (grouped by the pods'
 * config_sha label), tasks = pods, and health that does not trust the pod phase alone: a container waiting in
 * CrashLoopBackOff is not healthy even when its pod is Running.
 */
import {
  deployStatusOf,
  type InstanceStatus,
  type TaskState,
  type TaskStatus,
  type VersionStatus,
} from "../backend.js";
import type { KubeObject } from "./render/types.js";

type Pod = KubeObject & {
  metadata: KubeObject["metadata"] & { deletionTimestamp?: unknown; creationTimestamp?: unknown };
  spec?: { nodeName?: string; containers?: Array<{ ports?: Array<{ containerPort: number }> }> };
  status?: {
    phase?: string;
    podIP?: string;
    startTime?: unknown;
    conditions?: Array<{ type: string; status: string }>;
    containerStatuses?: Array<{
      name: string;
      ready?: boolean;
      restartCount?: number;
      state?: {
        waiting?: { reason?: string; message?: string };
        running?: unknown;
        terminated?: { exitCode?: number; reason?: string };
      };
      lastState?: { terminated?: { exitCode?: number; reason?: string; message?: string } };
    }>;
  };
};

function iso(v: unknown): string | null {
  if (v instanceof Date) return v.toISOString();
  return typeof v === "string" ? v : null;
}

export function podTask(pod: Pod): TaskStatus {
  const cs = pod.status?.containerStatuses ?? [];
  const restarts = cs.reduce((n, c) => n + (c.restartCount ?? 0), 0);
  const ready = pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
  const crashing = cs.find(
    (c) => c.state?.waiting?.reason === "CrashLoopBackOff" || c.state?.waiting?.reason === "Error",
  );
  const waiting = cs.find((c) => c.state?.waiting?.reason);
  const lastExit =
    cs.map((c) => c.lastState?.terminated?.exitCode ?? c.state?.terminated?.exitCode).find((x) => x !== undefined) ??
    null;
  let state: TaskState;
  const phase = pod.status?.phase;
  if (pod.metadata.deletionTimestamp) state = "draining";
  else if (phase === "Succeeded") state = "stopped";
  else if (phase === "Failed") state = "failed";
  else if (crashing) state = "unhealthy";
  else if (phase === "Running" && ready) state = "healthy";
  else state = "starting";
  const reason = crashing
    ? `${crashing.name}: ${crashing.state?.waiting?.reason}${lastExit !== null ? ` (last exit code ${lastExit})` : ""}`
    : waiting
      ? `${waiting.name}: ${waiting.state?.waiting?.reason}${waiting.state?.waiting?.message ? `: ${waiting.state.waiting.message}` : ""}`
      : phase !== "Running"
        ? (phase ?? "Pending")
        : null;
  return {
    id: pod.metadata.name,
    host: pod.spec?.nodeName ?? "",
    port: pod.spec?.containers?.[0]?.ports?.[0]?.containerPort ?? null,
    state,
    healthy: state === "healthy",
    restarts,
    started_at: iso(pod.status?.startTime),
    last_exit_code: lastExit,
    reason,
  };
}

export function instanceStatus(
  ref: { service: string; instance: string },
  cluster: string,
  workload: KubeObject,
  pods: Pod[],
): InstanceStatus {
  const labels = workload.metadata.labels ?? {};
  const spec = workload.spec as { replicas?: number; strategy?: { type?: string } };
  const desiredHash = labels["paasta.yelp.com/config_sha"] ?? "";
  const byHash = new Map<string, Pod[]>([[desiredHash, []]]);
  for (const p of pods) {
    const h = p.metadata.labels?.["paasta.yelp.com/config_sha"] ?? "unknown";
    byHash.set(h, [...(byHash.get(h) ?? []), p]);
  }
  const versions: VersionStatus[] = [...byHash].map(([hash, ps]) => {
    const tasks = ps.map(podTask);
    const live = tasks.filter((t) => t.state !== "draining" && t.state !== "stopped" && t.state !== "failed");
    const sample = ps[0]?.metadata.labels ?? (hash === desiredHash ? labels : {});
    return {
      git_sha: sample["paasta.yelp.com/git_sha"] ?? "",
      image_version: sample["paasta.yelp.com/image_version"] ?? null,
      config_hash: hash,
      desired: hash === desiredHash,
      replicas: live.length,
      ready_replicas: live.filter((t) => t.healthy).length,
      tasks,
    };
  });
  versions.sort((a, b) => Number(b.desired) - Number(a.desired));
  const desired = spec.replicas ?? 0;
  const deployStatus = deployStatusOf(desired, versions);
  const current = versions.find((v) => v.desired);
  let message: string | null = null;
  if (deployStatus !== "Running" && deployStatus !== "Stopped") {
    const parts = [
      `${current?.ready_replicas ?? 0}/${desired} pods of ${(labels["paasta.yelp.com/git_sha"] ?? "").slice(0, 8)} (${desiredHash}) ready`,
    ];
    const old = versions.filter((v) => !v.desired && v.replicas > 0);
    if (old.length > 0)
      parts.push(
        `old versions still running: ${old.map((v) => `${v.git_sha.slice(0, 8)} ${v.ready_replicas}/${v.replicas}`).join(", ")}`,
      );
    const bad = current?.tasks.find((t) => t.state === "unhealthy" || (t.reason && t.state !== "healthy"));
    if (bad?.reason) parts.push(`${bad.id}: ${bad.reason}${bad.restarts ? `, ${bad.restarts} restarts` : ""}`);
    message = parts.join("; ");
  }
  return {
    service: ref.service,
    instance: ref.instance,
    cluster,
    desired_state: workload.metadata.annotations?.["paasta.yelp.com/desired_state"] === "stop" ? "stop" : "start",
    desired_instances: desired,
    bounce_method:
      workload.metadata.annotations?.["paasta.yelp.com/bounce_method"] ??
      (spec.strategy?.type === "Recreate" ? "downthenup" : "crossover"),
    deploy_status: deployStatus,
    deploy_status_message: message,
    versions,
    error_message: null,
  };
}
