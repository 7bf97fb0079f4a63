/**
 * Where pods may run (reference §1.6, §7.3): nodeSelector from string selectors and the pool, node affinity from
 * list/operator selectors, deploy black/white lists and pool affinities, pod anti-affinity, topology spread.
 */
import type { DesiredApp } from "../../../model/app.js";
import { selectorLabels } from "./labels.js";
import type { Json, RenderContext } from "./types.js";

const YELP_LOCATION = new Set(["datacenter", "ecosystem", "habitat", "hostname", "region", "superregion"]);

/** PaaSTA rewrites some label names: instance_type → node.kubernetes.io/instance-type, region → yelp.com/region … */
export function nodeLabel(name: string): string {
  if (name === "instance_type" || name === "instance-type") return "node.kubernetes.io/instance-type";
  if (YELP_LOCATION.has(name)) return `yelp.com/${name}`;
  return name;
}

type Requirement = { key: string; operator: string; values?: string[] };

function requirements(selectors: Record<string, unknown>): { plain: Record<string, string>; exprs: Requirement[] } {
  const plain: Record<string, string> = {};
  const exprs: Requirement[] = [];
  for (const [name, value] of Object.entries(selectors).sort(([a], [b]) => a.localeCompare(b))) {
    const key = nodeLabel(name);
    if (typeof value === "string") plain[key] = value;
    else if (Array.isArray(value) && value.every((v) => typeof v === "string"))
      exprs.push({ key, operator: "In", values: [...(value as string[])] });
    else if (Array.isArray(value)) {
      for (const r of value as Array<{ operator: string; values?: string[]; value?: number }>) {
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
  const selectors = (app.config.raw.node_selectors ?? {}) as Record<string, unknown>;
  return { ...requirements(selectors).plain, "yelp.com/pool": app.config.pool };
}

export function affinity(app: DesiredApp, ctx: RenderContext): Json | undefined {
  const raw = app.config.raw;
  const required = requirements((raw.node_selectors ?? {}) as Record<string, unknown>).exprs;
  const whitelist = raw.deploy_whitelist as [string, string[]] | undefined;
  if (whitelist) required.push({ key: nodeLabel(whitelist[0]), operator: "In", values: [...whitelist[1]] });
  for (const [type, value] of (raw.deploy_blacklist ?? []) as Array<[string, string]>) {
    required.push({ key: nodeLabel(type), operator: "NotIn", values: [value] });
  }
  const poolAffinity = ctx.poolNodeAffinities?.[app.config.pool];
  if (poolAffinity && typeof poolAffinity === "object")
    required.push(...requirements(poolAffinity as Record<string, unknown>).exprs);
  const preferred = (
    (raw.node_selectors_preferred ?? []) as Array<{ weight: number; preferences: Record<string, unknown> }>
  ).map((p) => ({
    weight: p.weight,
    preference: { matchExpressions: requirements(p.preferences).exprs },
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
  const term = (r: { service?: string; instance?: string }) => {
    const matchLabels: Record<string, string> = {};
    if (r.service) matchLabels["paasta.yelp.com/service"] = r.service;
    if (r.instance) matchLabels["paasta.yelp.com/instance"] = r.instance;
    return { labelSelector: { matchLabels }, topologyKey: "kubernetes.io/hostname" };
  };
  const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
  const required = list(app.config.raw.anti_affinity as { service?: string; instance?: string } | undefined).map(term);
  const preferred = list(
    app.config.raw.anti_affinity_preferred as { service?: string; instance?: string; weight?: number } | undefined,
  ).map((r) => ({
    weight: r.weight ?? 1,
    podAffinityTerm: term(r),
  }));
  if (required.length === 0 && preferred.length === 0) return undefined;
  const out: Json = {};
  if (required.length > 0) out.requiredDuringSchedulingIgnoredDuringExecution = required;
  if (preferred.length > 0) out.preferredDuringSchedulingIgnoredDuringExecution = preferred;
  return out;
}

export function topologySpread(app: DesiredApp, ctx: RenderContext): Json[] | undefined {
  const own = app.config.raw.topology_spread_constraints as Json[] | undefined;
  const list = own ?? (ctx.topologySpreadConstraints as Json[] | undefined) ?? [];
  if (list.length === 0) return undefined;
  return list.map((c) => {
    const out: Json = {
      labelSelector: { matchLabels: selectorLabels(app) },
      maxSkew: (c.max_skew as number | undefined) ?? 1,
      topologyKey: c.topology_key,
      whenUnsatisfiable: (c.when_unsatisfiable as string | undefined) ?? "ScheduleAnyway",
    };
    if (Array.isArray(c.match_label_keys)) out.matchLabelKeys = c.match_label_keys;
    return out;
  });
}
