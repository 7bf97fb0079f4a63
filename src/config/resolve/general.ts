/**
 * What every resolution shares: the general config an instance inherits (service.yaml plus the synthetic
 * `monitoring`, `deploy` and `smartstack` keys), instance names, deploy_group interpolation, and the
 * rule that strict resolution only ever sees schema-checked files.
 */
import { entryPattern } from "../patterns.js";
import type { Problem } from "../problem.js";
import type { InstanceType } from "../schema/index.js";
import type { ServiceYaml } from "../schema/service.js";
import { fileValue, findFile, type ServiceDir } from "../soa.js";
import { type Dict, isDict } from "./coerce.js";

export interface ResolveOptions {
  /**
   * Resolve even when the files involved have schema problems (validate reports those itself and wants the
   * rules' findings too). Never used to deploy: a config with problems is never applied.
   */
  readonly bestEffort?: boolean;
}

export type Resolved<T> =
  | { ok: true; config: T }
  /** `partial`: with `bestEffort`, what could be resolved despite the problems (for further checks only). */
  | { ok: false; problems: Problem[]; partial?: T };

/** The general config: service.yaml's keys (typed by its schema) and the synthetic file keys. */
export type GeneralConfig = ServiceYaml & { monitoring: Dict; deploy: Dict; smartstack: Dict };

const generalCache = new WeakMap<ServiceDir, GeneralConfig>();

export function generalConfig(svc: ServiceDir): GeneralConfig {
  const cached = generalCache.get(svc);
  if (cached) return cached;
  const general = {
    ...(fileValue(svc, "service") as ServiceYaml),
    monitoring: fileValue(svc, "monitoring"),
    deploy: fileValue(svc, "deploy"),
    smartstack: fileValue(svc, "smartstack"),
  };
  generalCache.set(svc, general);
  return general;
}

/** Names of the instances (not templates) in a TYPE-CLUSTER.yaml of the service. Tron: job names. */
export function instanceNames(svc: ServiceDir, kind: InstanceType, cluster: string): string[] {
  const value = findFile(svc, kind, cluster)?.doc?.value;
  const pattern = entryPattern(kind);
  return isDict(value)
    ? Object.keys(value).filter((k) => !k.startsWith("_") && (!pattern || pattern.test(k)) && isDict(value[k]))
    : [];
}

/** Formats `{cluster}`, `{instance}`, `{service}` like Python's str.format; unknown placeholders are problems. */
export function interpolateDeployGroup(
  template: string,
  vars: { cluster: string; instance: string; service: string },
): string | { error: string } {
  let error: string | undefined;
  const out = template.replace(/\{([^{}]*)\}/g, (_, name: string) => {
    if (name === "cluster" || name === "instance" || name === "service") return vars[name];
    error = `unknown placeholder {${name}} (allowed: {cluster}, {instance}, {service})`;
    return "";
  });
  return error ? { error } : out;
}

/** Schema problems of the files every instance inherits from. */
export function generalProblems(svc: ServiceDir): Problem[] {
  return svc.files
    .filter((f) => ["service", "monitoring", "deploy", "smartstack"].includes(f.kind))
    .flatMap((f) => f.problems);
}

/** Strict resolution decides what runs: it must see schema problems, so the directory must be checked. */
export function assertChecked(svc: ServiceDir): void {
  if (!svc.checked)
    throw new Error(
      `internal: resolving ${svc.name} strictly needs a schema-checked ServiceDir (file-check.ts loadServiceDir)`,
    );
}

/** The keys a mapping sets, with `prefix.` for the nested mappings listed (sorted; for `explicit`). */
export function explicitKeys(value: Dict, nested: readonly string[] = []): string[] {
  const out = Object.keys(value).filter((k) => value[k] !== undefined);
  for (const n of nested) {
    const inner = value[n];
    if (isDict(inner)) out.push(...Object.keys(inner).map((k) => `${n}.${k}`));
  }
  return out.sort();
}
