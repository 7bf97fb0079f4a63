/**
 * Generated artefacts of the schemas: the JSON Schema files under schemas/ and the key tables of
 * docs/config.md and docs/compatibility.md (between `<!-- generated:NAME -->` markers). CI fails when the
 * committed copies drift (test/generated.test.ts); `npm run generate` rewrites them.
 */
import { z } from "zod";
import { FILE_SPECS, type FileSpec, jsonSchemaFor } from "./index.js";

type Json = Record<string, unknown>;

/** schemas/NAME.schema.json → content. `kubernetes` and `eks` share one file. */
export function renderJsonSchemas(): Map<string, string> {
  const out = new Map<string, string>();
  for (const spec of Object.values(FILE_SPECS)) {
    const name = `${spec.schemaName}.schema.json`;
    if (!out.has(name)) out.set(name, `${JSON.stringify(jsonSchemaFor(spec), null, 2)}\n`);
  }
  return out;
}

interface KeyRow {
  readonly key: string;
  readonly type: string;
  readonly default: string;
  readonly bounce: string;
  readonly description: string;
  readonly ignored?: string;
}

function metaOf(schema: z.ZodType): Json {
  return ((schema as unknown as { meta(): Json | undefined }).meta() ?? {}) as Json;
}

function shapeOf(spec: FileSpec): Record<string, z.ZodType> {
  const s = spec.schema as unknown as { shape?: Record<string, z.ZodType> };
  return s.shape ?? {};
}

export function keyRows(spec: FileSpec): KeyRow[] {
  const instanceFile =
    spec.kind === "kubernetes" || spec.kind === "eks" || spec.kind === "adhoc" || spec.kind === "tron";
  const rows: KeyRow[] = [];
  for (const [key, schema] of Object.entries(shapeOf(spec))) {
    const meta = metaOf(schema);
    const json = z.toJSONSchema(schema, { target: "draft-7", io: "input", unrepresentable: "any" }) as Json;
    const required = !(schema as unknown as { isOptional(): boolean }).isOptional();
    const def =
      meta.default !== undefined ? `\`${JSON.stringify(meta.default)}\`` : (meta["x-default"] as string | undefined);
    rows.push({
      key,
      type: typeLabel(json),
      default: required ? "required" : (def ?? "—"),
      bounce: instanceFile ? (meta["x-bounce"] === false ? "no" : "yes") : "—",
      description: String(meta.description ?? ""),
      ignored: meta["x-ignored"] as string | undefined,
    });
  }
  return rows.sort((a, b) => a.key.localeCompare(b.key));
}

/** A short human type of a JSON Schema: `number`, `list of strings`, `"a" \| "b"`, `mapping`. */
export function typeLabel(s: Json): string {
  if (Array.isArray(s.enum)) return s.enum.map((v) => JSON.stringify(v)).join(" \\| ");
  if (s.const !== undefined) return JSON.stringify(s.const);
  const union = (s.anyOf ?? s.oneOf) as Json[] | undefined;
  if (Array.isArray(union)) return [...new Set(union.map(typeLabel))].join(" or ");
  if (Array.isArray(s.type)) return s.type.map((t) => typeLabel({ ...s, type: t })).join(" or ");
  switch (s.type) {
    case "array": {
      const items = s.items as Json | undefined;
      if (!items || Array.isArray(items)) return "list";
      const inner = typeLabel(items);
      return inner === "mapping" ? "list of mappings" : `list of ${inner}s`;
    }
    case "object":
      return "mapping";
    case "integer":
      return "integer";
    case undefined:
      return "any";
    default:
      return String(s.type);
  }
}

const esc = (t: string) => t.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** The key table of one file kind for docs/config.md. */
export function renderKeyTable(spec: FileSpec): string {
  const rows = keyRows(spec);
  const lines = ["| Key | Type | Default | Bounces | Description |", "|---|---|---|---|---|"];
  for (const r of rows) {
    const desc = r.ignored ? `${r.description} *Accepted, no effect: ${r.ignored}.*` : r.description;
    lines.push(`| \`${r.key}\` | ${r.type} | ${esc(r.default)} | ${r.bounce} | ${esc(desc)} |`);
  }
  return lines.join("\n");
}

/** The accepted-but-ignored keys of every file kind, for docs/compatibility.md. */
export function renderIgnoredTable(): string {
  const lines = ["| File | Key | Why it has no effect |", "|---|---|---|"];
  const seen = new Set<string>();
  for (const spec of Object.values(FILE_SPECS)) {
    if (seen.has(spec.schemaName)) continue;
    seen.add(spec.schemaName);
    for (const r of keyRows(spec)) if (r.ignored) lines.push(`| ${spec.title} | \`${r.key}\` | ${esc(r.ignored)} |`);
  }
  return lines.join("\n");
}

/** Generated blocks by marker name. */
export function generatedBlocks(): Map<string, string> {
  const blocks = new Map<string, string>();
  const done = new Set<string>();
  for (const spec of Object.values(FILE_SPECS)) {
    if (done.has(spec.schemaName)) continue;
    done.add(spec.schemaName);
    blocks.set(`keys:${spec.schemaName}`, renderKeyTable(spec));
  }
  blocks.set("ignored-keys", renderIgnoredTable());
  return blocks;
}

/** Replaces every `<!-- generated:NAME -->…<!-- /generated:NAME -->` block of `text`. Unknown names are errors. */
export function fillGeneratedBlocks(text: string, blocks: ReadonlyMap<string, string>): string {
  return text.replace(/<!-- generated:([\w:-]+) -->[\s\S]*?<!-- \/generated:\1 -->/g, (_, name: string) => {
    const body = blocks.get(name);
    if (body === undefined) throw new Error(`unknown generated block "${name}"`);
    return `<!-- generated:${name} -->\n${body}\n<!-- /generated:${name} -->`;
  });
}
