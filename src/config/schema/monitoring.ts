/** `monitoring.yaml`, and the per-instance / per-job `monitoring:` overrides. */
import { z } from "zod";
import { alertAfter, integer, stringList } from "./common.js";
import { field } from "./meta.js";

const keys = {
  team: field(
    z.string(),
    "The team that owns the service: alerts are routed to it. Without a team no alerts are sent.",
  ),
  page: field(z.boolean(), { description: "Page the team's on-call (rather than only notify).", default: false }),
  runbook: field(z.string(), "A link to the runbook shown with every alert."),
  tip: field(z.string(), "A one-line hint shown with every alert."),
  notification_email: field(z.union([z.string(), z.boolean(), z.null()]), {
    description: "Where to e-mail alerts (comma-separated allowed); false disables e-mail.",
    defaultText: "the team's address",
  }),
  irc_channels: field(stringList, "Chat channels (IRC) that receive alerts."),
  slack_channels: field(stringList, "Slack channels that receive alerts."),
  ticket: field(z.boolean(), { description: "Open a ticket for each alert.", default: false }),
  project: field(z.string(), "Ticket project."),
  priority: field(z.union([z.string(), z.number()]), "Ticket priority ('0', '1', …)."),
  tags: field(stringList, "Ticket labels."),
  component: field(z.union([z.string(), stringList]), "Ticket component(s)."),
  description: field(z.string(), "Longer context sent with alerts."),
  alert_after: field(alertAfter, {
    description: "How long a check must fail before it alerts (e.g. 5m) or seconds.",
    defaultText: "5m for generic checks; 10m for replication (20m for a fixed single instance)",
  }),
  realert_every: field(integer().min(-1), {
    description: "Re-alert every N check runs; -1 means exponential backoff.",
    default: -1,
  }),
  check_every: field(z.string(), { description: "Check interval.", default: "1m" }),
  check_oom_events: field(z.boolean(), { description: "Alert (never page) on OOM kills.", default: true }),
  dependencies: field(stringList, "Tron: jobs this job's alerts depend on."),
  issuetype: field(z.string(), "Ticket issue type (Tron)."),
  check_that_every_day_has_a_successful_run: field(z.boolean(), "Tron: alert when a day has no successful run."),
  page_for_expected_runtime: field(z.boolean(), "Tron: page when a run exceeds expected_runtime."),
};

/**
 * monitoring.yaml. PaaSTA has no schema for this file and passes extra keys to its alerting system, so extra
 * keys are accepted (and forwarded with alerts); the known keys are type-checked.
 */
export const monitoringFileSchema = z.looseObject(keys);
/** The `monitoring:` override on an instance (kubernetes/eks): same keys, extra keys allowed as in PaaSTA. */
export const monitoringOverrideSchema = z.looseObject(keys);
/** The `monitoring:` of a Tron job: only Tron-valid keys (unknown keys are errors, as in PaaSTA). */
export const tronMonitoringSchema = z.strictObject({
  issuetype: keys.issuetype,
  team: keys.team,
  runbook: keys.runbook,
  page: keys.page,
  tip: keys.tip,
  notification_email: keys.notification_email,
  realert_every: keys.realert_every,
  dependencies: keys.dependencies,
  irc_channels: keys.irc_channels,
  slack_channels: keys.slack_channels,
  ticket: keys.ticket,
  project: keys.project,
  tags: keys.tags,
  component: keys.component,
  description: keys.description,
  alert_after: keys.alert_after,
  check_that_every_day_has_a_successful_run: keys.check_that_every_day_has_a_successful_run,
  page_for_expected_runtime: keys.page_for_expected_runtime,
  priority: keys.priority,
  check_oom_events: keys.check_oom_events,
});

export type MonitoringConfig = z.infer<typeof monitoringFileSchema>;
