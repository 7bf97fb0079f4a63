/**
 * `paasta generate-alertmanager-config`, pure: team data (a JSON like Sensu's team_data: team → where its
 * alerts go) becomes an Alertmanager routing tree and receivers. Each team gets a route on `team="T"` whose
 * children send `page="true"` alerts to the team's pager, `ticket="true"` alerts to its ticket hook (both
 * `continue`), and every alert to its notification receiver. Labels come from the alertmanager sink.
 */
import { z } from "zod";

const team = z.strictObject({
  /** Slack-compatible or generic webhook for every alert of the team. */
  webhook_url: z.string().url().optional(),
  /** Webhook for pages only (page: true). */
  page_webhook_url: z.string().url().optional(),
  /** PagerDuty Events API v2 routing key: pages go there. */
  pagerduty_api_key: z.string().min(1).optional(),
  /** Webhook that opens tickets (ticket: true). */
  ticket_webhook_url: z.string().url().optional(),
  /** E-mail for every alert (needs --smtp-smarthost and --smtp-from). */
  notification_email: z.string().min(3).optional(),
  /** Slack channels for every alert (needs --slack-api-url). */
  slack_channels: z.array(z.string().min(1)).optional(),
});
export type TeamData = z.infer<typeof team>;

export const teamDataSchema = z.union([
  z.strictObject({ team_data: z.record(z.string(), team) }),
  z.record(z.string(), team),
]);

export interface RoutingOptions {
  readonly groupWait: string;
  readonly groupInterval: string;
  readonly repeatInterval: string;
  readonly smtpSmarthost?: string;
  readonly smtpFrom?: string;
  readonly slackApiUrl?: string;
  /** Where alerts of teams not in the data go (a webhook), else nowhere. */
  readonly defaultWebhook?: string;
}

type Receiver = Record<string, unknown> & { name: string };

export function teamsOf(data: z.infer<typeof teamDataSchema>): Record<string, TeamData> {
  return "team_data" in data && Object.keys(data).length === 1
    ? (data.team_data as Record<string, TeamData>)
    : (data as Record<string, TeamData>);
}

const webhook = (url: string) => ({ url, send_resolved: true });

function notificationReceiver(name: string, t: TeamData, o: RoutingOptions, warnings: string[]): Receiver {
  const r: Receiver = { name };
  if (t.webhook_url) r.webhook_configs = [webhook(t.webhook_url)];
  if (t.notification_email) {
    if (o.smtpSmarthost && o.smtpFrom) r.email_configs = [{ to: t.notification_email, send_resolved: true }];
    else warnings.push(`${name}: notification_email skipped (give --smtp-smarthost and --smtp-from)`);
  }
  if (t.slack_channels?.length) {
    if (o.slackApiUrl) r.slack_configs = t.slack_channels.map((channel) => ({ channel, send_resolved: true }));
    else warnings.push(`${name}: slack_channels skipped (give --slack-api-url)`);
  }
  return r;
}

export function alertmanagerConfig(
  teams: Record<string, TeamData>,
  o: RoutingOptions,
): { config: Record<string, unknown>; warnings: string[] } {
  const warnings: string[] = [];
  const receivers: Receiver[] = [
    { name: "paasta-default", ...(o.defaultWebhook ? { webhook_configs: [webhook(o.defaultWebhook)] } : {}) },
  ];
  const routes: Record<string, unknown>[] = [];
  for (const [name, t] of Object.entries(teams).sort(([a], [b]) => a.localeCompare(b))) {
    const children: Record<string, unknown>[] = [];
    const page: Receiver = { name: `${name}-page` };
    if (t.page_webhook_url) page.webhook_configs = [webhook(t.page_webhook_url)];
    if (t.pagerduty_api_key) page.pagerduty_configs = [{ routing_key: t.pagerduty_api_key, send_resolved: true }];
    if (page.webhook_configs || page.pagerduty_configs) {
      receivers.push(page);
      children.push({ matchers: ['page="true"'], receiver: page.name, continue: true });
    }
    if (t.ticket_webhook_url) {
      receivers.push({ name: `${name}-ticket`, webhook_configs: [webhook(t.ticket_webhook_url)] });
      children.push({ matchers: ['ticket="true"'], receiver: `${name}-ticket`, continue: true });
    }
    receivers.push(notificationReceiver(name, t, o, warnings));
    children.push({ receiver: name });
    routes.push({ matchers: [`team=${JSON.stringify(name)}`], receiver: name, routes: children });
  }
  const global: Record<string, unknown> = { resolve_timeout: "5m" };
  if (o.smtpSmarthost) global.smtp_smarthost = o.smtpSmarthost;
  if (o.smtpFrom) global.smtp_from = o.smtpFrom;
  if (o.slackApiUrl) global.slack_api_url = o.slackApiUrl;
  return {
    config: {
      global,
      route: {
        receiver: "paasta-default",
        group_by: ["alertname", "team"],
        group_wait: o.groupWait,
        group_interval: o.groupInterval,
        repeat_interval: o.repeatInterval,
        routes,
      },
      receivers,
    },
    warnings,
  };
}
