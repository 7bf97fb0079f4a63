/**
 * Task exits on Kubernetes, from the watched copy of managed pods: a container whose `restartCount` went up
 * and whose `lastState.terminated` says how it ended (the kubelet's `OOMKilled`, `Error` …) is one exit. Pure
 * detection (`podExits`) and the subscription the backend's TaskExitSource power hands out. Pods that end
 * without a restart (a Job's) are not reported: the scheduler records those itself.
 */
import { oomKilledReason, type TaskExit } from "../powers.js";
import type { KubeStateReader } from "./cache/index.js";
import type { KubeObject } from "./render/types.js";

interface Terminated {
  exitCode?: number;
  reason?: string;
}
interface ContainerStatus {
  name: string;
  restartCount?: number;
  lastState?: { terminated?: Terminated };
}

function statuses(pod: KubeObject | undefined): ContainerStatus[] {
  return ((pod?.status as { containerStatuses?: ContainerStatus[] } | undefined)?.containerStatuses ?? []).filter(
    (s) => typeof s?.name === "string",
  );
}

/** The reason in the words the local runtime uses: `OOMKilled: exited with code 137`, `exited with code 3 (Error)`. */
export function exitReason(t: Terminated): string {
  const code = t.exitCode ?? "unknown";
  if (t.reason === "OOMKilled") return oomKilledReason(code);
  return `exited with code ${code}${t.reason ? ` (${t.reason})` : ""}`;
}

/** Pure: the exits a pod's change shows (one per container whose restart count went up). */
export function podExits(
  old: KubeObject | undefined,
  pod: KubeObject,
  at: string,
): Omit<TaskExit, "service" | "instance">[] {
  if (!old) return [];
  const before = new Map(statuses(old).map((s) => [s.name, s.restartCount ?? 0]));
  const out: Omit<TaskExit, "service" | "instance">[] = [];
  for (const s of statuses(pod)) {
    const t = s.lastState?.terminated;
    if (!t || (s.restartCount ?? 0) <= (before.get(s.name) ?? 0)) continue;
    // Seen now (a late watch event still counts as a recent kill): `at`, not the kubelet's finishedAt.
    out.push({ task: pod.metadata.name, exitCode: t.exitCode ?? null, reason: exitReason(t), at });
  }
  return out;
}

export function watchTaskExits(cache: KubeStateReader, fn: (e: TaskExit) => void): () => void {
  return cache.onChange((c) => {
    if (c.kind !== "Pod" || c.type !== "modified" || !c.ref) return;
    for (const e of podExits(c.old, c.object, new Date().toISOString()))
      fn({ ...e, service: c.ref.service, instance: c.ref.instance });
  });
}
