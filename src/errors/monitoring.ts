/** Monitoring (checks, alerts, sinks, Alertmanager routing). */
import type { ErrorDef } from "./def.js";

export const MONITORING_ERRORS = {
  PAASTA_TEAM_DATA_INVALID: {
    message: "team data {file}: {detail}",
    fix: 'Write a JSON object {"team_data": {TEAM: {"webhook_url": …, "page_webhook_url": …, "pagerduty_api_key": …}}} (docs/monitoring.md).',
    exit: 1,
    http: 422,
  },
} as const satisfies Record<string, ErrorDef>;
