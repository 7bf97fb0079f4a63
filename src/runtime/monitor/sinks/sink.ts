/**
 * A sink: somewhere alerts go (Alertmanager, a Slack-compatible webhook, a Sensu client, the event log).
 * Each says which notifications it takes and whether a newer message about a check replaces an undelivered
 * one (sinks that hold state, like Alertmanager, only need the latest refresh). `deliver` throws when the
 * sink did not take the batch; the outbox keeps it and retries.
 */
import type { MonitoringEvent } from "../event.js";

/**
 * fire / refire / resolve: notifications (the state machine's); refresh: "still firing", for sinks that expire
 * alerts; result: every check run, OK or not (what PaaSTA sends to Sensu, which filters by itself).
 */
export type NotificationKind = "fire" | "refire" | "refresh" | "resolve" | "result";

export interface Notification {
  readonly kind: NotificationKind;
  readonly event: MonitoringEvent;
  /** First failure of the episode (ISO), null for an OK result. */
  readonly since: string | null;
  /** When the monitor decided it (ISO). */
  readonly at: string;
}

export interface Sink {
  /** Stable identity, e.g. "alertmanager http://127.0.0.1:9093": outbox entries are kept per id. */
  readonly id: string;
  readonly kinds: ReadonlySet<NotificationKind>;
  /** Kinds a newer notification about the same check replaces while undelivered. */
  readonly supersedes: ReadonlySet<NotificationKind>;
  deliver(batch: readonly Notification[]): Promise<void>;
}

export function firstLine(text: string): string {
  return text.split("\n", 1)[0] ?? "";
}
