/**
 * The dashboard's pure parts, by value: escaping, times, the at-a-glance state and badges, the live stream's
 * fragment diffing and NDJSON parsing, the deploy history rows, and the capability sections (alerts, mesh,
 * autoscaling, jobs) that show only when there is data.
 */
import { describe, expect, it } from "vitest";
import { flash } from "../../src/api/dashboard/actions.js";
import { historyRows, taggers } from "../../src/api/dashboard/history.js";
import { historyTable } from "../../src/api/dashboard/history-view.js";
import { escapeHtml, html, raw, safeUrl } from "../../src/api/dashboard/html.js";
import { versionsFragment } from "../../src/api/dashboard/instance-view.js";
import { jobFragment, jobsFragment } from "../../src/api/dashboard/jobs.js";
import { changedFragments, fragmentId, ndjsonLines, nextDelay, sharer } from "../../src/api/dashboard/live.js";
import { logLine } from "../../src/api/dashboard/logs-view.js";
import { crashLooping, glance } from "../../src/api/dashboard/problems.js";
import { alertsFragment, autoscalingFragment, meshFragment } from "../../src/api/dashboard/slots-view.js";
import { relative, since, tagTimeIso } from "../../src/api/dashboard/time.js";
import type { ActiveAlert } from "../../src/model/alerts.js";
import type { InstanceStatus, TaskStatus, VersionStatus } from "../../src/model/status.js";

const SCRIPT = "<script>alert(1)</script>";
const NOW = Date.parse("2024-05-01T12:00:00Z");

const task = (over: Partial<TaskStatus> = {}): TaskStatus => ({
  id: "hello.main.t1",
  host: "127.0.0.1",
  port: 31000,
  state: "healthy",
  healthy: true,
  restarts: 0,
  started_at: "2024-05-01T11:57:00Z",
  last_exit_code: null,
  reason: null,
  ...over,
});

const version = (over: Partial<VersionStatus> = {}): VersionStatus => ({
  git_sha: "a".repeat(40),
  image_version: null,
  config_hash: "configabc",
  desired: true,
  replicas: 1,
  ready_replicas: 1,
  tasks: [task()],
  ...over,
});

const status = (over: Partial<InstanceStatus> = {}): InstanceStatus => ({
  service: "hello",
  instance: "main",
  cluster: "dev",
  desired_state: "start",
  desired_instances: 1,
  bounce_method: "crossover",
  deploy_status: "Running",
  deploy_status_message: null,
  versions: [version()],
  error_message: null,
  ...over,
});

const alert = (over: Partial<ActiveAlert> = {}): ActiveAlert => ({
  service: "hello",
  instance: "main",
  cluster: "dev",
  check: "check_paasta_crash_loop.hello.main",
  kind: "crash_loop",
  severity: "critical",
  state: "firing",
  since: "2024-05-01T11:50:00Z",
  output: `crash looping ${SCRIPT}`,
  team: "platform",
  page: false,
  runbook: "javascript:alert(1)",
  tip: null,
  last_sent_at: null,
  sent_to: [],
  ...over,
});

describe("escaping", () => {
  it("escapes every interpolated value, text and attribute alike; fragments are not escaped twice", () => {
    const inner = html`<b>${SCRIPT}</b>`;
    const out = html`<p title="${'"><img src=x onerror=alert(1)>'}">${inner}${[SCRIPT, null, false, 3]}</p>`.text;
    expect(out).toBe(
      '<p title="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"><b>&lt;script&gt;alert(1)&lt;/script&gt;</b>&lt;script&gt;alert(1)&lt;/script&gt;3</p>',
    );
    expect(escapeHtml(`&'`)).toBe("&amp;&#39;");
    expect(html`${raw("<hr>")}`.text).toBe("<hr>");
  });

  it("lets only http(s) links through", () => {
    expect(safeUrl("https://example.org/a?b=1")).toBe("https://example.org/a?b=1");
    expect(safeUrl("javascript:alert(1)")).toBeUndefined();
    expect(safeUrl("data:text/html,x")).toBeUndefined();
    expect(safeUrl("not a url")).toBeUndefined();
  });

  it("escapes log lines", () => {
    const line = logLine({
      timestamp: "2024-05-01T11:59:00.000Z",
      level: "event",
      cluster: "dev",
      service: "hello",
      instance: "main",
      component: "stdout",
      message: SCRIPT,
      task: "t<1>",
    }).text;
    expect(line).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(line).toContain("t&lt;1&gt;");
    expect(line).not.toContain("<script>");
  });
});

describe("times", () => {
  it("says how long ago, or how long until", () => {
    expect(relative("2024-05-01T11:59:58Z", NOW)).toBe("just now");
    expect(relative("2024-05-01T11:59:20Z", NOW)).toBe("40 s ago");
    expect(relative("2024-05-01T11:57:00Z", NOW)).toBe("3 min ago");
    expect(relative("2024-04-29T11:00:00Z", NOW)).toBe("2 days ago");
    expect(relative("2024-05-01T14:00:00Z", NOW)).toBe("in 2 h");
    expect(since("2024-05-01T11:57:00Z", NOW)).toBe("3 min");
    expect(tagTimeIso("20240131T235959")).toBe("2024-01-31T23:59:59Z");
  });
});

describe("at a glance", () => {
  it("is the deploy status with healthy/expected when all is well", () => {
    expect(glance(status(), [], true)).toEqual({ state: "Running", healthy: 1, expected: 1, badges: [] });
    expect(glance(undefined, [], false).state).toBe("Not deployed");
    expect(glance(status({ desired_state: "stop", deploy_status: "Stopped" }), [], true).expected).toBe(0);
  });

  it("flags a crash loop from the running version's restarts (the monitor's rule)", () => {
    const looping = status({
      versions: [version({ ready_replicas: 0, tasks: [task({ healthy: false, state: "starting", restarts: 3 })] })],
      deploy_status: "Waiting",
    });
    expect(crashLooping(looping)).toBe(true);
    expect(glance(looping, [], true).badges.map((b) => b.kind)).toEqual(["crash-loop"]);
    expect(crashLooping(status({ versions: [version({ tasks: [task({ restarts: 5 })] })] }))).toBe(false);
  });

  it("is Stuck when the monitor says the bounce makes no progress, and counts firing alerts", () => {
    const bouncing = status({ deploy_status: "Deploying" });
    const g = glance(
      bouncing,
      [alert({ kind: "bounce_stuck", state: "pending" }), alert({ kind: "replication" })],
      true,
    );
    expect(g.state).toBe("Stuck");
    expect(g.badges.map((b) => [b.kind, b.text])).toEqual([
      ["stuck", "bounce stuck"],
      ["alert", "1 alert firing"],
    ]);
  });
});

describe("the live stream", () => {
  it("sends a fragment only when its HTML changed", () => {
    const sent = new Map<string, string>();
    const a = html`<section id="a">1</section>`;
    const b = html`<ul id="b">x</ul>`;
    expect(fragmentId(a)).toBe("a");
    expect(changedFragments(sent, [a, b])).toEqual([a, b]);
    expect(changedFragments(sent, [a, b])).toEqual([]);
    const a2 = html`<section id="a">2</section>`;
    expect(changedFragments(sent, [a2, b])).toEqual([a2]);
  });

  it("re-renders a slow page less often, and shares one render between the streams of the same page", async () => {
    expect(nextDelay(50)).toBe(1000);
    expect(nextDelay(400)).toBe(2000);
    const share = sharer();
    let renders = 0;
    const render = async () => {
      renders++;
      return [];
    };
    const [tab1, tab2, other] = [share("/ui/live/home", render), share("/ui/live/home", render), share("/x", render)];
    await Promise.all([tab1(), tab2(), other()]);
    expect(renders).toBe(2);
  });

  it("parses NDJSON across chunk boundaries", () => {
    const rest = { text: "" };
    const line = JSON.stringify({ timestamp: "t", message: "m" });
    expect(ndjsonLines(rest, `${line}\n${line.slice(0, 5)}`)).toHaveLength(1);
    expect(ndjsonLines(rest, `${line.slice(5)}\nnot json\n`)).toEqual([{ timestamp: "t", message: "m" }]);
    expect(rest.text).toBe("");
  });
});

describe("deploy history", () => {
  it("names who marked each version and the rollback command of earlier ones", () => {
    const who = taggers([
      {
        timestamp: "t",
        level: "event",
        cluster: "N/A",
        service: "hello",
        instance: "N/A",
        component: "deploy",
        message:
          "Marked bbbb for deployment in deploy group dev.everything (tag paasta-dev.everything-20240501T110000-deploy)",
        user: "alice",
      },
    ]);
    const entry = { imageVersion: null, rolledBack: false };
    const rows = historyRows(
      "hello",
      "dev.everything",
      [
        {
          ...entry,
          sha: "c".repeat(40),
          timestamp: "20240501T120000",
          tag: "paasta-dev.everything-20240501T120000-deploy",
          current: true,
        },
        {
          ...entry,
          sha: "b".repeat(40),
          timestamp: "20240501T110000",
          tag: "paasta-dev.everything-20240501T110000-deploy",
          current: false,
          rolledBack: true,
        },
      ],
      who,
    );
    expect(rows.map((r) => [r.by, r.rollback])).toEqual([
      [null, null],
      ["alice", `paasta rollback -s hello -l dev.everything -k ${"b".repeat(40)}`],
    ]);
    const table = historyTable({ group: "dev.everything", rows }, NOW).text;
    expect(table).toContain("rolled back");
    expect(table).toContain("alice");
  });
});

describe("sections shown only when there is data", () => {
  it("alerts: hidden when none; escaped output and no javascript: runbook link when some", () => {
    expect(alertsFragment([], NOW).text).toBe('<section id="alerts" hidden></section>');
    const out = alertsFragment([alert()], NOW).text;
    expect(out).toContain("check_paasta_crash_loop.hello.main");
    expect(out).toContain("crash looping &lt;script&gt;");
    expect(out).not.toContain("javascript:");
  });

  it("mesh: hidden without data; each namespace's backends with state and sessions", () => {
    expect(meshFragment(undefined).text).toBe('<section id="mesh" hidden></section>');
    const out = meshFragment({
      proxy: { available: true, detail: "HAProxy serving 1 namespace" },
      namespaces: [
        {
          name: "hello.main",
          proxy_port: 20001,
          served: true,
          backends: [
            { task: "hello.main.t1", address: "127.0.0.1:31000", state: "draining", healthy: true, sessions: 4 },
          ],
        },
      ],
    }).text;
    expect(out).toContain("proxy port 20001");
    expect(out).toMatch(/data-backend="hello.main.t1".*127\.0\.0\.1:31000.*mesh-draining.*>4</s);
  });

  it("autoscaling: hidden without data; the autoscaler's fields when there are some", () => {
    expect(autoscalingFragment(undefined).text).toBe('<section id="autoscaling" hidden></section>');
    expect(autoscalingFragment({}).text).toContain("hidden");
    const out = autoscalingFragment({ desired_instances: 4, calculated_instances: 5, metric: SCRIPT }).text;
    expect(out).toMatch(/desired instances<\/dt><dd>4</);
    expect(out).toContain("&lt;script&gt;");
  });

  it("jobs: schedule, next run and each run's per-action state", () => {
    const summary = {
      service: "reports",
      job: "nightly",
      schedule: { words: "every day at 04:00" },
      next_runs: ["2024-05-02T04:00:00Z"],
      last_runs: [{ run: 7, state: "failed", scheduled_at: "2024-05-01T04:00:00Z" }],
    };
    const list = jobsFragment([summary], NOW).text;
    expect(list).toContain('href="/jobs/reports/nightly"');
    expect(list).toContain("every day at 04:00");
    expect(list).toContain("state-failed");
    const one = jobFragment(
      {
        ...summary,
        runs: [
          {
            run: 7,
            state: "failed",
            scheduled_at: "2024-05-01T04:00:00Z",
            actions: [
              { name: "extract", state: "succeeded", exit_code: 0, duration_s: 12 },
              { name: "load", state: "failed", exit_code: 3, attempts: 3 },
            ],
          },
        ],
      },
      NOW,
    ).text;
    expect(one).toMatch(/data-action="extract".*state-succeeded.*12 s/s);
    expect(one).toMatch(/data-action="load".*state-failed.*>3<.*>3</s);
  });
});

describe("the instance page's versions", () => {
  it("shows both versions side by side during a bounce, the old one first", () => {
    const names = { service: "hello", instance: "main", canRestart: true };
    const two = status({
      deploy_status: "Deploying",
      versions: [version(), version({ git_sha: "b".repeat(40), desired: false, tasks: [task({ id: "old1" })] })],
    });
    const out = versionsFragment(names, { ...glanceless(two) }, NOW).text;
    expect(out).toContain('class="versions bouncing"');
    expect([...out.matchAll(/data-version="(\w+)"/g)].map((m) => m[1]?.[0])).toEqual(["b", "a"]);
    expect(out).toContain('hx-post="/ui/actions/services/hello/main/replicas/old1/restart"');
    expect(out).toContain('hx-confirm="Restart task old1 of hello.main?"');
  });
});

function glanceless(s: InstanceStatus) {
  return { status: { ...s, backend: "local", git_sha: null }, alerts: [], events: [], glance: glance(s, [], true) };
}

describe("action results", () => {
  it("show the API's message, and the catalogue's code and fix when refused", () => {
    expect(flash(202, { message: "Replica t1 is being replaced" }).text).toBe(
      '<p class="flash ok">Replica t1 is being replaced</p>',
    );
    const refused = flash(401, {
      code: "PAASTA_API_UNAUTHORIZED",
      message: "write refused: no bearer token",
      fix: "Send it",
    }).text;
    expect(refused).toContain("Refused</strong> (401 PAASTA_API_UNAUTHORIZED): write refused: no bearer token");
  });
});
