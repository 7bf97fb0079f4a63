/** The error table of docs/errors.md, generated from the catalogue (see scripts/generate.js). */
import { ERRORS } from "./errors.js";

export function renderErrorsDoc(): Map<string, string> {
  const lines = ["| Code | Exit | HTTP | Message | How to fix |", "|---|---|---|---|---|"];
  for (const [code, def] of Object.entries(ERRORS)) {
    const esc = (t: string) => t.replace(/\|/g, "\\|");
    lines.push(`| \`${code}\` | ${def.exit} | ${def.http} | ${esc(def.message)} | ${esc(def.fix)} |`);
  }
  return new Map([["errors", lines.join("\n")]]);
}
