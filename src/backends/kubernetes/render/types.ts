/** Plain Kubernetes object shapes for rendering (what we write; the API server adds the rest). */
export type Json = Record<string, unknown>;

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

/** Inputs of rendering that do not come from the app: what runs now. */
export interface RenderContext {
  /** Live replicas of an autoscaled workload (kept, clamped to [min, max]); undefined when it does not exist. */
  readonly currentReplicas?: number;
}

export const MANAGED = "paasta.yelp.com/managed";
export const FIELD_MANAGER = "paasta";
