/**
 * What the monitor persists, as one JSON record: each failing check's alert state, the outbox, bounce
 * progress, the latest job reports and recent OOM kills. Kept through the backend's RecordStore power (a file
 * in the local state dir; a ConfigMap on Kubernetes), so a restarted monitor continues every episode and
 * never re-sends what was sent. Without the power, it lives in memory (and health says so).
 */
import { type Backend, canStoreRecords } from "../../backends/backend.js";
import type { ResolvedMonitoring } from "../../config/types.js";
import type { ActiveAlert } from "../../model/alerts.js";
import type { AlertState } from "./alert-state.js";
import type { BounceProgress } from "./checks/bounce.js";
import type { JobReport } from "./checks/jobs.js";
import type { OomKill } from "./checks/oom.js";
import { severityOf } from "./event.js";
import type { OutboxEntry } from "./outbox.js";

export interface MonitorRecord {
  readonly version: 1;
  alerts: Record<string, AlertState>;
  /** Sinks that took a notification of each alert's current episode. */
  sentTo: Record<string, string[]>;
  outbox: OutboxEntry[];
  progress: Record<string, BounceProgress>;
  jobs: Record<string, { readonly report: JobReport; readonly monitoring: ResolvedMonitoring }>;
  oom: Record<string, OomKill[]>;
}

export function emptyRecord(): MonitorRecord {
  return { version: 1, alerts: {}, sentTo: {}, outbox: [], progress: {}, jobs: {}, oom: {} };
}

export interface StateStore {
  readonly durable: boolean;
  load(): Promise<MonitorRecord | undefined>;
  save(r: MonitorRecord): Promise<void>;
}

export function recordName(cluster: string): string {
  return `monitor-${cluster.toLowerCase().replace(/[^a-z0-9._-]/g, "-")}`;
}

export function parseRecord(text: string | undefined): MonitorRecord | undefined {
  if (!text) return undefined;
  const r = JSON.parse(text) as Partial<MonitorRecord>;
  if (r.version !== 1) return undefined;
  return { ...emptyRecord(), ...r } as MonitorRecord;
}

export function stateStore(backend: Backend, cluster: string): StateStore {
  if (!canStoreRecords(backend)) {
    let kept: string | undefined;
    return {
      durable: false,
      load: async () => parseRecord(kept),
      save: async (r) => {
        kept = JSON.stringify(r);
      },
    };
  }
  const name = recordName(cluster);
  return {
    durable: true,
    load: async () => parseRecord(await backend.readRecord(name)),
    save: (r) => backend.writeRecord(name, JSON.stringify(r)),
  };
}

/** Pure: the active alerts of a record (failing checks), newest first. */
export function activeAlerts(r: MonitorRecord): ActiveAlert[] {
  return Object.values(r.alerts)
    .map((s) => {
      const e = s.event;
      return {
        service: e.service,
        instance: e.instance,
        cluster: e.cluster,
        check: e.name,
        kind: e.check,
        severity: severityOf(s.status),
        state: s.fired ? ("firing" as const) : ("pending" as const),
        since: s.since,
        output: e.output,
        team: e.team,
        page: e.page,
        runbook: e.runbook,
        tip: e.tip,
        last_sent_at: s.lastSentAt,
        sent_to: r.sentTo[e.name] ?? [],
      };
    })
    .sort((a, b) => b.since.localeCompare(a.since) || a.check.localeCompare(b.check));
}
