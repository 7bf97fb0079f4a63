/** Name patterns of soa-configs (reference §1.3). Plain regexes: no schema library needed to use them. */
import type { InstanceType } from "./schema/index.js";

/** Instance names of kubernetes/eks/adhoc files. */
export const INSTANCE_NAME = /^([a-z0-9]|[a-z0-9][a-z0-9_-]*[a-z0-9])*$/;
/** Tron job and action names. */
export const TRON_NAME = /^[A-Za-z_][\w-]{0,254}$/;
/** Deploy groups / pipeline steps. */
export const DEPLOY_GROUP = /^[a-zA-Z0-9_.-]+$/;
export const ENV_NAME = /^[a-zA-Z_]+[a-zA-Z0-9_]*$/;
export const SECRET_REF = /^(SHARED_)?SECRET\(([A-Za-z0-9_-]*)\)$/;

/** The pattern a top-level entry of a TYPE-CLUSTER.yaml must match. */
export function entryPattern(kind: InstanceType): RegExp {
  return kind === "tron" ? TRON_NAME : INSTANCE_NAME;
}
