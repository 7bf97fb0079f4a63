/**
 * A check result with PaaSTA's event fields (reference §8.2): what every check returns and every sink
 * receives. The team routing keys come from the resolved monitoring config (instance override → monitoring.yaml
 * → service.yaml → default, already resolved); a check only adds its name, status, output and its own
 * defaults (runbook, tip, alert_after, page).
 */
import { DEFAULTS } from "../../config/resolve/defaults.js";
import type { ResolvedMonitoring } from "../../config/types.js";

/** 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (Sensu/Nagios). */
export type CheckStatus = 0 | 1 | 2 | 3;

export type CheckKind = "replication" | "crash_loop" | "bounce_stuck" | "oom" | "job";

export interface MonitoringEvent {
  /** PaaSTA's check name, e.g. `check_paasta_services_replication.S.I`. */
  readonly name: string;
  readonly status: CheckStatus;
  readonly output: string;
  readonly team: string;
  readonly page: boolean;
  readonly runbook: string;
  readonly tip: string | null;
  readonly notification_email: string | boolean | null;
  readonly irc_channels: readonly string[];
  readonly slack_channels: readonly string[];
  readonly ticket: boolean;
  readonly project: string | null;
  readonly priority: string | null;
  readonly tags: readonly string[];
  readonly component: string | readonly string[] | null;
  readonly description: string | null;
  readonly check_every: string;
  readonly realert_every: number;
  /** PaaSTA's form: a duration string; integers become "<n>s". */
  readonly alert_after: string;
  /** `paasta-CLUSTER`. */
  readonly source: string;
  readonly ttl: null;
  // Ours, for routing labels and the API:
  readonly check: CheckKind;
  readonly service: string;
  readonly instance: string;
  readonly cluster: string;
}

export interface EventInput {
  readonly check: CheckKind;
  readonly name: string;
  readonly service: string;
  readonly instance: string;
  readonly cluster: string;
  readonly status: CheckStatus;
  readonly output: string;
  /** The check's own defaults, used where the config leaves the key unset. */
  readonly defaults?: {
    readonly runbook?: string;
    readonly tip?: string;
    readonly alert_after?: string;
    readonly description?: string;
  };
  /** Keys the check forces whatever the config says (the OOM check never pages). */
  readonly forced?: { readonly page?: boolean; readonly alert_after?: string };
}

/** PaaSTA's alert_after as sent: the configured value ("10m", or seconds as "<n>s"), else the check's default. */
export function alertAfterText(configured: string | number | null, fallback: string): string {
  if (configured === null) return fallback;
  return typeof configured === "number" ? `${configured}s` : configured;
}

/** The event of one check run; undefined without a team (PaaSTA drops such events silently). */
export function monitoringEvent(m: ResolvedMonitoring, i: EventInput): MonitoringEvent | undefined {
  if (!m.team) return undefined;
  return {
    name: i.name,
    status: i.status,
    output: i.output,
    team: m.team,
    page: i.forced?.page ?? m.page,
    runbook: m.runbook ?? i.defaults?.runbook ?? DEFAULTS.runbook,
    tip: m.tip ?? i.defaults?.tip ?? null,
    notification_email: m.notification_email,
    irc_channels: m.irc_channels,
    slack_channels: m.slack_channels,
    ticket: m.ticket,
    project: m.project,
    priority: m.priority,
    tags: m.tags,
    component: m.component,
    description: m.description ?? i.defaults?.description ?? null,
    check_every: DEFAULTS.check_every,
    realert_every: m.realert_every,
    alert_after:
      i.forced?.alert_after ?? alertAfterText(m.alert_after, i.defaults?.alert_after ?? DEFAULTS.alert_after),
    source: `paasta-${i.cluster}`,
    ttl: null,
    check: i.check,
    service: i.service,
    instance: i.instance,
    cluster: i.cluster,
  };
}

export function severityOf(status: CheckStatus): "ok" | "warning" | "critical" | "unknown" {
  return (["ok", "warning", "critical", "unknown"] as const)[status];
}
