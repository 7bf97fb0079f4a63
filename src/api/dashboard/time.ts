/**
 * Times as people read them: "3 min ago" with the absolute time on hover (a `<time>` element; the page's
 * script refreshes the relative text while it stays open). Pure: `now` is given.
 */
import { type Html, html } from "./html.js";

/** "just now", "42 s ago", "3 min ago", "5 h ago", "2 days ago"; "in 3 min" for future times. */
export function relative(iso: string, now: number): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const s = Math.round((now - t) / 1000);
  const text = span(Math.abs(s));
  if (text === "just now") return text;
  return s >= 0 ? `${text} ago` : `in ${text}`;
}

function span(s: number): string {
  if (s < 5) return "just now";
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86400) return `${Math.floor(s / 3600)} h`;
  const d = Math.floor(s / 86400);
  return `${d} day${d === 1 ? "" : "s"}`;
}

/** How long since `iso`, without "ago" ("3 min"): a task's uptime. */
export function since(iso: string | null, now: number): string {
  if (!iso) return "";
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return "";
  const s = Math.max(0, Math.round((now - t) / 1000));
  return s < 60 ? `${s} s` : span(s);
}

/** `2024-01-31 23:59:59 UTC`: the absolute form shown on hover. */
export function absolute(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return `${new Date(t).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** A `<time>` with the relative text, the absolute time as its title, and the ISO time for the script. */
export function when(iso: string | null | undefined, now: number, mode: "ago" | "uptime" = "ago"): Html {
  if (!iso) return html``;
  const text = mode === "ago" ? relative(iso, now) : since(iso, now);
  return html`<time datetime="${iso}" title="${absolute(iso)}" data-mode="${mode}">${text}</time>`;
}

/** A PaaSTA tag timestamp (`20240131T235959`, UTC) as ISO 8601. */
export function tagTimeIso(ts: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})$/.exec(ts);
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z` : ts;
}
