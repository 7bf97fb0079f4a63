/** The event log (`paasta logs -C monitoring`): each notification as one line of the instance's log. */
import type { LogWriter } from "../../../logs/writer.js";
import { firstLine, type Notification, type NotificationKind, type Sink } from "./sink.js";

export class LogSink implements Sink {
  readonly id = "log";
  readonly kinds: ReadonlySet<NotificationKind> = new Set(["fire", "refire", "resolve"]);
  readonly supersedes: ReadonlySet<NotificationKind> = new Set();

  constructor(private readonly log: LogWriter) {}

  async deliver(batch: readonly Notification[]): Promise<void> {
    for (const n of batch) {
      const e = n.event;
      const what = n.kind === "resolve" ? "RESOLVED" : n.kind === "refire" ? "STILL FAILING" : "ALERT";
      this.log.write({
        timestamp: n.at,
        level: "event",
        cluster: e.cluster,
        service: e.service,
        instance: e.instance,
        component: "monitoring",
        message: `${what} ${e.name} (team ${e.team}${e.page ? ", pages" : ""}): ${n.kind === "resolve" ? firstLine(e.output) : e.output.replaceAll("\n", " | ")}`,
      });
    }
  }
}
