/**
 * The sections of capabilities a cluster may or may not have: active alerts, mesh membership, autoscaling.
 * Each renders an empty, hidden placeholder (kept so the live stream can fill it later) when there is no
 * data, and the section when there is. Pure.
 */
import type { ActiveAlert } from "../../model/alerts.js";
import { type Html, html, safeUrl } from "./html.js";
import type { AutoscalerView, MeshView } from "./instance-data.js";
import { when } from "./time.js";

function hidden(id: string): Html {
  return html`<section id="${id}" hidden></section>`;
}

export function alertsFragment(alerts: readonly ActiveAlert[], now: number): Html {
  if (alerts.length === 0) return hidden("alerts");
  return html`<section id="alerts" class="alerts"><h2>Alerts</h2><ul>${alerts.map((a) => {
    const runbook = safeUrl(a.runbook);
    return html`<li class="alert alert-${a.state} severity-${a.severity}">
  <strong>${a.state === "firing" ? "Firing" : "Pending"}</strong> <code>${a.check}</code> since ${when(a.since, now)} · team ${a.team}${a.page ? " · pages" : ""}
  <pre class="output">${a.output}</pre>
  ${a.tip ? html`<p class="small">${a.tip}</p>` : ""}${runbook ? html`<p class="small"><a href="${runbook}" rel="noopener noreferrer">Runbook</a></p>` : ""}
  ${a.sent_to.length ? html`<p class="small muted">Sent to ${a.sent_to.join(", ")}</p>` : ""}
</li>`;
  })}</ul></section>`;
}

export function meshFragment(mesh: MeshView | undefined): Html {
  if (!mesh) return hidden("mesh");
  return html`<section id="mesh" class="mesh"><h2>Mesh</h2>
  ${mesh.proxy?.detail ? html`<p class="small ${mesh.proxy.available === false ? "warn" : "muted"}">${mesh.proxy.detail}</p>` : ""}
  ${mesh.namespaces.map(
    (
      ns,
    ) => html`<h3><code>${ns.name}</code> ${ns.proxy_port !== null ? html`<span class="muted small">proxy port ${ns.proxy_port}</span>` : ""}${ns.served === false ? html` <span class="badge badge-alert">not served</span>` : ""}</h3>
  <table class="backends"><thead><tr><th>Task</th><th>Address</th><th>State</th><th>Health</th><th>Sessions</th></tr></thead><tbody>${ns.backends.map(
    (b) =>
      html`<tr data-backend="${b.task}"><td><code>${b.task}</code></td><td>${b.address}</td><td><span class="mesh-${b.state}">${b.state}</span></td><td>${b.healthy ? html`<span class="ok">healthy</span>` : html`<span class="warn">not healthy</span>`}</td><td class="num">${b.sessions ?? ""}</td></tr>`,
  )}</tbody></table>`,
  )}
</section>`;
}

function scalar(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

export function autoscalingFragment(a: AutoscalerView | undefined): Html {
  if (!a || Object.keys(a).length === 0) return hidden("autoscaling");
  const label = (k: string) => k.replace(/_/g, " ");
  return html`<section id="autoscaling" class="autoscaling"><h2>Autoscaling</h2>
  <dl class="config">${Object.entries(a).map(([k, v]) => html`<dt>${label(k)}</dt><dd>${scalar(v)}</dd>`)}</dl>
</section>`;
}
