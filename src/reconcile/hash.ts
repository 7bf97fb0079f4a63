/**
 * The config hash: a stable digest of everything about an app that must replace its running tasks when it
 * changes (a bounce). Replica counts, autoscaling bounds and alerting do not bounce, as in PaaSTA. Format:
 * `config` + 8 hex digits of md5, like PaaSTA's config_sha.
 */
import { createHash } from "node:crypto";
import type { ResolvedInstanceConfig } from "../config/types.js";

/** Keys whose change scales or re-alerts but never bounces. */
export const NON_BOUNCE_KEYS: ReadonlySet<string> = new Set([
  "instances",
  "min_instances",
  "max_instances",
  "autoscaling",
  "monitoring",
  "replication_threshold",
]);

/** Keys of the general config (service.yaml and the synthetic ones) that say nothing about how tasks run. */
const GENERAL_ONLY_KEYS: ReadonlySet<string> = new Set([
  "description",
  "external_link",
  "git_url",
  "deploy",
  "smartstack",
  "needs_puppet_help",
]);

/** Resolved fields derived from non-bounce keys or kept for messages. */
const RESOLVED_SKIP: ReadonlySet<string> = new Set([
  "raw",
  "source",
  "autoscaled",
  "metrics_providers",
  "scaledown_policies",
]);

export interface HashInput {
  readonly config: ResolvedInstanceConfig;
  readonly git_sha: string;
  readonly image_version: string | null;
  readonly image: string | null;
  readonly force_bounce: string | null;
  /** System config values that change what a backend renders for the app (e.g. default topology spread). */
  readonly system?: Readonly<Record<string, unknown>>;
}

export function configHash(input: HashInput): string {
  const resolved = omit(
    input.config as unknown as Record<string, unknown>,
    (k) => RESOLVED_SKIP.has(k) || NON_BOUNCE_KEYS.has(k),
  );
  const raw = omit(input.config.raw, (k) => NON_BOUNCE_KEYS.has(k) || GENERAL_ONLY_KEYS.has(k));
  const payload = {
    resolved,
    raw,
    git_sha: input.git_sha,
    image_version: input.image_version,
    image: input.image,
    force_bounce: input.force_bounce,
    system: input.system ?? {},
  };
  return `config${createHash("md5").update(stableJson(payload)).digest("hex").slice(0, 8)}`;
}

function omit(obj: Readonly<Record<string, unknown>>, drop: (k: string) => boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (!drop(k)) out[k] = v;
  return out;
}

/** JSON with sorted keys at every level: the same value always gives the same text. */
export function stableJson(v: unknown): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v) ?? "null";
  if (Array.isArray(v)) return `[${v.map(stableJson).join(",")}]`;
  const entries = Object.keys(v)
    .sort()
    .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`);
  return `{${entries.join(",")}}`;
}
