/**
 * The contract's input: what an app should be on a cluster. Assembled by `reconcile/desired.ts` from the
 * resolved config, deployments.json and the controls; read by every backend. It lives below both reconcile and
 * backends so that neither imports the other's types (reconcile imports backends, never the reverse).
 */
import type { ResolvedInstanceConfig } from "../config/types.js";
import type { AutoscalingControl } from "./autoscaling.js";

export interface AppRef {
  readonly service: string;
  readonly instance: string;
}

export function appKey(ref: AppRef): string {
  return `${ref.service}.${ref.instance}`;
}

export interface DesiredApp {
  readonly service: string;
  readonly instance: string;
  readonly cluster: string;
  readonly config: ResolvedInstanceConfig;
  readonly git_sha: string;
  readonly image_version: string | null;
  /** `services-S:paasta-SHA[-IV]` (relative to the registry). */
  readonly docker_image: string;
  /** The full image URL, when a registry is configured. */
  readonly image_url: string | null;
  /** The service's repository, resolved (for the process executor's checkout). */
  readonly git_url: string | null;
  readonly desired_state: "start" | "stop";
  readonly force_bounce: string | null;
  readonly config_hash: string;
  /** Replicas wanted now: 0 when stopped; `instances`, or `min_instances` when autoscaled (no metrics here). */
  readonly replicas: number;
  /**
   * `SECRET(name)` → signature (SHA-256 of its ciphertext) of each secret the app refers to; absent when none.
   * Part of the config hash (a rotation bounces); the Kubernetes backend compares it with its Secrets'.
   */
  readonly secret_signatures?: Readonly<Record<string, string>>;
  /** An active autoscaling override or pause of this (autoscaled) app; absent when none applies. */
  readonly autoscaling?: AutoscalingControl;
}
