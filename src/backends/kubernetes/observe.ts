/**
 * Observed apps from live workloads, pure: one entry per workload carrying all of paasta's identifying labels
 * (anything else is not ours and never touched); a workload being deleted is already on its way out.
 */
import type { ObservedApp } from "../backend.js";
import { isDeleting, type Live } from "./live.js";

const REQUIRED = [
  "paasta.yelp.com/service",
  "paasta.yelp.com/instance",
  "paasta.yelp.com/git_sha",
  "paasta.yelp.com/config_sha",
] as const;

export function isOurs(w: Live): boolean {
  const l = w.metadata.labels ?? {};
  return REQUIRED.every((k) => l[k]);
}

export function observedApps(workloads: readonly Live[]): ObservedApp[] {
  const observed: ObservedApp[] = [];
  for (const w of workloads) {
    if (!isOurs(w) || isDeleting(w)) continue;
    const l = w.metadata.labels as Record<string, string>;
    observed.push({
      service: l["paasta.yelp.com/service"] as string,
      instance: l["paasta.yelp.com/instance"] as string,
      namespace: w.metadata.namespace,
      desired_config_hash: l["paasta.yelp.com/config_sha"] as string,
      desired_replicas: w.spec?.replicas ?? 0,
      versions: [
        {
          git_sha: l["paasta.yelp.com/git_sha"] as string,
          image_version: l["paasta.yelp.com/image_version"] ?? null,
          config_hash: l["paasta.yelp.com/config_sha"] as string,
          replicas: w.status?.replicas ?? 0,
          ready_replicas: w.status?.readyReplicas ?? 0,
        },
      ],
    });
  }
  return observed;
}
