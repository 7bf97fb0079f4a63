/**
 * A Slack-compatible webhook: one JSON POST per notification, `{"text": …}` (what Slack, Mattermost and most
 * chat incoming-webhooks read) plus `paasta`: the state and the whole event, for receivers that route by it.
 */
import { firstLine, type Notification, type NotificationKind, type Sink } from "./sink.js";

export function webhookBody(n: Notification): Record<string, unknown> {
  const e = n.event;
  const state = n.kind === "resolve" ? "resolved" : "firing";
  const head =
    state === "resolved"
      ? `RESOLVED ${e.name} (team ${e.team}) on ${e.cluster}: ${firstLine(e.output)}`
      : `${e.page ? "PAGE " : ""}${e.status === 1 ? "WARNING" : "CRITICAL"} ${e.name} (team ${e.team}) on ${e.cluster}`;
  const lines = [head];
  if (state === "firing") {
    lines.push(e.output, `Runbook: ${e.runbook}`);
    if (e.tip) lines.push(`Tip: ${e.tip}`);
  }
  return { text: lines.join("\n"), paasta: { state, kind: n.kind, since: n.since, at: n.at, event: e } };
}

export class WebhookSink implements Sink {
  readonly id: string;
  readonly kinds: ReadonlySet<NotificationKind> = new Set(["fire", "refire", "resolve"]);
  readonly supersedes: ReadonlySet<NotificationKind> = new Set();

  constructor(private readonly url: string) {
    this.id = `webhook ${url}`;
  }

  async deliver(batch: readonly Notification[]): Promise<void> {
    for (const n of batch) {
      const res = await fetch(this.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(webhookBody(n)),
        signal: AbortSignal.timeout(10_000),
      });
      if (!res.ok) throw new Error(`webhook answered HTTP ${res.status}`);
    }
  }
}
