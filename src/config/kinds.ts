/** The kinds of soa-configs files, and recognising TYPE-CLUSTER.yaml names. No schema library needed. */

/** Instance file types, in PaaSTA's lookup order. */
export const INSTANCE_TYPES = ["adhoc", "kubernetes", "eks", "tron"] as const;
export type InstanceType = (typeof INSTANCE_TYPES)[number];

/** Long-running types that a backend deploys. */
export const LONG_RUNNING_TYPES = ["kubernetes", "eks"] as const;

export type FileKind = "service" | "monitoring" | "deploy" | "smartstack" | InstanceType;

/** `kubernetes-norcal-prod.yaml` → {kind, cluster}. */
export function parseInstanceFileName(name: string): { kind: InstanceType; cluster: string } | undefined {
  const m = /^(adhoc|kubernetes|eks|tron)-(.+)\.yaml$/.exec(name);
  if (!m) return undefined;
  return { kind: m[1] as InstanceType, cluster: m[2] as string };
}
