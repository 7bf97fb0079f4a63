/**
 * Pod logs through the API server (`pods/{name}/log?timestamps=true`), as log lines of component `stdout`
 * named after the pod. A pod whose logs cannot be read (no kubelet reachable, not started yet) yields one
 * `task_lifecycle` line saying so, instead of silently nothing.
 */
import type { LogFilter } from "../../logs/reader.js";
import { matches } from "../../logs/reader.js";
import type { LogLine } from "../../logs/writer.js";
import type { LogTail } from "../powers.js";
import type { Kube } from "./client.js";
import type { KubeObject } from "./render/types.js";

export interface PodRef {
  readonly namespace: string;
  readonly name: string;
  readonly instance: string;
  readonly container: string;
}

/** `2026-11-30T20:15:36.123456789Z message` → [ISO time, message]. */
export function splitTimestamp(line: string): [string, string] {
  const space = line.indexOf(" ");
  const stamp = space > 0 ? line.slice(0, space) : "";
  const t = Date.parse(stamp);
  return Number.isNaN(t) ? [new Date().toISOString(), line] : [new Date(t).toISOString(), line.slice(space + 1)];
}

function podLines(cluster: string, service: string, pod: PodRef, text: string): LogLine[] {
  return text
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => {
      const [timestamp, message] = splitTimestamp(l);
      const line: LogLine = {
        timestamp,
        level: "event",
        cluster,
        service,
        instance: pod.instance,
        component: "stdout",
        message,
        task: pod.name,
      };
      return line;
    });
}

async function fetchPod(
  kube: Kube,
  cluster: string,
  service: string,
  pod: PodRef,
  query: Record<string, string>,
): Promise<{ lines: LogLine[]; unavailable: LogLine | null }> {
  const q = new URLSearchParams({ container: pod.container, timestamps: "true", ...query });
  try {
    const text = await kube.getText(`/api/v1/namespaces/${pod.namespace}/pods/${pod.name}/log?${q}`);
    return { lines: podLines(cluster, service, pod, text), unavailable: null };
  } catch (e) {
    const message = `logs of pod ${pod.name} are not available: ${(e as Error).message}`;
    const unavailable: LogLine = {
      timestamp: new Date().toISOString(),
      level: "event",
      cluster,
      service,
      instance: pod.instance,
      component: "task_lifecycle",
      message,
      task: pod.name,
    };
    return { lines: [], unavailable };
  }
}

/** The pods of a service (all instances), with the container that runs the instance. */
export async function servicePods(kube: Kube, service: string): Promise<PodRef[]> {
  const pods = await kube.list<KubeObject>(
    "v1",
    "Pod",
    `paasta.yelp.com/managed=true,paasta.yelp.com/service=${service}`,
  );
  return pods.map((p) => {
    const instance = p.metadata.labels?.["paasta.yelp.com/instance"] ?? "";
    const containers = ((p.spec as { containers?: Array<{ name: string }> } | undefined)?.containers ?? []).map(
      (c) => c.name,
    );
    return {
      namespace: p.metadata.namespace ?? "default",
      name: p.metadata.name,
      instance,
      container: containers[0] ?? "",
    };
  });
}

export async function readPodLogs(
  kube: Kube,
  cluster: string,
  service: string,
  filter: LogFilter,
  limit: number,
): Promise<LogTail> {
  const pods = (await servicePods(kube, service)).filter(
    (p) => !filter.instances?.length || filter.instances.includes(p.instance),
  );
  const query: Record<string, string> = { tailLines: String(limit) };
  if (filter.from) query.sinceTime = filter.from.toISOString();
  const got = await Promise.all(pods.map((p) => fetchPod(kube, cluster, service, p, query)));
  // Said once, when the tail starts; following does not repeat it.
  const all = got.flatMap((g) => (g.unavailable ? [...g.lines, g.unavailable] : g.lines));
  const lines = all
    .filter((l) => matches(l, filter))
    .sort((a, b) => a.timestamp.localeCompare(b.timestamp))
    .slice(-limit);
  let since = lines.at(-1)?.timestamp ?? new Date().toISOString();
  return {
    lines,
    async next() {
      const got = await Promise.all(pods.map((p) => fetchPod(kube, cluster, service, p, { sinceTime: since })));
      const fresh = got.flatMap((g) => g.lines);
      const newer = fresh.filter((l) => l.timestamp > since && matches(l, filter));
      since = newer.at(-1)?.timestamp ?? since;
      return newer.sort((a, b) => a.timestamp.localeCompare(b.timestamp));
    },
  };
}
