/**
 * Kubernetes-only settings of an instance (reference §1.6, §7.3, §7.4): placement (node selectors, deploy
 * lists, anti-affinity, topology spread, pool affinities) and pod/workload settings, with PaaSTA's defaults
 * and the system config's cluster-wide values where PaaSTA reads them.
 */
import type { SystemConfig } from "../system.js";
import type {
  NodeSelectorValue,
  ResolvedAffinityTarget,
  ResolvedPersistentVolume,
  ResolvedPlacement,
  ResolvedPodSettings,
  ResolvedSecretVolume,
  ResolvedTopologySpread,
} from "../types.js";
import { bool, type Dict, dictList, isDict, num, oneOrMany, str, strList } from "./coerce.js";
import { DEFAULTS } from "./defaults.js";

function selectors(v: unknown): Record<string, NodeSelectorValue> {
  return isDict(v) ? (v as Record<string, NodeSelectorValue>) : {};
}

function affinityTargets(v: unknown): ResolvedAffinityTarget[] {
  return oneOrMany(v).map((t) => ({
    service: str(t.service) ?? null,
    instance: str(t.instance) ?? null,
    weight: num(t.weight) ?? DEFAULTS.anti_affinity_weight,
  }));
}

function topologySpread(list: unknown): ResolvedTopologySpread[] {
  return dictList(list).flatMap((c) => {
    const key = str(c.topology_key);
    if (key === undefined) return [];
    const when = str(c.when_unsatisfiable) as ResolvedTopologySpread["when_unsatisfiable"] | undefined;
    return [
      {
        topology_key: key,
        max_skew: num(c.max_skew) ?? DEFAULTS.topology_max_skew,
        when_unsatisfiable: when ?? DEFAULTS.topology_when_unsatisfiable,
        match_label_keys: strList(c.match_label_keys) ?? null,
      },
    ];
  });
}

export function resolvePlacement(merged: Dict, pool: string, system: SystemConfig | undefined): ResolvedPlacement {
  const whitelist = merged.deploy_whitelist;
  const poolAffinity = system?.get("pool_node_affinities")?.[pool];
  return {
    node_selectors: selectors(merged.node_selectors),
    node_selectors_preferred: dictList(merged.node_selectors_preferred).map((p) => ({
      weight: num(p.weight) ?? 1,
      preferences: selectors(p.preferences),
    })),
    deploy_whitelist:
      Array.isArray(whitelist) && typeof whitelist[0] === "string" && strList(whitelist[1])
        ? [whitelist[0], strList(whitelist[1]) as string[]]
        : null,
    deploy_blacklist: (Array.isArray(merged.deploy_blacklist) ? merged.deploy_blacklist : []).flatMap((e) =>
      Array.isArray(e) && typeof e[0] === "string" && typeof e[1] === "string" ? [[e[0], e[1]] as const] : [],
    ),
    anti_affinity: affinityTargets(merged.anti_affinity),
    anti_affinity_preferred: affinityTargets(merged.anti_affinity_preferred),
    topology_spread_constraints: topologySpread(
      merged.topology_spread_constraints ?? system?.get("topology_spread_constraints"),
    ),
    pool_node_affinity: isDict(poolAffinity) ? selectors(poolAffinity) : null,
  };
}

export function resolvePodSettings(
  merged: Dict,
  margin: number | undefined,
  system: SystemConfig | undefined,
): ResolvedPodSettings {
  return {
    cap_add: [...(strList(merged.cap_add) ?? [])].sort(),
    privileged: merged.privileged === true,
    service_account_name: str(merged.service_account_name) ?? null,
    fs_group: num(merged.fs_group) ?? null,
    fs_group_change_policy: str(merged.fs_group_change_policy) ?? null,
    prometheus_port: num(merged.prometheus_port) ?? null,
    prometheus_path: str(merged.prometheus_path) ?? null,
    prometheus_shard: str(merged.prometheus_shard) ?? null,
    routable_ip: bool(merged.routable_ip) ?? false,
    pod_management_policy:
      (str(merged.pod_management_policy) as ResolvedPodSettings["pod_management_policy"] | undefined) ??
      DEFAULTS.pod_management_policy,
    unhealthy_pod_eviction_policy:
      (str(merged.unhealthy_pod_eviction_policy) as ResolvedPodSettings["unhealthy_pod_eviction_policy"]) ??
      system?.get("unhealthy_pod_eviction_policy") ??
      DEFAULTS.unhealthy_pod_eviction_policy,
    pdb_max_unavailable:
      margin !== undefined
        ? `${Math.trunc((1 - margin) * 100 + 1e-9)}%`
        : (system?.get("pdb_max_unavailable") ?? DEFAULTS.pdb_max_unavailable),
  };
}

export function resolvePersistentVolumes(v: unknown): ResolvedPersistentVolume[] {
  return dictList(v).map((pv) => ({
    container_path: String(pv.container_path),
    size_gib: num(pv.size) ?? 0,
    mode: pv.mode === "RW" || pv.mode === "RO" ? pv.mode : DEFAULTS.volume_mode,
    storage_class_name: str(pv.storage_class_name) ?? DEFAULTS.storage_class_name,
  }));
}

export function resolveSecretVolumes(v: unknown): ResolvedSecretVolume[] {
  return dictList(v).map((sv) => ({
    container_path: String(sv.container_path),
    secret_name: String(sv.secret_name),
    default_mode: str(sv.default_mode) ?? null,
    items: Array.isArray(sv.items) ? (dictList(sv.items) as unknown as ResolvedSecretVolume["items"]) : null,
  }));
}
