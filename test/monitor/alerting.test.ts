/**
 * The alert state machine (alert_after, realert_every with -1 = exponential back-off, resolve), one whole pass
 * (evaluate), the outbox (order, replacement, retries) and the sinks' payloads, all by value.
 */
import { describe, expect, it } from "vitest";
import { type AlertState, realertsAt, step } from "../../src/runtime/monitor/alert-state.js";
import { evaluate } from "../../src/runtime/monitor/evaluate.js";
import type { MonitoringEvent } from "../../src/runtime/monitor/event.js";
import { Outbox, retryDelayMs } from "../../src/runtime/monitor/outbox.js";
import { amAlert } from "../../src/runtime/monitor/sinks/alertmanager.js";
import type { Notification, Sink } from "../../src/runtime/monitor/sinks/index.js";
import { sensuEvent } from "../../src/runtime/monitor/sinks/sensu.js";
import { webhookBody } from "../../src/runtime/monitor/sinks/webhook.js";
import { activeAlerts, emptyRecord } from "../../src/runtime/monitor/state.js";
import { configOf, status, task, version } from "./fixture.js";

const event = (o: Partial<MonitoringEvent> = {}): MonitoringEvent => ({
  name: "check_paasta_services_replication.svc.main",
  status: 2,
  output: "svc.main has 0/2 replicas available (threshold: 50%)",
  team: "payments",
  page: true,
  runbook: "http://runbooks/svc",
  tip: "restart it",
  notification_email: null,
  irc_channels: [],
  slack_channels: [],
  ticket: false,
  project: null,
  priority: null,
  tags: [],
  component: null,
  description: null,
  check_every: "1m",
  realert_every: -1,
  alert_after: "2m",
  source: "paasta-c1",
  ttl: null,
  check: "replication",
  service: "svc",
  instance: "main",
  cluster: "c1",
  ...o,
});
const t0 = Date.parse("2025-01-01T00:00:00Z");
const at = (min: number) => new Date(t0 + min * 60_000);

/** Runs one event per minute from `from`; returns the transitions. */
function run(events: MonitoringEvent[], from = 0, start?: AlertState) {
  let s = start;
  return events.map((e, i) => {
    const r = step(s, e, at(from + i));
    s = r.state;
    return r.transition;
  });
}

describe("alert state machine", () => {
  it("alert_after: pending until the failure is old enough, then fires once", () => {
    expect(run([event(), event(), event(), event()])).toEqual(["pending", "pending", "fire", "refire"]);
    const quiet = Array.from({ length: 4 }, () => event({ realert_every: 10 }));
    expect(run(quiet)).toEqual(["pending", "pending", "fire", "still_firing"]);
    expect(run([event({ alert_after: "0s" })])).toEqual(["fire"]);
  });

  it("an OK result resolves what fired and forgets what only pended", () => {
    expect(run([event({ alert_after: "0s" }), event({ status: 0 })])).toEqual(["fire", "resolve"]);
    expect(run([event(), event({ status: 0 }), event(), event()])).toEqual(["pending", "ok", "pending", "pending"]);
  });

  it("realert_every N re-alerts every N runs; -1 backs off exponentially (eligible runs 1, 2, 4, 8 …)", () => {
    const every3 = run(Array.from({ length: 7 }, () => event({ alert_after: "0s", realert_every: 3 })));
    expect(every3).toEqual([
      "fire",
      "still_firing",
      "still_firing",
      "refire",
      "still_firing",
      "still_firing",
      "refire",
    ]);
    const backoff = run(Array.from({ length: 9 }, () => event({ alert_after: "0s" })));
    expect(backoff.map((t, i) => (t === "fire" || t === "refire" ? i + 1 : 0)).filter(Boolean)).toEqual([1, 2, 4, 8]);
    expect([0, 1, 2, 3, 4, 5, 8, 16].map((k) => realertsAt(k, -1))).toEqual([
      true,
      true,
      true,
      false,
      true,
      false,
      true,
      true,
    ]);
    expect(realertsAt(5, 0)).toBe(false);
  });

  it("a restart that continues the persisted state sends nothing already sent", () => {
    const first = step(undefined, event({ alert_after: "0s" }), at(0));
    const persisted = JSON.parse(JSON.stringify(first.state)) as AlertState;
    expect(step(persisted, event({ alert_after: "0s" }), at(5)).transition).not.toBe("fire");
    expect(step(persisted, event({ alert_after: "0s" }), at(5)).state?.since).toBe(at(0).toISOString());
  });
});

describe("one pass (evaluate)", () => {
  const cfg = configOf({
    "monitoring.yaml": "team: payments\nalert_after: 0\n",
    "kubernetes-c1.yaml": "main:\n  cmd: x\n  instances: 2\n",
  });
  const app = { service: "svc", instance: "main", cluster: "c1", config: cfg } as never;
  const input = (s: ReturnType<typeof status>, apps = [app]) => ({
    cluster: "c1",
    apps,
    statuses: new Map([["svc.main", s]]),
    frozen: new Set<string>(),
    intervalSeconds: 60,
    bounceStuckSeconds: 900,
  });
  const down = status([version({ tasks: [task({ healthy: false, state: "unhealthy" })] })], {
    deploy_status: "Waiting",
  });
  const up = status([version({ tasks: [task(), task({ id: "t2" })] })]);

  it("fires, refreshes, resolves; every result goes out as a result too", () => {
    const p1 = evaluate(emptyRecord(), input(down), at(0));
    const fired = p1.notifications.filter((n) => n.kind !== "result");
    expect(fired.map((n) => [n.kind, n.event.name])).toEqual([["fire", "check_paasta_services_replication.svc.main"]]);
    const results = p1.notifications.filter((n) => n.kind === "result").map((n) => n.event.check);
    expect(results).toEqual(["replication", "crash_loop", "bounce_stuck", "oom"]);
    expect(activeAlerts(p1.record)).toMatchObject([
      { check: "check_paasta_services_replication.svc.main", state: "firing", team: "payments", severity: "critical" },
    ]);
    const p2 = evaluate(p1.record, input(down), at(1));
    expect(p2.notifications.filter((n) => n.kind !== "result").map((n) => n.kind)).toEqual(["refire"]);
    const p3 = evaluate(p2.record, input(up), at(2));
    const resolved = p3.notifications.filter((n) => n.kind === "resolve");
    expect(resolved.map((n) => [n.event.status, n.since])).toEqual([[0, at(0).toISOString()]]);
    expect(activeAlerts(p3.record)).toEqual([]);
  });

  it("an instance that is gone resolves its alerts; a frozen service keeps them untouched", () => {
    const p1 = evaluate(emptyRecord(), input(down), at(0));
    const frozen = evaluate(p1.record, { ...input(down, []), frozen: new Set(["svc"]) }, at(1));
    expect(frozen.notifications).toEqual([]);
    expect(Object.keys(frozen.record.alerts)).toEqual(Object.keys(p1.record.alerts));
    const gone = evaluate(p1.record, input(down, []), at(1));
    expect(gone.notifications.map((n) => n.kind)).toEqual(["resolve"]);
    expect(gone.record.alerts).toEqual({});
  });
});

class RecordingSink implements Sink {
  readonly kinds = new Set(["fire", "refire", "refresh", "resolve"] as const);
  readonly supersedes = new Set(["refresh"] as const);
  delivered: Notification[][] = [];
  down = false;
  constructor(readonly id: string) {}
  async deliver(batch: readonly Notification[]) {
    if (this.down) throw new Error("connection refused");
    this.delivered.push([...batch]);
  }
}

describe("outbox", () => {
  const n = (kind: Notification["kind"], name = "a"): Notification => ({
    kind,
    event: event({ name }),
    since: "2025-01-01T00:00:00.000Z",
    at: "2025-01-01T00:01:00.000Z",
  });

  it("a sink that is down loses nothing: retried with a doubling delay, delivered in order when it returns", async () => {
    const sink = new RecordingSink("am");
    sink.down = true;
    const box = new Outbox();
    box.enqueue([sink], n("fire"));
    const r1 = await box.flush([sink], 1000, 60_000);
    expect(r1.failed).toEqual([{ sink: "am", error: "connection refused" }]);
    expect(box.nextDue()).toBe(1000 + 1000);
    await box.flush([sink], 2000, 60_000);
    expect(box.nextDue()).toBe(2000 + 2000);
    box.enqueue([sink], n("resolve"));
    sink.down = false;
    expect((await box.flush([sink], 3000, 60_000)).delivered).toEqual([]); // still waiting for its retry time
    const r = await box.flush([sink], 4000, 60_000);
    expect(r.delivered.map((e) => e.n.kind)).toEqual(["fire", "resolve"]);
    expect(sink.delivered.map((b) => b.map((x) => x.kind))).toEqual([["fire", "resolve"]]);
    expect(box.all).toEqual([]);
  });

  it("a newer refresh replaces an undelivered one; notifications are never replaced; persisted entries survive", () => {
    const sink = new RecordingSink("am");
    const box = new Outbox();
    box.enqueue([sink], n("fire"));
    box.enqueue([sink], n("refresh"));
    box.enqueue([sink], n("refresh"));
    box.enqueue([sink], n("refresh", "b"));
    expect(box.all.map((e) => [e.n.kind, e.n.event.name])).toEqual([
      ["fire", "a"],
      ["refresh", "a"],
      ["refresh", "b"],
    ]);
    const again = new Outbox(JSON.parse(JSON.stringify(box.all)));
    again.enqueue([sink], n("resolve"));
    expect(again.all.map((e) => [e.id, e.n.kind])).toEqual([
      [1, "fire"],
      [4, "refresh"],
      [5, "resolve"],
    ]);
    expect(retryDelayMs(10, 5000)).toBe(5000);
  });
});

describe("sink payloads", () => {
  const fire: Notification = {
    kind: "fire",
    event: event(),
    since: "2025-01-01T00:00:00.000Z",
    at: "2025-01-01T00:01:00.000Z",
  };

  it("Alertmanager: routing labels, texts as annotations, endsAt ahead while firing and now on resolve", () => {
    expect(amAlert(fire, 300)).toEqual({
      labels: {
        alertname: "check_paasta_services_replication.svc.main",
        check: "replication",
        service: "svc",
        instance: "main",
        cluster: "c1",
        team: "payments",
        severity: "critical",
        page: "true",
        ticket: "false",
      },
      annotations: {
        summary: "svc.main has 0/2 replicas available (threshold: 50%)",
        description: "svc.main has 0/2 replicas available (threshold: 50%)",
        runbook: "http://runbooks/svc",
        tip: "restart it",
      },
      startsAt: "2025-01-01T00:00:00.000Z",
      endsAt: "2025-01-01T00:06:00.000Z",
    });
    const resolved = amAlert({ ...fire, kind: "resolve", event: event({ status: 0 }) }, 300);
    expect([resolved.startsAt, resolved.endsAt, resolved.labels.severity]).toEqual([
      "2025-01-01T00:00:00.000Z",
      "2025-01-01T00:01:00.000Z",
      "critical",
    ]);
  });

  it("webhook: Slack-compatible text with runbook and tip; Sensu: PaaSTA's fields only", () => {
    const body = webhookBody(fire) as { text: string; paasta: { state: string } };
    expect(body.text.split("\n")).toEqual([
      "PAGE CRITICAL check_paasta_services_replication.svc.main (team payments) on c1",
      "svc.main has 0/2 replicas available (threshold: 50%)",
      "Runbook: http://runbooks/svc",
      "Tip: restart it",
    ]);
    expect(body.paasta.state).toBe("firing");
    const sensu = sensuEvent(event());
    expect(Object.keys(sensu)).not.toContain("check");
    expect(sensu).toMatchObject({
      name: "check_paasta_services_replication.svc.main",
      status: 2,
      source: "paasta-c1",
      alert_after: "2m",
    });
  });
});
