/**
 * Escaped HTML templates: the only way the dashboard writes markup. `html\`…${value}…\`` escapes every
 * interpolated value (text and attribute contexts alike: & < > " ' are replaced) unless it is already `Html`
 * (a fragment built the same way); arrays are joined, and null, undefined and false render nothing. So a
 * value from a config, a log line or the cluster can never become markup. Pure.
 */

/** Markup that is safe to write as is: built by `html` (or `raw` for constant strings of this module's callers). */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export type Value = Html | string | number | boolean | null | undefined | readonly Value[];

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

const SPECIAL = /[&<>"']/;

export function escapeHtml(text: string): string {
  return SPECIAL.test(text) ? text.replace(/[&<>"']/g, (c) => ESCAPES[c] as string) : text;
}

function render(v: Value): string {
  if (v === null || v === undefined || v === false) return "";
  if (v instanceof Html) return v.text;
  if (Array.isArray(v)) return v.map(render).join("");
  return escapeHtml(String(v));
}

export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let out = strings[0] as string;
  for (let i = 0; i < values.length; i++) out += render(values[i] as Value) + (strings[i + 1] as string);
  return new Html(out);
}

/** Trusted markup (a constant of the dashboard's own); never pass data from configs, logs or the cluster. */
export function raw(text: string): Html {
  return new Html(text);
}

/**
 * A link target from a config (service.yaml external_link, a runbook): only http(s) URLs, else undefined,
 * so `javascript:` and other schemes never reach an href.
 */
export function safeUrl(url: unknown): string | undefined {
  if (typeof url !== "string") return undefined;
  try {
    const u = new URL(url);
    return u.protocol === "http:" || u.protocol === "https:" ? u.href : undefined;
  } catch {
    return undefined;
  }
}

/** A path segment of the dashboard's own URLs (service, instance, task names). */
export function seg(s: string): string {
  return encodeURIComponent(s);
}
