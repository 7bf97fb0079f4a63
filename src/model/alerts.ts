/**
 * The wire shape of an active alert (API `GET /v1/alerts`, `paasta alerts`, `paasta status`, the dashboard):
 * a failing check of an instance or job, since when, and which sinks have it. The zod schema is the source.
 */
import { z } from "@hono/zod-openapi";

export const ActiveAlert = z
  .object({
    service: z.string(),
    instance: z.string(),
    cluster: z.string(),
    /** PaaSTA's check name, e.g. check_paasta_services_replication.S.I. */
    check: z.string(),
    /** replication | crash_loop | bounce_stuck | oom | job. */
    kind: z.string(),
    severity: z.enum(["ok", "warning", "critical", "unknown"]),
    /** firing: sent (past alert_after); pending: failing, not yet alert_after old. */
    state: z.enum(["firing", "pending"]),
    since: z.string(),
    output: z.string(),
    team: z.string(),
    page: z.boolean(),
    runbook: z.string(),
    tip: z.string().nullable(),
    last_sent_at: z.string().nullable(),
    /** Sinks that took a notification of this alert, e.g. "alertmanager http://am:9093". */
    sent_to: z.array(z.string()),
  })
  .openapi("Alert");
export type ActiveAlert = z.infer<typeof ActiveAlert>;

export const AlertList = z.object({ alerts: z.array(ActiveAlert) }).openapi("AlertList");
export type AlertList = z.infer<typeof AlertList>;

/** Where the API reads alerts from: the monitor of this process, or its persisted record. */
export type AlertSource = () => Promise<ActiveAlert[]>;
