/**
 * A service's page: owner, description and link, its instances here (live), the deploy pipeline's latest
 * run, and the deploy history of each deploy group with the equivalent `paasta rollback` commands. Pure.
 */
import { historySection } from "./history-view.js";
import type { HomeService } from "./home-data.js";
import { instancesTable } from "./home-view.js";
import { type Html, html, safeUrl, seg } from "./html.js";
import { page, statePill } from "./layout.js";
import type { PipelineView, ServiceModel } from "./service-data.js";
import { when } from "./time.js";

export function serviceInstancesFragment(s: HomeService): Html {
  return html`<section id="service-instances" class="service"><h2>Instances</h2>
  ${s.problems.length ? html`<div class="problems"><span class="badge badge-config">config error</span> the reconciler leaves this service as it runs<ul>${s.problems.map((p) => html`<li><code>${p}</code></li>`)}</ul></div>` : ""}
  ${s.rows.length ? instancesTable(s.rows) : html`<p class="muted small">No long-running instances on this cluster.</p>`}
</section>`;
}

function pipelineSection(service: string, p: PipelineView | undefined, now: number): Html {
  if (!p) return html``;
  return html`<section id="pipeline" class="service"><h2>Pipeline <span class="muted small">commit <code>${p.git_sha.slice(0, 8)}</code> · ${p.status}${p.updated_at ? html` · ${when(p.updated_at, now)}` : ""}</span></h2>
  ${p.reason ? html`<p class="message">${p.reason}</p>` : ""}
  ${p.status === "paused" ? html`<p class="small">Paused before ${p.paused_before ?? "the next step"}: <code>paasta pipeline continue -s ${service} -k ${p.git_sha}</code></p>` : ""}
  <table><thead><tr><th>Step</th><th>Status</th><th>Started</th><th>Detail</th></tr></thead><tbody>${p.steps.map(
    (st) =>
      html`<tr><td>${st.name}</td><td>${statePill(st.status)}</td><td>${when(st.started_at, now)}</td><td class="small">${st.detail ?? ""}</td></tr>`,
  )}</tbody></table>
</section>`;
}

export function servicePage(m: ServiceModel, o: { version: string; live: string; jobs: boolean }): Html {
  const s = m.service;
  const link = safeUrl(s.externalLink);
  return page(
    { title: s.name, cluster: m.cluster, version: o.version, live: o.live, jobs: o.jobs, crumbs: [{ label: s.name }] },
    html`<h1>${s.name}${s.team ? html` <span class="team" title="owner team">${s.team}</span>` : ""}</h1>
${s.description ? html`<p class="description">${s.description}</p>` : ""}
${link ? html`<p class="small"><a href="${link}" rel="noopener noreferrer">${link}</a></p>` : ""}
${serviceInstancesFragment(s)}
${s.jobs.length ? html`<p class="small">Jobs: ${s.jobs.map((j, i) => html`${i ? ", " : ""}<a href="/jobs/${seg(s.name)}/${seg(j)}">${j}</a>`)}</p>` : ""}
${pipelineSection(s.name, m.pipeline, m.now)}
${historySection(m.histories, m.now)}`,
  );
}
