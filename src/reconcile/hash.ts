/**
 * The config hash: a stable digest of everything about an app that must replace its running tasks when it
 * changes (a bounce). Replica counts, autoscaling bounds and alerting do not bounce, as in PaaSTA. Format:
 * `config` + 8 hex digits of md5, like PaaSTA's config_sha.
 */
import { createHash } from "node:crypto";
import type { ResolvedInstanceConfig } from "../config/types.js";
import { stableJson } from "../model/stable-json.js";

export { stableJson };

/** Resolved fields whose change scales, re-alerts or re-routes but never bounces (as in PaaSTA). */
export const NON_BOUNCE_FIELDS: ReadonlySet<string> = new Set([
  "instances",
  "min_instances",
  "max_instances",
  "autoscaled",
  "metrics_providers",
  "scaledown",
  "monitoring",
  "replication_threshold",
  // the proxy's settings for the namespace: the proxy is reconfigured, tasks keep running
  "mesh",
  // kept for messages only
  "source",
  "explicit",
]);

/** Pod settings that shape the PodDisruptionBudget, not the pods. */
const PDB_ONLY: ReadonlySet<string> = new Set(["pdb_max_unavailable", "unhealthy_pod_eviction_policy"]);

export interface HashInput {
  readonly config: ResolvedInstanceConfig;
  readonly git_sha: string;
  readonly image_version: string | null;
  readonly image: string | null;
  readonly force_bounce: string | null;
  /** `SECRET(name)` → signature of each referenced secret: a rotation bounces (hashed only when there are some). */
  readonly secrets?: Readonly<Record<string, string>>;
}

export function configHash(input: HashInput): string {
  const resolved = omit(input.config as unknown as Record<string, unknown>, (k) => NON_BOUNCE_FIELDS.has(k));
  resolved.pod = omit(input.config.pod as unknown as Record<string, unknown>, (k) => PDB_ONLY.has(k));
  const payload = {
    resolved,
    git_sha: input.git_sha,
    image_version: input.image_version,
    image: input.image,
    force_bounce: input.force_bounce,
    // Only when the app has secrets, so that the hash of every other app is what it was before secrets existed.
    ...(input.secrets && Object.keys(input.secrets).length > 0 ? { secrets: input.secrets } : {}),
  };
  return `config${createHash("md5").update(stableJson(payload)).digest("hex").slice(0, 8)}`;
}

function omit(obj: Readonly<Record<string, unknown>>, drop: (k: string) => boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (!drop(k)) out[k] = v;
  return out;
}
