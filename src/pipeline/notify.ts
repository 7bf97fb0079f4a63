/**
 * Pipeline notifications (`slack_notify`, `notify_after_mark`, `notify_after_good_deploy`,
 * `notify_after_auto_rollback`, `notify_after_abort`). Which ones a step sends is decided by value here; how
 * they leave is a NotificationSink.
 *
 * There is no chat or webhook sink yet: `notificationSink` is the ONE place one plugs in (the monitoring
 * sinks' webhook type, when it exists). Until then every notification is written as a `deploy` event, so it
 * shows in `paasta logs -C deploy` with the channel it was meant for.
 */
import { deployEvent, type LogWriter } from "../logs/writer.js";
import type { NotifyEvent, PlanStep } from "./plan.js";

export interface Notification {
  readonly service: string;
  readonly sha: string;
  readonly step: string;
  readonly event: NotifyEvent;
  /** The channel it is addressed to (deploy.yaml `slack_channels[0]`). */
  readonly channel: string;
  readonly text: string;
}

export interface NotificationSink {
  send(n: Notification): Promise<void>;
}

const WHAT: Record<NotifyEvent, string> = {
  mark: "marked for deployment",
  good_deploy: "deployed",
  auto_rollback: "rolled back automatically",
  abort: "deploy failed",
};

/** The notification a step sends for `event`, or null when the step does not ask for it. */
export function notificationFor(
  step: PlanStep,
  event: NotifyEvent,
  o: { service: string; sha: string; channel: string; detail: string },
): Notification | null {
  if (!step.notify[event]) return null;
  return {
    service: o.service,
    sha: o.sha,
    step: step.name,
    event,
    channel: o.channel,
    text: `${o.service} ${o.sha.slice(0, 8)} ${WHAT[event]} in ${step.name}: ${o.detail}`,
  };
}

/** Where notifications go. Today: the event log. A webhook sink replaces the body of `send`. */
export function notificationSink(log: LogWriter, user?: string): NotificationSink {
  return {
    async send(n) {
      log.write(deployEvent({ service: n.service, message: `notification to ${n.channel}: ${n.text}`, user }));
    },
  };
}
