/**
 * Every managed instance's status from three list calls (Deployments, StatefulSets, Pods carrying the managed
 * label), whatever the instance count: what `status(ref)` computes per instance, for readers that look at
 * all of them every pass (the monitor). The one place to switch to an informer cache's lists.
 */
import type { InstanceStatus } from "../backend.js";
import type { Kube } from "./client.js";
import { type KubeObject, MANAGED } from "./render/types.js";
import { instanceStatus } from "./status.js";

type Pods = Parameters<typeof instanceStatus>[3];

const SERVICE = "paasta.yelp.com/service";
const INSTANCE = "paasta.yelp.com/instance";

export async function listStatuses(kube: Kube, cluster: string): Promise<InstanceStatus[]> {
  const selector = `${MANAGED}=true`;
  const [deployments, statefulsets, pods] = await Promise.all([
    kube.list<KubeObject>("apps/v1", "Deployment", selector),
    kube.list<KubeObject>("apps/v1", "StatefulSet", selector),
    kube.list<KubeObject>("v1", "Pod", selector),
  ]);
  return statusesFrom(cluster, [...deployments, ...statefulsets], pods as Pods);
}

/** Pure: one status per service.instance, from its workload (the newest copy during a namespace move) and pods. */
export function statusesFrom(cluster: string, workloads: readonly KubeObject[], pods: Pods): InstanceStatus[] {
  const podsByKey = new Map<string, Pods>();
  for (const p of pods) {
    const l = p.metadata.labels ?? {};
    const key = `${p.metadata.namespace}/${l[SERVICE]}.${l[INSTANCE]}`;
    podsByKey.set(key, [...(podsByKey.get(key) ?? []), p]);
  }
  const chosen = new Map<string, KubeObject>();
  for (const w of workloads) {
    const l = w.metadata.labels ?? {};
    if (!l[SERVICE] || !l[INSTANCE] || !l["paasta.yelp.com/config_sha"]) continue;
    const key = `${l[SERVICE]}.${l[INSTANCE]}`;
    const prev = chosen.get(key);
    const sha = (o: KubeObject) => String(o.metadata.labels?.["paasta.yelp.com/config_sha"]);
    if (!prev || sha(w).localeCompare(sha(prev)) > 0) chosen.set(key, w);
  }
  return [...chosen].map(([key, w]) => {
    const l = w.metadata.labels ?? {};
    const ref = { service: l[SERVICE] as string, instance: l[INSTANCE] as string };
    return instanceStatus(ref, cluster, w, podsByKey.get(`${w.metadata.namespace}/${key}`) ?? []);
  });
}
