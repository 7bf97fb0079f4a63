/**
 * The control branches of a service: `CLUSTER.INSTANCE` for kubernetes/eks/adhoc instances and
 * `CLUSTER.JOB.ACTION` for Tron actions, each with its deploy group, over every cluster named by the
 * service's files. An instance whose config is broken keeps its branch when its deploy group can still be
 * read (so a typo elsewhere never drops a deployment); otherwise it is skipped and reported.
 */

import { LONG_RUNNING_TYPES } from "../config/kinds.js";
import { instanceNames, resolveInstance, resolveTronJob } from "../config/resolve/index.js";
import { type ServiceDir, serviceClusters } from "../config/soa.js";
import type { SystemConfig } from "../config/system.js";

export interface Branch {
  readonly cluster: string;
  readonly instance: string;
  readonly kind: "kubernetes" | "eks" | "adhoc" | "tron";
  readonly deployGroup: string;
}

export function controlBranches(svc: ServiceDir, system?: SystemConfig): { branches: Branch[]; skipped: string[] } {
  const branches: Branch[] = [];
  const skipped: string[] = [];
  const opts = { bestEffort: true };
  for (const cluster of serviceClusters(svc)) {
    for (const kind of [...LONG_RUNNING_TYPES, "adhoc"] as const) {
      for (const instance of instanceNames(svc, kind, cluster)) {
        const r = resolveInstance(svc, system, cluster, instance, kind, opts);
        const cfg = r.ok ? r.config : r.partial;
        if (cfg && !/[{}]/.test(cfg.deploy_group))
          branches.push({ cluster, instance, kind, deployGroup: cfg.deploy_group });
        else skipped.push(`${cluster}.${instance}`);
      }
    }
    for (const job of instanceNames(svc, "tron", cluster)) {
      const r = resolveTronJob(svc, system, cluster, job, opts);
      const cfg = r.ok ? r.config : r.partial;
      if (!cfg) {
        skipped.push(`${cluster}.${job}`);
        continue;
      }
      for (const a of cfg.actions) {
        if (a.deploy_group && a.service === svc.name)
          branches.push({ cluster, instance: a.instance, kind: "tron", deployGroup: a.deploy_group });
      }
    }
  }
  return { branches, skipped };
}

export function branchMap(branches: readonly Branch[]): Map<string, string> {
  return new Map(branches.map((b) => [`${b.cluster}.${b.instance}`, b.deployGroup]));
}
