/**
 * The page shell: one stylesheet, htmx and the dashboard's small script (both served by this API, no CDN),
 * the navigation, the API token box (scripts only: the token is kept for the browser tab in sessionStorage and
 * sent as the bearer header, never in a cookie), and where action results appear. `live` is the page's
 * Server-Sent Events stream; without JavaScript the page is a plain, complete document.
 */
import { type Html, html, raw } from "./html.js";

/** htmx settings: no eval, no script tags from swapped content, no inline indicator styles (the CSP forbids
 * them), no history snapshots, and error answers (401, 404 …) swapped in like successes so they are read. */
const HTMX_CONFIG = JSON.stringify({
  allowEval: false,
  allowScriptTags: false,
  includeIndicatorStyles: false,
  historyCacheSize: 0,
  selfRequestsOnly: true,
  responseHandling: [
    { code: "204", swap: false },
    { code: "...", swap: true },
  ],
});

/** Scripts and styles from this origin only; nothing inline, no frames. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

export interface PageOptions {
  readonly title: string;
  readonly cluster: string;
  readonly version: string;
  /** The page's SSE stream (`/ui/live/…`), when it updates live. */
  readonly live?: string;
  /** Show the Jobs link (the cluster serves jobs). */
  readonly jobs?: boolean;
  readonly crumbs?: ReadonlyArray<{ label: string; href?: string }>;
}

export function page(o: PageOptions, body: Html): Html {
  const crumbs = (o.crumbs ?? []).map(
    (c) =>
      html`<span class="sep">/</span>${c.href ? html`<a href="${c.href}">${c.label}</a>` : html`<span>${c.label}</span>`}`,
  );
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="htmx-config" content="${HTMX_CONFIG}">
<title>${o.title} · paasta ${o.cluster}</title>
<link rel="stylesheet" href="/ui/assets/dashboard.css">
<script src="/ui/assets/htmx.min.js" defer></script>
<script src="/ui/assets/dashboard.js" defer></script>
</head>
<body${o.live ? html` data-live="${o.live}"` : raw("")}>
<header class="top">
  <nav class="crumbs"><a class="brand" href="/">paasta</a><span class="cluster" title="cluster">${o.cluster}</span>${crumbs}</nav>
  <nav class="links">${o.jobs ? html`<a href="/jobs">Jobs</a>` : ""}<a href="/openapi.json">API</a></nav>
  <form id="token-form" class="token js-only" autocomplete="off">
    <label>API token <input type="password" name="token" placeholder="for actions" autocomplete="off"></label>
    <button type="submit">Use</button>
  </form>
  <p id="token-set" class="token" hidden>Token set for this tab <button type="button" id="token-forget">Forget</button></p>
</header>
<div id="flash" role="status" aria-live="polite"></div>
<main>
${body}
</main>
<footer>paasta ${o.version} · <span class="live-state" id="live-state">${o.live ? "live updates need JavaScript" : ""}</span></footer>
</body>
</html>
`;
}

/** A small labelled state pill: `state-running`, `state-deploying` … */
export function statePill(state: string): Html {
  return html`<span class="pill state-${state.toLowerCase().replace(/\s+/g, "-")}">${state}</span>`;
}
