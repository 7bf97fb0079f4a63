/**
 * Where pods may run (reference §1.6, §7.3): nodeSelector from string selectors and the pool, node affinity from
 * list/operator selectors, deploy black/white lists and pool affinities, pod anti-affinity, topology spread.
 */
import type { NodeSelectorValue, ResolvedAffinityTarget } from "../../../config/types.js";
import type { DesiredApp } from "../../../model/app.js";
import { selectorLabels } from "./labels.js";
import type { Json } from "./types.js";

const YELP_LOCATION = new Set(["datacenter", "ecosystem", "habitat", "hostname", "region", "superregion"]);

/** PaaSTA rewrites some label names: instance_type → node.kubernetes.io/instance-type, region → yelp.com/region … */
export function nodeLabel(name: string): string {
  if (name === "instance_type" || name === "instance-type") return "node.kubernetes.io/instance-type";
  if (YELP_LOCATION.has(name)) return `yelp.com/${name}`;
  return name;
}

type Requirement = { key: string; operator: string; values?: string[] };

function requirements(selectors: Readonly<Record<string, NodeSelectorValue>>): {
  plain: Record<string, string>;
  exprs: Requirement[];
} {
  const plain: Record<string, string> = {};
  const exprs: Requirement[] = [];
  for (const [name, value] of Object.entries(selectors).sort(([a], [b]) => a.localeCompare(b))) {
    const key = nodeLabel(name);
    if (typeof value === "string") plain[key] = value;
    else if (value.every((v) => typeof v === "string"))
      exprs.push({ key, operator: "In", values: [...(value as readonly string[])] });
    else {
      for (const r of value as Exclude<NodeSelectorValue, string | readonly string[]>) {
        if (r.operator === "Exists" || r.operator === "DoesNotExist") exprs.push({ key, operator: r.operator });
        else if (r.operator === "Gt" || r.operator === "Lt")
          exprs.push({ key, operator: r.operator, values: [String(r.value)] });
        else exprs.push({ key, operator: r.operator, values: [...(r.values ?? [])] });
      }
    }
  }
  return { plain, exprs };
}

export function nodeSelector(app: DesiredApp): Record<string, string> {
  return { ...requirements(app.config.placement.node_selectors).plain, "yelp.com/pool": app.config.pool };
}

export function affinity(app: DesiredApp): Json | undefined {
  const p = app.config.placement;
  const required = requirements(p.node_selectors).exprs;
  if (p.deploy_whitelist)
    required.push({ key: nodeLabel(p.deploy_whitelist[0]), operator: "In", values: [...p.deploy_whitelist[1]] });
  for (const [type, value] of p.deploy_blacklist) {
    required.push({ key: nodeLabel(type), operator: "NotIn", values: [value] });
  }
  if (p.pool_node_affinity) required.push(...requirements(p.pool_node_affinity).exprs);
  const preferred = p.node_selectors_preferred.map((n) => ({
    weight: n.weight,
    preference: { matchExpressions: requirements(n.preferences).exprs },
  }));
  const out: Json = {};
  if (required.length > 0 || preferred.length > 0) {
    const node: Json = {};
    if (required.length > 0)
      node.requiredDuringSchedulingIgnoredDuringExecution = { nodeSelectorTerms: [{ matchExpressions: required }] };
    if (preferred.length > 0) node.preferredDuringSchedulingIgnoredDuringExecution = preferred;
    out.nodeAffinity = node;
  }
  const anti = antiAffinity(app);
  if (anti) out.podAntiAffinity = anti;
  return Object.keys(out).length > 0 ? out : undefined;
}

function antiAffinity(app: DesiredApp): Json | undefined {
  const term = (r: ResolvedAffinityTarget) => {
    const matchLabels: Record<string, string> = {};
    if (r.service) matchLabels["paasta.yelp.com/service"] = r.service;
    if (r.instance) matchLabels["paasta.yelp.com/instance"] = r.instance;
    return { labelSelector: { matchLabels }, topologyKey: "kubernetes.io/hostname" };
  };
  const required = app.config.placement.anti_affinity.map(term);
  const preferred = app.config.placement.anti_affinity_preferred.map((r) => ({
    weight: r.weight,
    podAffinityTerm: term(r),
  }));
  if (required.length === 0 && preferred.length === 0) return undefined;
  const out: Json = {};
  if (required.length > 0) out.requiredDuringSchedulingIgnoredDuringExecution = required;
  if (preferred.length > 0) out.preferredDuringSchedulingIgnoredDuringExecution = preferred;
  return out;
}

export function topologySpread(app: DesiredApp): Json[] | undefined {
  const list = app.config.placement.topology_spread_constraints;
  if (list.length === 0) return undefined;
  return list.map((c) => {
    const out: Json = {
      labelSelector: { matchLabels: selectorLabels(app) },
      maxSkew: c.max_skew,
      topologyKey: c.topology_key,
      whenUnsatisfiable: c.when_unsatisfiable,
    };
    if (c.match_label_keys) out.matchLabelKeys = [...c.match_label_keys];
    return out;
  });
}
