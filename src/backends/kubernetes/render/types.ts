/** Plain Kubernetes object shapes for rendering (what we write; the API server adds the rest). */
export type Json = Record<string, unknown>;

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

/** Inputs of rendering that do not come from the app: the cluster's system config and what runs now. */
export interface RenderContext {
  /** Live replicas of an autoscaled workload (kept, clamped to [min, max]); undefined when it does not exist. */
  readonly currentReplicas?: number;
  /** System `pdb_max_unavailable` (default 0). */
  readonly pdbMaxUnavailable?: string | number;
  /** System `unhealthy_pod_eviction_policy` (default IfHealthyBudget). */
  readonly unhealthyPodEvictionPolicy?: "AlwaysAllow" | "IfHealthyBudget";
  /** System `topology_spread_constraints` (defaults for instances that set none). */
  readonly topologySpreadConstraints?: ReadonlyArray<Json>;
  /** System `pool_node_affinities` (pool → selector map). */
  readonly poolNodeAffinities?: Readonly<Record<string, unknown>>;
}

export const MANAGED = "paasta.yelp.com/managed";
export const FIELD_MANAGER = "paasta";
