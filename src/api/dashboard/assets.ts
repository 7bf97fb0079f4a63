/**
 * The dashboard's static files: htmx from its installed npm package (no CDN, no bundler), and the one
 * stylesheet and small script of `web/` (shipped with the package). Read once, served with an ETag.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

interface Asset {
  readonly body: string;
  readonly type: string;
  readonly etag: string;
}

/** `web/` at the package root: three levels up from both src/api/dashboard and dist/api/dashboard. */
const WEB = new URL("../../../web/", import.meta.url);

const SOURCES: Record<string, { path: () => string; type: string }> = {
  "htmx.min.js": {
    path: () => createRequire(import.meta.url).resolve("htmx.org/dist/htmx.min.js"),
    type: "text/javascript; charset=utf-8",
  },
  "dashboard.js": { path: () => fileURLToPath(new URL("dashboard.js", WEB)), type: "text/javascript; charset=utf-8" },
  "dashboard.css": { path: () => fileURLToPath(new URL("dashboard.css", WEB)), type: "text/css; charset=utf-8" },
};

const loaded = new Map<string, Asset>();

/** The named asset, or undefined for any other name. */
export function asset(name: string): Asset | undefined {
  const hit = loaded.get(name);
  if (hit) return hit;
  const source = SOURCES[name];
  if (!source) return undefined;
  const body = readFileSync(source.path(), "utf8");
  const a = { body, type: source.type, etag: `"${createHash("sha1").update(body).digest("hex").slice(0, 16)}"` };
  loaded.set(name, a);
  return a;
}
