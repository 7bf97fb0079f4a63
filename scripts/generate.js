#!/usr/bin/env node
// Rewrites the generated files: schemas/*.schema.json and the generated blocks of docs/*.md.
// Run `npm run build` first (this imports the compiled sources). CI fails when these drift.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const { renderJsonSchemas, generatedBlocks, fillGeneratedBlocks } = await import(
  join(root, "dist/config/schema/docs.js")
);
const { renderErrorsDoc } = await import(join(root, "dist/errors-doc.js"));
const { renderCliDoc } = await import(join(root, "dist/cli/help-doc.js"));
const { renderParityDoc } = await import(join(root, "dist/cli/parity/table.js"));

for (const [name, content] of renderJsonSchemas()) writeFileSync(join(root, "schemas", name), content);
const blocks = generatedBlocks();
for (const [name, body] of renderErrorsDoc()) blocks.set(name, body);
for (const [name, body] of await renderCliDoc()) blocks.set(name, body);
for (const [name, body] of renderParityDoc()) blocks.set(name, body);
for (const file of readdirSync(join(root, "docs"))) {
  if (!file.endsWith(".md")) continue;
  const path = join(root, "docs", file);
  const text = readFileSync(path, "utf8");
  const next = fillGeneratedBlocks(text, blocks);
  if (next !== text) writeFileSync(path, next);
}
console.log("generated schemas/ and docs/ blocks");
