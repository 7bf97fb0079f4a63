/** Generated files must match their sources: run `npm run generate` after changing a schema, command or error. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderCliDoc } from "../src/cli/help-doc.js";
import { renderParityDoc } from "../src/cli/parity/table.js";
import { fillGeneratedBlocks, generatedBlocks, renderJsonSchemas } from "../src/config/schema/docs.js";
import { renderErrorsDoc } from "../src/errors-doc.js";
import { REPO } from "./helpers/cli.js";

describe("generated files are up to date (run `npm run generate`)", () => {
  it("schemas/*.schema.json", () => {
    const expected = renderJsonSchemas();
    const committed = readdirSync(join(REPO, "schemas")).filter((f) => f.endsWith(".schema.json"));
    expect(committed.sort()).toEqual([...expected.keys()].sort());
    for (const [name, content] of expected)
      expect(readFileSync(join(REPO, "schemas", name), "utf8"), name).toBe(content);
  });

  it("generated blocks of docs/*.md", async () => {
    const blocks = generatedBlocks();
    for (const [k, v] of renderErrorsDoc()) blocks.set(k, v);
    for (const [k, v] of await renderCliDoc()) blocks.set(k, v);
    for (const [k, v] of renderParityDoc()) blocks.set(k, v);
    const used = new Set<string>();
    for (const file of readdirSync(join(REPO, "docs")).filter((f) => f.endsWith(".md"))) {
      const text = readFileSync(join(REPO, "docs", file), "utf8");
      for (const m of text.matchAll(/<!-- generated:([\w:-]+) -->/g)) used.add(m[1] as string);
      expect(fillGeneratedBlocks(text, blocks), `docs/${file}`).toBe(text);
    }
    expect([...blocks.keys()].filter((k) => !used.has(k))).toEqual([]);
  });
});
