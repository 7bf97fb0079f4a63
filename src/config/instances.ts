/** Enumerating what a soa-configs tree declares: instances per service and cluster. */

import { INSTANCE_TYPES, type InstanceType } from "./kinds.js";
import { instanceNames } from "./resolve/index.js";
import { findFile, type ServiceDir, serviceClusters } from "./soa.js";

export interface InstanceRef {
  readonly service: string;
  readonly cluster: string;
  /** For Tron: `JOB.ACTION`. */
  readonly instance: string;
  readonly kind: InstanceType;
}

/** Every instance of a service (Tron actions as JOB.ACTION), optionally restricted to some clusters, sorted. */
export function listInstances(svc: ServiceDir, clusters?: readonly string[]): InstanceRef[] {
  const out: InstanceRef[] = [];
  for (const cluster of clusters ?? serviceClusters(svc)) {
    for (const kind of INSTANCE_TYPES) {
      for (const name of instanceNames(svc, kind, cluster)) {
        if (kind !== "tron") {
          out.push({ service: svc.name, cluster, instance: name, kind });
          continue;
        }
        for (const action of tronActionNames(svc, cluster, name)) {
          out.push({ service: svc.name, cluster, instance: `${name}.${action}`, kind });
        }
      }
    }
  }
  return out.sort((a, b) => a.cluster.localeCompare(b.cluster) || a.instance.localeCompare(b.instance));
}

function tronActionNames(svc: ServiceDir, cluster: string, job: string): string[] {
  const jobValue = (findFile(svc, "tron", cluster)?.doc?.value as Record<string, unknown> | undefined)?.[job];
  const actions = (jobValue as { actions?: unknown } | undefined)?.actions;
  if (Array.isArray(actions)) {
    return actions.map((a, i) =>
      typeof (a as { name?: unknown })?.name === "string" ? (a as { name: string }).name : `action${i}`,
    );
  }
  return actions !== null && typeof actions === "object" ? Object.keys(actions) : [];
}
