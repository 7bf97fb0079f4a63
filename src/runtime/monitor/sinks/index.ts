/** The sinks of the system config's `monitoring_sinks`. */
import type { MonitoringSinkConfig } from "../../../config/system.js";
import type { LogWriter } from "../../../logs/writer.js";
import { AlertmanagerSink } from "./alertmanager.js";
import { LogSink } from "./log.js";
import { SensuSink } from "./sensu.js";
import type { Sink } from "./sink.js";
import { WebhookSink } from "./webhook.js";

export type { Notification, NotificationKind, Sink } from "./sink.js";

export function createSinks(
  configs: readonly MonitoringSinkConfig[],
  log: LogWriter,
  ttlSeconds: () => number,
): Sink[] {
  return configs.map((c): Sink => {
    if (c.type === "alertmanager") return new AlertmanagerSink(c.url, ttlSeconds);
    if (c.type === "webhook") return new WebhookSink(c.url);
    if (c.type === "sensu") return new SensuSink(c.host, c.port);
    return new LogSink(log);
  });
}
