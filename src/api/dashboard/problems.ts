/**
 * What the dashboard says about an instance at a glance: its state (PaaSTA's deploy status, or Stuck when the
 * monitor reports the bounce makes no progress), healthy/expected, and problem badges (crash loop, stuck
 * bounce, firing alerts). Pure: from the status and the alerts the API serves.
 */
import { DEFAULTS } from "../../config/resolve/defaults.js";
import type { ActiveAlert } from "../../model/alerts.js";
import type { InstanceStatus } from "../../model/status.js";

export type InstanceState = "Running" | "Deploying" | "Waiting" | "Stopped" | "Stuck" | "Not deployed" | "Unknown";

export interface Badge {
  readonly kind: "crash-loop" | "stuck" | "alert" | "config" | "unreachable";
  readonly text: string;
  /** Why, in words (the hover text). */
  readonly detail: string;
}

export interface Glance {
  readonly state: InstanceState;
  readonly healthy: number;
  readonly expected: number;
  readonly badges: readonly Badge[];
}

/** Restarts of the version the instance converges to: each task's, or the failures the backend remembers. */
export function currentRestarts(s: InstanceStatus): number {
  const current = s.versions.find((v) => v.desired);
  if (!current) return 0;
  return Math.max(0, ...current.tasks.map((t) => t.restarts), current.failures?.count ?? 0);
}

/** The monitor's crash-loop rule (restarts of the running version at the threshold, not fully healthy). */
export function crashLooping(s: InstanceStatus, threshold: number = DEFAULTS.crash_loop_restarts): boolean {
  const current = s.versions.find((v) => v.desired);
  const wanted = s.desired_state === "start" ? s.desired_instances : 0;
  return current !== undefined && wanted > 0 && currentRestarts(s) >= threshold && current.ready_replicas < wanted;
}

export function glance(status: InstanceStatus | undefined, alerts: readonly ActiveAlert[], deployed: boolean): Glance {
  const badges: Badge[] = [];
  const stuck = alerts.find((a) => a.kind === "bounce_stuck");
  const loop = alerts.find((a) => a.kind === "crash_loop");
  if (loop || (status && crashLooping(status))) {
    const restarts = status ? currentRestarts(status) : 0;
    badges.push({ kind: "crash-loop", text: "crash loop", detail: loop?.output ?? `${restarts} restarts` });
  }
  if (stuck) badges.push({ kind: "stuck", text: "bounce stuck", detail: stuck.output });
  const firing = alerts.filter((a) => a.state === "firing");
  if (firing.length > 0) {
    badges.push({
      kind: "alert",
      text: `${firing.length} alert${firing.length === 1 ? "" : "s"} firing`,
      detail: firing.map((a) => a.output.split("\n")[0]).join("\n"),
    });
  }
  if (!status) return { state: deployed ? "Unknown" : "Not deployed", healthy: 0, expected: 0, badges };
  const healthy = status.versions.reduce((n, v) => n + v.ready_replicas, 0);
  const expected = status.desired_state === "start" ? status.desired_instances : 0;
  const bouncing = status.deploy_status === "Deploying" || status.deploy_status === "Waiting";
  return { state: stuck && bouncing ? "Stuck" : status.deploy_status, healthy, expected, badges };
}

/** The version label: short SHA, with the image version when there is one. */
export function versionLabel(v: { git_sha: string; image_version: string | null }): string {
  return `${v.git_sha.slice(0, 8)}${v.image_version ? `+${v.image_version}` : ""}`;
}
