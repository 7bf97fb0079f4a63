/**
 * One check pass, pure: from the resolved configs, the statuses, the reports kept in the record and the time,
 * run every check, step every alert state, and say what to send. Nothing here reads a clock, a file or the
 * network; the monitor component does that around it.
 */
import type { DesiredApp } from "../../model/app.js";
import type { InstanceStatus } from "../../model/status.js";
import { type AlertState, step, type Transition } from "./alert-state.js";
import { bounceStuckCheck, trackProgress } from "./checks/bounce.js";
import { crashLoopCheck } from "./checks/crash-loop.js";
import { jobCheck } from "./checks/jobs.js";
import { oomCheck } from "./checks/oom.js";
import { replicationCheck } from "./checks/replication.js";
import type { MonitoringEvent } from "./event.js";
import type { Notification, NotificationKind } from "./sinks/index.js";
import type { MonitorRecord } from "./state.js";

export interface PassInput {
  readonly cluster: string;
  readonly apps: readonly DesiredApp[];
  /** By `service.instance`; an app without a status (not applied yet) is skipped. */
  readonly statuses: ReadonlyMap<string, InstanceStatus>;
  /** Services whose config cannot be read now: their alerts are left exactly as they are. */
  readonly frozen: ReadonlySet<string>;
  readonly intervalSeconds: number;
  readonly bounceStuckSeconds: number;
}

export interface PassOutput {
  readonly record: MonitorRecord;
  readonly notifications: readonly Notification[];
  readonly events: readonly MonitoringEvent[];
  readonly transitions: ReadonlyMap<string, Transition>;
}

const KIND_OF: Partial<Record<Transition, NotificationKind>> = {
  fire: "fire",
  refire: "refire",
  still_firing: "refresh",
  resolve: "resolve",
};

function instanceEvents(app: DesiredApp, status: InstanceStatus, r: MonitorRecord, now: Date, i: PassInput) {
  const key = `${app.service}.${app.instance}`;
  const progress = trackProgress(r.progress[key], status, now);
  if (progress) r.progress[key] = progress;
  else delete r.progress[key];
  const kills = (r.oom[key] ?? []).filter((k) => now.getTime() - Date.parse(k.at) <= i.intervalSeconds * 1000);
  if (kills.length > 0) r.oom[key] = kills;
  else delete r.oom[key];
  const ref = { service: app.service, instance: app.instance, cluster: i.cluster };
  return [
    replicationCheck(app.config, status, i.cluster),
    crashLoopCheck(app.config, status, i.cluster),
    bounceStuckCheck(app.config, status, progress, now, i.bounceStuckSeconds, i.cluster),
    oomCheck(app.config.monitoring, ref, kills, now, i.intervalSeconds),
  ];
}

export function evaluate(prev: MonitorRecord, i: PassInput, now: Date): PassOutput {
  const r: MonitorRecord = structuredClone(prev);
  const events: MonitoringEvent[] = [];
  const live = new Set<string>();
  for (const app of i.apps) {
    const status = i.statuses.get(`${app.service}.${app.instance}`);
    if (!status) continue;
    live.add(`${app.service}.${app.instance}`);
    for (const e of instanceEvents(app, status, r, now, i)) if (e) events.push(e);
  }
  for (const { report, monitoring } of Object.values(r.jobs)) {
    const e = jobCheck(monitoring, report);
    if (e) events.push(e);
  }
  const at = now.toISOString();
  const notifications: Notification[] = [];
  const transitions = new Map<string, Transition>();
  const seen = new Set<string>();
  for (const e of events) {
    seen.add(e.name);
    const before = r.alerts[e.name];
    const s = step(before, e, now);
    transitions.set(e.name, s.transition);
    if (s.state) r.alerts[e.name] = s.state;
    else {
      delete r.alerts[e.name];
      delete r.sentTo[e.name];
    }
    const kind = KIND_OF[s.transition];
    if (kind) notifications.push({ kind, event: e, since: before?.since ?? s.state?.since ?? null, at });
    notifications.push({ kind: "result", event: e, since: s.state?.since ?? null, at });
  }
  for (const [name, s] of Object.entries(prev.alerts)) {
    if (seen.has(name) || i.frozen.has(s.event.service)) continue;
    if (s.event.check === "job" && r.jobs[`${s.event.service}.${s.event.instance}`]) continue;
    // The instance is gone (removed, or no team any more): resolve what was sent, forget the rest.
    if (s.fired) {
      const gone = {
        ...s.event,
        status: 0 as const,
        output: `${s.event.service}.${s.event.instance} is no longer monitored on ${i.cluster}`,
      };
      notifications.push({ kind: "resolve", event: gone, since: s.since, at });
      transitions.set(name, "resolve");
    }
    delete r.alerts[name];
    delete r.sentTo[name];
  }
  for (const key of Object.keys(r.progress)) if (!live.has(key)) delete r.progress[key];
  return { record: r, notifications, events, transitions };
}

export type { AlertState };
