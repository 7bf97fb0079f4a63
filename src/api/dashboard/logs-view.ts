/**
 * The live log tail of an instance: its tasks' stdout and stderr and the deploy events, each line with its
 * time, component and task id. The page renders the latest lines; the live stream appends new ones. Pure.
 */
import type { LogLine } from "../../logs/writer.js";
import { type Html, html } from "./html.js";
import { absolute } from "./time.js";

export const LOG_COMPONENTS = ["stdout", "stderr", "deploy"] as const;
/** Lines rendered with the page, and kept in it while new ones arrive. */
export const TAIL_LINES = 200;

export function logLine(l: LogLine): Html {
  const time = l.timestamp.slice(11, 19);
  return html`<div class="line c-${l.component}"><time datetime="${l.timestamp}" title="${absolute(l.timestamp)}">${time}</time> <span class="component">${l.component}</span>${l.task ? html` <span class="task">${l.task}</span>` : ""} <span class="msg">${l.message}</span></div>`;
}

export function logSection(service: string, instance: string, lines: readonly LogLine[], _now: number): Html {
  return html`<section id="logs-section"><h2>Logs <span class="muted small">stdout, stderr and deploy events · <code>paasta logs -s ${service} -i ${instance} -f</code></span></h2>
<div id="logs" class="logs" data-max="${TAIL_LINES}">${lines.map(logLine)}</div>
</section>`;
}
