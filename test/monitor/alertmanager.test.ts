/**
 * The monitor end to end (issue 14's "Done when"), against the real parts: `paasta up` as a child process
 * running real service processes, a real Alertmanager routed by a config from `paasta
 * generate-alertmanager-config` to loopback webhook receivers of teams A and B, and the monitor's own webhook
 * sink. Timing assertions are semantics (alert_after, realert_every, "within an interval"), not speed.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  amAlerts,
  type Receiver,
  type RunningAlertmanager,
  startAlertmanager,
  startReceiver,
} from "../helpers/alertmanager.js";
import { paastaBin } from "../helpers/cli.js";
import { getJson, makeWorkspace, sleep, startUp, type UpProcess, until, type Workspace } from "../helpers/runtime.js";

const MAIN = `main:
  cmd: node server.js
  instances: 1
  deploy_group: dev.everything
  bounce_method: brutal
  healthcheck_mode: http
  healthcheck_uri: /status
  healthcheck_grace_period_seconds: 0.2
  healthcheck_interval_seconds: 0.3
  healthcheck_timeout_seconds: 1
  healthcheck_max_consecutive_failures: 2
`;
const CRASH = `crash:
  cmd: sh -c 'echo starting; exit 3'
  instances: 1
  deploy_group: dev.everything
  monitoring:
    alert_after: 3
    realert_every: 3
`;
const ALPHA_MON = "team: a\nrunbook: http://runbooks.example/alpha\ntip: roll alpha back\n";
const INTERVAL = 1;

interface Hook {
  text: string;
  paasta: {
    state: string;
    kind: string;
    since: string;
    at: string;
    event: { name: string; team: string; output: string };
  };
}
interface Alert {
  check: string;
  state: string;
  team: string;
  since: string;
  sent_to: string[];
  output: string;
}

describe("monitor: team-routed alerts through a real Alertmanager", () => {
  let ws: Workspace;
  let up: UpProcess;
  let am: RunningAlertmanager;
  let rx: Receiver;
  const shas: Record<string, string> = {};
  const hooks = (name: string) =>
    rx
      .on("/hook")
      .map((r) => r.body as unknown as Hook)
      .filter((h) => h.paasta.event.name === name);
  const alerts = () => getJson<{ alerts: Alert[] }>(`${ws.api}/v1/alerts`).then((r) => r.alerts);
  const bounce = () =>
    getJson<{ running_instance_count: number; deploy_status: string }>(
      `${ws.api}/v1/services/alpha/main/bounce_status`,
    );
  const mark = (service: string, sha: string) => {
    const r = paastaBin(["mark-for-deployment", "-s", service, "-c", sha, "-l", "dev.everything"], { env: ws.env });
    expect(r.code, r.stderr).toBe(0);
  };

  beforeAll(async () => {
    rx = await startReceiver();
    const dir = join(rx.url.replace(/\W/g, ""), "");
    const teamData = join((await makeWorkspace({})).root, `${dir}-teams.json`);
    writeFileSync(
      teamData,
      JSON.stringify({ team_data: { a: { webhook_url: `${rx.url}/a` }, b: { webhook_url: `${rx.url}/b` } } }),
    );
    const gen = paastaBin([
      "generate-alertmanager-config",
      "--team-data",
      teamData,
      "--group-wait",
      "1s",
      "--group-interval",
      "1s",
      "--repeat-interval",
      "1h",
    ]);
    expect(gen.code, gen.stderr).toBe(0);
    am = await startAlertmanager(gen.stdout);
    ws = await makeWorkspace(
      {
        alpha: { "monitoring.yaml": ALPHA_MON, "kubernetes-dev.yaml": MAIN + CRASH },
        beta: { "monitoring.yaml": "team: b\n", "kubernetes-dev.yaml": MAIN },
      },
      {
        system: {
          monitoring_sinks: [
            { type: "alertmanager", url: am.url },
            { type: "webhook", url: `${rx.url}/hook` },
            { type: "log" },
          ],
          monitoring_check_interval_seconds: INTERVAL,
          monitoring_bounce_stuck_seconds: 3,
        },
      },
    );
    up = startUp(ws, ["--keep-running"]);
    await up.waitForOutput(/API: +http/);
    shas.alpha1 = ws.commit("alpha", { VERSION: "1\n" });
    mark("alpha", shas.alpha1);
    mark("beta", ws.commit("beta", { VERSION: "1\n" }));
    await until(bounce, (b) => b.deploy_status === "Running", 30_000);
  }, 90_000);

  afterAll(async () => {
    await up?.kill("SIGTERM");
    // --keep-running left the services: a last `paasta up` without it stops them.
    if (ws) {
      const last = startUp(ws);
      await last.waitForOutput(/API: +http/).catch(() => undefined);
      await last.kill("SIGTERM");
    }
    await am?.dispose();
    await rx?.close();
  }, 60_000);

  it("a crash loop alerts with the exit code; alert_after and realert_every are honoured", async () => {
    const name = "check_paasta_crash_loop.alpha.crash";
    await until(
      async () => hooks(name).length,
      (n) => n >= 3,
      40_000,
    );
    const [first, ...rest] = hooks(name);
    expect(first?.paasta.kind).toBe("fire");
    expect(first?.paasta.event.output).toContain("alpha.crash is crash looping");
    expect(first?.paasta.event.output).toContain("last exit code: 3");
    expect(first?.text).toContain("Runbook: http://runbooks.example/alpha");
    // alert_after: 3 → nothing sent before the failure is 3 s old.
    expect(Date.parse(first?.paasta.at ?? "") - Date.parse(first?.paasta.since ?? "")).toBeGreaterThanOrEqual(3000);
    // realert_every: 3 → re-sent every third run (runs are 1 s apart): never two within 2.5 s.
    const times = [first, ...rest].map((h) => Date.parse(h?.paasta.at ?? ""));
    for (let i = 1; i < times.length; i++)
      expect((times[i] as number) - (times[i - 1] as number)).toBeGreaterThan(2500);
    expect(rest.every((h) => h.paasta.kind === "refire")).toBe(true);
  }, 60_000);

  it("A's new version fails its health checks: A gets the alert with team, runbook and tip; B nothing; stuck bounce says why", async () => {
    ws.writeSoa("alpha", "monitoring.yaml", `${ALPHA_MON}alert_after: 0\n`);
    await sleep(1500); // the next pass reads the new alert_after
    shas.alpha2 = ws.commit("alpha", { STATUS_CODE: "500\n" });
    mark("alpha", shas.alpha2);
    await until(bounce, (b) => b.running_instance_count === 0, 30_000, 100);
    const failingAt = Date.now();
    const fired = await until(
      async () =>
        amAlerts(rx, "/a").filter((a) => a.labels.alertname === "check_paasta_services_replication.alpha.main"),
      (l) => l.some((a) => a.status === "firing"),
      15_000,
      100,
    );
    const alert = fired.find((a) => a.status === "firing");
    // One check interval + 2 s, plus Alertmanager's group_wait (1 s) before it notifies.
    expect((alert?.at ?? 0) - failingAt).toBeLessThanOrEqual((INTERVAL + 2 + 1) * 1000);
    expect(alert?.labels).toMatchObject({
      team: "a",
      service: "alpha",
      instance: "main",
      cluster: "dev",
      severity: "critical",
    });
    expect(alert?.annotations).toMatchObject({ runbook: "http://runbooks.example/alpha", tip: "roll alpha back" });
    expect(alert?.annotations.summary).toBe("alpha.main has 0/1 replicas available (threshold: 50%)");
    const stuck = await until(
      async () => hooks("check_paasta_bounce_progress.alpha.main"),
      (l) => l.length > 0,
      20_000,
    );
    expect(stuck[0]?.paasta.event.output).toContain("has made no progress");
    expect(stuck[0]?.paasta.event.output).toContain("HTTP 500");
    expect(rx.on("/b")).toEqual([]);
    const api = await alerts();
    const repl = api.find((a) => a.check === "check_paasta_services_replication.alpha.main");
    expect(repl).toMatchObject({ state: "firing", team: "a" });
    expect(repl?.sent_to).toEqual(expect.arrayContaining([`alertmanager ${am.url}`, `webhook ${rx.url}/hook`]));
    const cli = paastaBin(["alerts", "-s", "alpha", "-c", "dev"], { env: ws.env });
    expect(cli.code, cli.stderr).toBe(2);
    expect(cli.stdout).toContain(
      "CRITICAL check_paasta_services_replication.alpha.main - team a (pages)".replace(" (pages)", ""),
    );
    const status = paastaBin(["status", "-s", "alpha", "-i", "main"], { env: ws.env });
    expect(status.stdout).toContain("Alert: CRITICAL check_paasta_services_replication.alpha.main");
    const metrics = await (await fetch(`${ws.api}/metrics`)).text();
    expect(metrics).toMatch(/paasta_alerts_firing\{team="a"\} [1-9]/);
    expect(metrics).toMatch(/paasta_monitor_checks_total\{check="replication",status="2"\} [1-9]/);
  }, 90_000);

  it("a monitor restart does not re-page what was already sent", async () => {
    // A re-page is a second "fire" of a check with no "resolve" between: a new episode (the roll-out of the
    // previous test resolving alpha.crash's stuck bounce, then the new version getting stuck) may fire again.
    const repages = () => {
      const open = new Set<string>();
      const out: string[] = [];
      for (const r of rx.on("/hook")) {
        const { kind, event, at } = (r.body as unknown as Hook).paasta;
        if (kind === "fire" && open.has(event.name)) out.push(`${event.name} at ${at}`);
        if (kind === "fire") open.add(event.name);
        if (kind === "resolve") open.delete(event.name);
      }
      return out;
    };
    const replFires = () =>
      rx
        .on("/hook")
        .filter((r) => (r.body as unknown as Hook).paasta.kind === "fire")
        .filter((r) => (r.body as unknown as Hook).paasta.event.name === "check_paasta_services_replication.alpha.main")
        .length;
    const amFiring = () =>
      amAlerts(rx, "/a").filter((a) => a.status === "firing" && a.labels.alertname?.includes("replication")).length;
    const firing = async () =>
      new Map((await alerts()).filter((a) => a.state === "firing").map((a) => [a.check, a.since] as const));
    const before = { firing: await firing(), am: amFiring() };
    expect(replFires()).toBe(1);
    expect(before.firing.has("check_paasta_services_replication.alpha.main")).toBe(true);
    await up.kill("SIGTERM");
    up = startUp(ws, ["--keep-running"]);
    await up.waitForOutput(/API: +http/);
    await until(alerts, (l) => l.some((a) => a.check === "check_paasta_services_replication.alpha.main"), 15_000);
    await sleep(4000); // several passes of the new monitor
    expect(repages()).toEqual([]);
    expect(replFires()).toBe(1);
    expect(amFiring()).toBe(before.am);
    // The episode continues: same start, still firing.
    const after = await firing();
    const main = "check_paasta_services_replication.alpha.main";
    expect(after.get(main)).toBe(before.firing.get(main));
  }, 60_000);

  it("roll back: A gets the resolve", async () => {
    mark("alpha", shas.alpha1 as string);
    const resolved = await until(
      async () =>
        amAlerts(rx, "/a").filter((a) => a.labels.alertname === "check_paasta_services_replication.alpha.main"),
      (l) => l.some((a) => a.status === "resolved"),
      40_000,
      200,
    );
    expect(resolved.at(-1)?.status).toBe("resolved");
    expect((await alerts()).some((a) => a.check === "check_paasta_services_replication.alpha.main")).toBe(false);
    expect(rx.on("/b")).toEqual([]);
  }, 60_000);

  it("Alertmanager down: the alert waits in the outbox and is delivered when it returns", async () => {
    await am.stop();
    const before = amAlerts(rx, "/a").filter((a) => a.status === "firing").length;
    mark("alpha", ws.commit("alpha", { STATUS_CODE: "503\n" }));
    const repl = (l: Alert[]) => l.find((a) => a.check === "check_paasta_services_replication.alpha.main");
    const waiting = repl(await until(alerts, (l) => repl(l)?.state === "firing", 30_000));
    expect(waiting?.sent_to).not.toContain(`alertmanager ${am.url}`);
    const metrics = await (await fetch(`${ws.api}/metrics`)).text();
    expect(metrics).toMatch(/paasta_monitor_outbox_pending\{sink="alertmanager [^"]+"\} [1-9]/);
    await sleep(3000);
    await am.restart();
    await until(
      async () => amAlerts(rx, "/a").filter((a) => a.status === "firing").length,
      (n) => n > before,
      40_000,
      200,
    );
    const delivered = await until(alerts, (l) =>
      l.some(
        (a) =>
          a.check === "check_paasta_services_replication.alpha.main" && a.sent_to.includes(`alertmanager ${am.url}`),
      ),
    );
    expect(delivered.length).toBeGreaterThan(0);
    expect(rx.on("/b")).toEqual([]);
  }, 90_000);
});
