/** Deploy history tables (one per deploy group) with the rollback command of each earlier version. Pure. */
import type { GroupHistory } from "./history.js";
import { type Html, html } from "./html.js";
import { tagTimeIso, when } from "./time.js";

export function historyTable(h: GroupHistory, now: number): Html {
  if (h.error) return html`<p class="warn small">Deploy record unavailable: ${h.error}</p>`;
  if (h.rows.length === 0) return html`<p class="muted small">Never deployed.</p>`;
  return html`<table class="history"><thead><tr><th>Version</th><th>Deployed</th><th>By</th><th></th><th>Roll back with</th></tr></thead><tbody>${h.rows.map(
    (r) => html`<tr data-sha="${r.sha}"${r.current ? html` class="current"` : ""}>
  <td><code title="${r.sha}">${r.sha.slice(0, 8)}</code>${r.imageVersion ? html`<span class="muted">+${r.imageVersion}</span>` : ""}</td>
  <td>${when(tagTimeIso(r.timestamp), now)}</td>
  <td>${r.by ?? ""}</td>
  <td>${r.current ? html`<span class="pill state-running">current</span>` : ""}${r.rolledBack ? html` <span class="badge badge-stuck">rolled back</span>` : ""}</td>
  <td>${r.rollback ? html`<code class="command">${r.rollback}</code>` : ""}</td>
</tr>`,
  )}</tbody></table>`;
}

export function historySection(histories: readonly GroupHistory[], now: number): Html {
  if (histories.length === 0) return html``;
  return html`<section id="history"><h2>Deploy history</h2>${histories.map(
    (h) => html`<h3>${h.group}</h3>${historyTable(h, now)}`,
  )}</section>`;
}
