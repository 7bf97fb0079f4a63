/**
 * The instance page: a summary with the actions, the versions side by side with their tasks (health, uptime,
 * restarts, last exit and reason), the capability sections (alerts, mesh, autoscaling: only when there is
 * data), the config that matters, recent events, the deploy history and the live log tail. Fragments with an
 * id are what the live stream replaces. Pure.
 */
import type { ResolvedInstanceConfig } from "../../config/types.js";
import type { LogLine } from "../../logs/writer.js";
import type { TaskStatus, VersionStatus } from "../../model/status.js";
import type { GroupHistory } from "./history.js";
import { historySection } from "./history-view.js";
import { badges } from "./home-view.js";
import { type Html, html, seg } from "./html.js";
import type { InstanceLive, InstanceModel } from "./instance-data.js";
import { page, statePill } from "./layout.js";
import { logSection } from "./logs-view.js";
import { versionLabel } from "./problems.js";
import { alertsFragment, autoscalingFragment, meshFragment } from "./slots-view.js";
import { when } from "./time.js";

export interface Names {
  readonly service: string;
  readonly instance: string;
  readonly canRestart: boolean;
}

function actions(n: Names, desired: string | undefined): Html {
  const base = `/ui/actions/services/${seg(n.service)}/${seg(n.instance)}/state`;
  const target = `${n.service}.${n.instance}`;
  return html`<div class="actions js-only">
  ${desired !== "stop" ? html`<button type="button" class="danger" hx-post="${base}/stop" hx-target="#flash" hx-confirm="Stop ${target}? Its tasks stop until it is started again or another version is deployed.">Stop</button>` : ""}
  ${desired !== "start" ? html`<button type="button" hx-post="${base}/start" hx-target="#flash" hx-confirm="Start ${target}?">Start</button>` : ""}
</div>
<noscript><p class="small muted">Actions need JavaScript (the API token is sent as a bearer header).</p></noscript>`;
}

export function summaryFragment(n: Names, l: InstanceLive): Html {
  const s = l.status;
  const g = l.glance;
  return html`<section id="summary" class="summary">
  <p>${statePill(g.state)} <strong class="num">${g.healthy}/${g.expected}</strong> healthy ${badges(g.badges)}</p>
  ${s?.deploy_status_message ? html`<p class="message">${s.deploy_status_message}</p>` : ""}
  ${s ? html`<p class="small">Desired state: <strong>${s.desired_state}</strong> · ${s.desired_instances} instance(s) · bounce <strong>${s.bounce_method}</strong> · backend ${s.backend}${s.error_message ? html` · <span class="bad">${s.error_message}</span>` : ""}</p>` : html`<p class="muted">${l.statusError ?? "No status"}</p>`}
  ${actions(n, s?.desired_state)}
</section>`;
}

function lastExit(t: TaskStatus): Html {
  if (t.last_exit_code === null && !t.reason) return html``;
  return html`${t.last_exit_code !== null ? html`<code>${t.last_exit_code}</code> ` : ""}<span class="small">${t.reason ?? ""}</span>`;
}

function taskRow(n: Names, t: TaskStatus, now: number): Html {
  const restart = `/ui/actions/services/${seg(n.service)}/${seg(n.instance)}/replicas/${seg(t.id)}/restart`;
  return html`<tr data-task="${t.id}">
  <td><code>${t.id}</code><br><span class="small muted">${t.host}${t.port !== null ? `:${t.port}` : ""}</span></td>
  <td><span class="task-${t.state}">${t.state}</span>${t.state !== "healthy" ? html`<br><span class="health ${t.healthy ? "ok" : "warn"} small">${t.healthy ? "healthy" : "not healthy"}</span>` : ""}</td>
  <td>${when(t.started_at, now, "uptime")}</td>
  <td class="num">${t.restarts}</td>
  <td>${lastExit(t)}</td>
  <td>${n.canRestart ? html`<button type="button" class="small js-only" hx-post="${restart}" hx-target="#flash" hx-confirm="Restart task ${t.id} of ${n.service}.${n.instance}?">Restart</button>` : ""}</td>
</tr>`;
}

function versionCard(n: Names, v: VersionStatus, desired: number, now: number): Html {
  const pct = desired > 0 ? Math.min(100, Math.round((v.ready_replicas / desired) * 100)) : 0;
  return html`<article class="version ${v.desired ? "current" : "old"}" data-version="${v.git_sha}">
  <h3>${v.desired ? "New version" : "Old version"} <code>${versionLabel(v)}</code> <span class="muted small">${v.config_hash}</span></h3>
  <p><span class="num">${v.ready_replicas}/${v.replicas}</span> healthy${v.desired ? html` of ${desired} wanted` : ""}
  <progress max="100" value="${pct}" title="${v.ready_replicas} of ${desired}">${pct}%</progress></p>
  ${v.failures?.count ? html`<p class="small warn">${v.failures.count} failed task(s); last exit ${v.failures.last_exit_code ?? "?"}${v.failures.last_reason ? `: ${v.failures.last_reason}` : ""} ${when(v.failures.last_at, now)}</p>` : ""}
  ${
    v.tasks.length
      ? html`<table class="tasks"><thead><tr><th>Task</th><th>State</th><th>Uptime</th><th>Restarts</th><th>Last exit</th><th></th></tr></thead>
  <tbody>${v.tasks.map((t) => taskRow(n, t, now))}</tbody></table>`
      : html`<p class="muted small">No tasks.</p>`
  }
</article>`;
}

export function versionsFragment(n: Names, l: InstanceLive, now: number): Html {
  const s = l.status;
  const shown = s ? [...s.versions].sort((a, b) => Number(a.desired) - Number(b.desired)) : [];
  return html`<section id="versions" class="versions${shown.length > 1 ? " bouncing" : ""}">
  ${shown.map((v) => versionCard(n, v, s?.desired_instances ?? 0, now))}
</section>`;
}

export function eventsFragment(events: readonly LogLine[], now: number): Html {
  return html`<section id="events"><h2>Recent events</h2>
  ${
    events.length
      ? html`<ul class="events">${events.map(
          (e) =>
            html`<li>${when(e.timestamp, now)} <span class="component">${e.component}</span>${e.task ? html` <code>${e.task}</code>` : ""} ${e.message}${e.user ? html` <span class="muted">by ${e.user}</span>` : ""}</li>`,
        )}</ul>`
      : html`<p class="muted small">No events yet.</p>`
  }
</section>`;
}

function healthcheck(c: ResolvedInstanceConfig): string {
  const h = c.healthcheck;
  if (!h.mode) return "none (healthy once running)";
  const what = h.mode === "cmd" ? ` ${h.cmd}` : h.mode === "tcp" ? "" : ` ${h.uri}`;
  return `${h.mode}${what}, every ${h.interval_seconds} s, grace ${h.grace_period_seconds} s`;
}

function configSection(c: ResolvedInstanceConfig | undefined, problems: readonly string[]): Html {
  if (!c)
    return html`<section id="config"><h2>Config</h2>${problems.length ? html`<ul class="problems">${problems.map((p) => html`<li><code>${p}</code></li>`)}</ul>` : html`<p class="muted">Not in this cluster's soa-configs.</p>`}</section>`;
  const scale = c.autoscaled ? `${c.min_instances}–${c.max_instances ?? "?"} (autoscaled)` : String(c.instances);
  const rows: Array<[string, string]> = [
    ["Instances", scale],
    ["CPUs", String(c.cpus)],
    ["Memory", `${c.mem} MB`],
    ["Bounce method", `${c.bounce_method} (margin ${c.bounce_margin_factor})`],
    ["Deploy group", c.deploy_group],
    ["Health check", healthcheck(c)],
    ["Command", Array.isArray(c.cmd) ? c.cmd.join(" ") : String(c.cmd ?? "(image default)")],
    ["Team", c.monitoring.team ?? ""],
    ["Defined in", `${c.source.file}:${c.source.line}`],
  ];
  return html`<section id="config"><h2>Config</h2><dl class="config">${rows.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl></section>`;
}

export function liveFragments(n: Names, l: InstanceLive, now: number): Html[] {
  return [
    summaryFragment(n, l),
    versionsFragment(n, l, now),
    alertsFragment(l.alerts, now),
    meshFragment(l.mesh),
    autoscalingFragment(l.autoscaler),
    eventsFragment(l.events, now),
  ];
}

export function instancePage(
  m: InstanceModel,
  history: readonly GroupHistory[],
  logs: readonly LogLine[],
  o: { version: string; live: string; jobs: boolean },
): Html {
  const [summary, versions, alerts, mesh, autoscaling, events] = liveFragments(m, m, m.now);
  return page(
    {
      title: `${m.service}.${m.instance}`,
      cluster: m.cluster,
      version: o.version,
      live: o.live,
      jobs: o.jobs,
      crumbs: [{ label: m.service, href: `/services/${seg(m.service)}` }, { label: m.instance }],
    },
    html`<h1>${m.service}.${m.instance}</h1>
${m.description ? html`<p class="description">${m.description}</p>` : ""}
${summary}
${versions}
${alerts}
${mesh}
${autoscaling}
<div class="columns">${configSection(m.config, m.configProblems)}${events}</div>
${historySection(history, m.now)}
${logSection(m.service, m.instance, logs, m.now)}`,
  );
}
