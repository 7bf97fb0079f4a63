/**
 * A Sensu client socket (PaaSTA's `send_event` → pysensu_yelp): every check result, OK or not, as PaaSTA's
 * event JSON over TCP, one connection per event; the Sensu server applies alert_after / realert_every itself.
 * Tested against a loopback listener, not a real Sensu.
 */
import { connect } from "node:net";
import type { MonitoringEvent } from "../event.js";
import type { Notification, NotificationKind, Sink } from "./sink.js";

/** PaaSTA's fields only (reference §8.2), in its names. */
export function sensuEvent(e: MonitoringEvent): Record<string, unknown> {
  const { check: _c, service: _s, instance: _i, cluster: _cl, ...fields } = e;
  return fields;
}

export class SensuSink implements Sink {
  readonly id: string;
  readonly kinds: ReadonlySet<NotificationKind> = new Set(["result"]);
  readonly supersedes: ReadonlySet<NotificationKind> = new Set(["result"]);

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {
    this.id = `sensu ${host}:${port}`;
  }

  async deliver(batch: readonly Notification[]): Promise<void> {
    for (const n of batch) await this.send(JSON.stringify(sensuEvent(n.event)));
  }

  private send(text: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: this.host, port: this.port, timeout: 5000 });
      socket.on("connect", () => socket.end(text));
      socket.on("timeout", () => socket.destroy(new Error(`Sensu client ${this.host}:${this.port} timed out`)));
      socket.on("error", reject);
      socket.on("close", (hadError) => {
        if (!hadError) resolve();
      });
    });
  }
}
