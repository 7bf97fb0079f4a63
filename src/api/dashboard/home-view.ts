/**
 * The home page: counts at the top, a filter box (a plain GET form; with scripts it filters as you type), and
 * each service with its owner team, description and instances (state, version, healthy/expected, problem
 * badges). `counts` and `services` are the fragments the live stream replaces. Pure.
 */

import { filterServices, type HomeModel, type HomeRow, type HomeService } from "./home-data.js";
import { type Html, html, safeUrl, seg } from "./html.js";
import { page, statePill } from "./layout.js";
import type { Badge } from "./problems.js";
import { versionLabel } from "./problems.js";

export function badges(list: readonly Badge[]): Html {
  return html`${list.map((b) => html`<span class="badge badge-${b.kind}" title="${b.detail}">${b.text}</span>`)}`;
}

function version(r: HomeRow): Html {
  const s = r.status;
  if (!s) return html`<span class="muted">${r.error ?? "—"}</span>`;
  // Old versions first: "old → new" while a bounce runs.
  const live = s.versions
    .filter((v) => v.replicas > 0 || v.desired)
    .sort((a, b) => Number(a.desired) - Number(b.desired));
  return html`${live.map(
    (v, i) =>
      html`${i > 0 ? html` <span class="arrow">→</span> ` : ""}<code class="${v.desired ? "sha" : "sha old"}">${versionLabel(v)}</code>`,
  )}`;
}

function row(r: HomeRow): Html {
  const href = `/services/${seg(r.service)}/${seg(r.instance)}`;
  const g = r.glance;
  const health = g.expected > 0 || g.healthy > 0 ? `${g.healthy}/${g.expected}` : "—";
  return html`<tr data-instance="${r.service}.${r.instance}">
  <td><a href="${href}">${r.instance}</a></td>
  <td>${statePill(g.state)}</td>
  <td>${version(r)}</td>
  <td class="num ${g.healthy < g.expected ? "warn" : ""}">${health}</td>
  <td>${r.deployGroup ?? ""}</td>
  <td>${badges(g.badges)}${r.status?.deploy_status_message ? html`<span class="muted small">${r.status.deploy_status_message}</span>` : ""}</td>
</tr>`;
}

export function instancesTable(rows: readonly HomeRow[]): Html {
  return html`<table class="instances"><thead><tr><th>Instance</th><th>State</th><th>Version</th><th>Healthy</th><th>Deploy group</th><th>Problems</th></tr></thead><tbody>${rows.map(row)}</tbody></table>`;
}

function service(s: HomeService, jobsServed: boolean): Html {
  const link = safeUrl(s.externalLink);
  const search = [s.name, s.team ?? "", s.description ?? "", ...s.rows.map((r) => r.instance)].join(" ").toLowerCase();
  return html`<section class="service" data-service="${s.name}" data-search="${search}">
  <h2><a href="/services/${seg(s.name)}">${s.name}</a>${s.team ? html` <span class="team" title="owner team">${s.team}</span>` : ""}</h2>
  ${s.description ? html`<p class="description">${s.description}</p>` : ""}
  ${link ? html`<p class="small"><a href="${link}" rel="noopener noreferrer">${link}</a></p>` : ""}
  ${s.problems.length ? html`<div class="problems"><span class="badge badge-config">config error</span> the reconciler leaves this service as it runs<ul>${s.problems.map((p) => html`<li><code>${p}</code></li>`)}</ul></div>` : ""}
  ${s.rows.length ? instancesTable(s.rows) : ""}
  ${s.jobs.length ? html`<p class="small">Jobs: ${s.jobs.map((j, i) => html`${i ? ", " : ""}${jobsServed ? html`<a href="/jobs/${seg(s.name)}/${seg(j)}">${j}</a>` : j}`)}</p>` : ""}
  ${!s.rows.length && !s.jobs.length ? html`<p class="muted small">No instances on this cluster.</p>` : ""}
</section>`;
}

export function countsFragment(m: HomeModel): Html {
  const c = m.counts;
  const item = (n: number, label: string, cls = "") => html`<li class="${cls}"><strong>${n}</strong> ${label}</li>`;
  return html`<ul id="counts" class="counts">
  ${item(c.services, "services")}${item(c.instances, "instances")}${item(c.running, "running")}
  ${item(c.deploying, "deploying", c.deploying ? "warn" : "")}${item(c.stopped, "stopped")}
  ${item(c.problems, "with problems", c.problems ? "bad" : "")}${item(c.firing, "alerts firing", c.firing ? "bad" : "")}
  ${m.jobs !== undefined ? item(m.jobs, "jobs") : ""}
</ul>`;
}

export function servicesFragment(m: HomeModel, q?: string): Html {
  const shown = filterServices(m.services, q);
  return html`<div id="services">${shown.map((s) => service(s, m.jobs !== undefined))}${shown.length === 0 ? html`<p class="muted">No service matches.</p>` : ""}</div>`;
}

export function homePage(m: HomeModel, o: { version: string; q?: string; live: string }): Html {
  const others = m.otherClusters.map((c) => html` <a href="${safeUrl(c.url) ?? "#"}">${c.name}</a>`);
  return page(
    { title: "Services", cluster: m.cluster, version: o.version, live: o.live, jobs: m.jobs !== undefined },
    html`<h1>Services on ${m.cluster}</h1>
${countsFragment(m)}
<form class="filter" method="get" action="/" role="search">
  <input type="search" name="q" id="filter" value="${o.q ?? ""}" placeholder="Filter by service, team, instance…" aria-label="Filter services">
  <noscript><button type="submit">Filter</button></noscript>
</form>
${servicesFragment(m, o.q)}
${m.otherClusters.length ? html`<p class="small muted">Other clusters:${others}</p>` : ""}`,
  );
}
