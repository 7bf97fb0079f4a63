/**
 * Prometheus Alertmanager (API v2): `POST /api/v2/alerts` with PaaSTA's routing keys as labels and the texts
 * as annotations. A firing alert is re-posted every pass with `endsAt` a few intervals ahead, so it never
 * expires in Alertmanager while the check fails; a resolve posts `endsAt` = now. Alertmanager itself dedups
 * and decides when to notify again (its `repeat_interval`), so re-posting never re-pages.
 */
import { severityOf } from "../event.js";
import { firstLine, type Notification, type NotificationKind, type Sink } from "./sink.js";

export interface AmAlert {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly generatorURL?: string;
}

/** Pure: the Alertmanager alert of a notification; `ttlSeconds` is how long a firing alert lives unrefreshed. */
export function amAlert(n: Notification, ttlSeconds: number): AmAlert {
  const e = n.event;
  const resolved = n.kind === "resolve";
  const endsAt = resolved ? n.at : new Date(Date.parse(n.at) + ttlSeconds * 1000).toISOString();
  const annotations: Record<string, string> = {
    summary: firstLine(e.output),
    description: e.description ? `${e.output}\n\n${e.description}` : e.output,
    runbook: e.runbook,
  };
  if (e.tip) annotations.tip = e.tip;
  return {
    labels: {
      alertname: e.name,
      check: e.check,
      service: e.service,
      instance: e.instance,
      cluster: e.cluster,
      team: e.team,
      severity: severityOf(e.status === 0 ? 2 : e.status),
      page: String(e.page),
      ticket: String(e.ticket),
    },
    annotations,
    startsAt: n.since ?? n.at,
    endsAt,
  };
}

export class AlertmanagerSink implements Sink {
  readonly id: string;
  readonly kinds: ReadonlySet<NotificationKind> = new Set(["fire", "refire", "refresh", "resolve"]);
  readonly supersedes: ReadonlySet<NotificationKind> = new Set(["refresh"]);

  constructor(
    private readonly url: string,
    private readonly ttlSeconds: () => number,
  ) {
    this.id = `alertmanager ${url}`;
  }

  async deliver(batch: readonly Notification[]): Promise<void> {
    const ttl = this.ttlSeconds();
    const res = await fetch(new URL("/api/v2/alerts", this.url), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(batch.map((n) => amAlert(n, ttl))),
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) throw new Error(`Alertmanager answered HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`);
  }
}
