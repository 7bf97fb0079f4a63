/**
 * References to secrets in soa-configs: `SECRET(name)` (the service's `secrets/name.json`) and
 * `SHARED_SECRET(name)` (`_shared/secrets/name.json`), in `env` values and `secret_volumes[].secret_name`.
 */
import { SECRET_REF } from "../config/patterns.js";

export interface SecretRef {
  readonly name: string;
  /** SHARED_SECRET(name): the secret lives under `_shared/`, usable by every service. */
  readonly shared: boolean;
}

/** The pseudo-service of shared secrets (PaaSTA's SHARED_SECRET_SERVICE). */
export const SHARED_SECRET_SERVICE = "_shared";

/** Names `paasta secret` accepts (PaaSTA's check_secret_name): letters, digits, `-`, `_`, not starting with `-`/`_`. */
export const SECRET_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/** The reference an env value makes, or undefined when the value is not exactly `SECRET(…)`/`SHARED_SECRET(…)`. */
export function parseSecretRef(value: string): SecretRef | undefined {
  const m = SECRET_REF.exec(value);
  return m ? { name: m[2] ?? "", shared: m[1] !== undefined } : undefined;
}

/** `SECRET(name)` or `SHARED_SECRET(name)`: how a secret is named to users (never its value). */
export function formatSecretRef(ref: SecretRef): string {
  return `${ref.shared ? "SHARED_" : ""}SECRET(${ref.name})`;
}

/** Env variables whose value is a secret reference, in key order. */
export function secretEnvRefs(env: Readonly<Record<string, string>>): [string, SecretRef][] {
  const out: [string, SecretRef][] = [];
  for (const key of Object.keys(env).sort()) {
    const ref = parseSecretRef(env[key] as string);
    if (ref) out.push([key, ref]);
  }
  return out;
}

/** A `secret_volumes` entry, as the schema allows it (reference §1.5). */
export interface SecretVolume {
  readonly container_path: string;
  readonly secret_name: string;
  readonly default_mode?: string;
  readonly items?: readonly { readonly key: string; readonly path: string; readonly mode?: string }[];
}

/** The well-formed entries of a resolved `secret_volumes` list (the schema check reports the others). */
export function secretVolumesOf(list: readonly Readonly<Record<string, unknown>>[]): SecretVolume[] {
  return list.filter(
    (v): v is Readonly<Record<string, unknown>> & SecretVolume =>
      typeof v.container_path === "string" && typeof v.secret_name === "string",
  );
}

/** Every secret an instance refers to (env values, then secret volumes: always the service's own), deduplicated. */
export function referencedSecrets(
  env: Readonly<Record<string, string>>,
  volumes: readonly SecretVolume[],
): SecretRef[] {
  const seen = new Map<string, SecretRef>();
  const add = (ref: SecretRef) => seen.set(formatSecretRef(ref), ref);
  for (const [, ref] of secretEnvRefs(env)) add(ref);
  for (const v of volumes) add({ name: v.secret_name, shared: false });
  return [...seen.keys()].sort().map((k) => seen.get(k) as SecretRef);
}
