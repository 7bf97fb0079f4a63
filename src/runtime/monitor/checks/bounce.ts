/**
 * Bounce stuck: a deploy that makes no progress for longer than `monitoring_bounce_stuck_seconds`. Progress
 * is a change of what counts (the version converged to, its healthy replicas, the old versions' replicas);
 * starting and crashing tasks alone are not progress. The output has the reason status computes
 * ("health check failed 3/3: HTTP 500 from /status").
 */
import type { ResolvedInstanceConfig } from "../../../config/types.js";
import type { InstanceStatus } from "../../../model/status.js";
import { type MonitoringEvent, monitoringEvent } from "../event.js";

/** What the monitor remembers of a bounce between passes: what counted last, and since when. */
export interface BounceProgress {
  readonly fingerprint: string;
  readonly since: string;
}

function fingerprint(status: InstanceStatus): string {
  const current = status.versions.find((v) => v.desired);
  const old = status.versions.filter((v) => !v.desired).reduce((n, v) => n + v.replicas, 0);
  return `${current?.config_hash ?? "-"}|${current?.ready_replicas ?? 0}|${old}|${status.desired_instances}`;
}

/** The next progress record: none when the instance is not bouncing; reset whenever something counted changed. */
export function trackProgress(
  prev: BounceProgress | undefined,
  status: InstanceStatus,
  now: Date,
): BounceProgress | undefined {
  if (status.deploy_status === "Running" || status.deploy_status === "Stopped") return undefined;
  const fp = fingerprint(status);
  return prev && prev.fingerprint === fp ? prev : { fingerprint: fp, since: now.toISOString() };
}

function minutes(seconds: number): string {
  return seconds < 120 ? `${Math.round(seconds)}s` : `${Math.round(seconds / 60)}m`;
}

export function bounceStuckCheck(
  config: ResolvedInstanceConfig,
  status: InstanceStatus,
  progress: BounceProgress | undefined,
  now: Date,
  limitSeconds: number,
  cluster: string,
): MonitoringEvent | undefined {
  const { service, instance } = config;
  const stuckFor = progress ? (now.getTime() - Date.parse(progress.since)) / 1000 : 0;
  const stuck = progress !== undefined && stuckFor >= limitSeconds;
  const current = status.versions.find((v) => v.desired);
  const output = stuck
    ? [
        `${service}.${instance}: the bounce to ${current?.git_sha.slice(0, 8) ?? "?"} (${current?.config_hash ?? "?"}) has made no progress for ${minutes(stuckFor)} (limit ${minutes(limitSeconds)})`,
        status.deploy_status_message ?? status.deploy_status,
      ].join("\n")
    : `${service}.${instance}: ${progress ? `bouncing, last progress ${minutes(stuckFor)} ago` : status.deploy_status}`;
  return monitoringEvent(config.monitoring, {
    check: "bounce_stuck",
    name: `check_paasta_bounce_progress.${service}.${instance}`,
    service,
    instance,
    cluster,
    status: stuck ? 2 : 0,
    output,
    // The stuck time is the wait already: alert as soon as it is reached unless alert_after says otherwise.
    defaults: {
      alert_after: "0s",
      tip: `Roll back with: paasta rollback -s ${service} -l ${config.deploy_group}; details: paasta status -s ${service} -i ${instance} -c ${cluster} -vv`,
    },
  });
}
