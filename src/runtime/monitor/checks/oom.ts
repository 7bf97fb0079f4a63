/**
 * PaaSTA's `oom-killer.S.I` (reference §8.4): CRITICAL when at least `oom_kills_threshold` OOM kills were
 * reported for the instance within the last check interval; never pages, alerts at once; off with
 * `monitoring.check_oom_events: false`. Kills are reported as `task.exited` events whose reason says OOM
 * (where the executor or the cluster can tell; the local process executor cannot).
 */
import { DEFAULTS } from "../../../config/resolve/defaults.js";
import type { ResolvedMonitoring } from "../../../config/types.js";
import { type MonitoringEvent, monitoringEvent } from "../event.js";

export interface OomKill {
  readonly at: string;
  readonly task: string;
  readonly reason: string;
}

export function isOomReason(reason: string | null | undefined): boolean {
  return reason !== null && reason !== undefined && /oom ?kill|out of memory/i.test(reason);
}

export function oomCheck(
  monitoring: ResolvedMonitoring,
  ref: { service: string; instance: string; cluster: string },
  kills: readonly OomKill[],
  now: Date,
  windowSeconds: number,
): MonitoringEvent | undefined {
  if (!monitoring.check_oom_events) return undefined;
  const recent = kills.filter((k) => now.getTime() - Date.parse(k.at) <= windowSeconds * 1000);
  const critical = recent.length >= DEFAULTS.oom_kills_threshold;
  const last = recent.at(-1);
  const output = critical
    ? `${ref.service}.${ref.instance}: ${recent.length} OOM kill(s) in the last ${windowSeconds}s; last: task ${last?.task}: ${last?.reason}`
    : `${ref.service}.${ref.instance}: no OOM kills in the last ${windowSeconds}s`;
  return monitoringEvent(monitoring, {
    check: "oom",
    name: `oom-killer.${ref.service}.${ref.instance}`,
    ...ref,
    status: critical ? 2 : 0,
    output,
    defaults: {
      runbook: DEFAULTS.oom_runbook,
      tip: "The task used more memory than its `mem`: raise mem, or find the leak",
    },
    forced: { page: false, alert_after: DEFAULTS.oom_alert_after },
  });
}
