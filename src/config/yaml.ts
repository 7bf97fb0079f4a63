/**
 * YAML reading with positions. Every value of a soa-configs file can be mapped back to its line and column,
 * so that schema and rule errors are located. Anchors, aliases and `<<` merge keys work; duplicate keys are
 * errors (they are in PaaSTA too).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import jsyaml from "js-yaml";
import type { Alias, LineCounter, Node } from "yaml";
import type { PathSegment, Problem } from "./problem.js";

export interface Position {
  readonly line: number;
  readonly col: number;
}

export interface YamlFile {
  /** The file name used in problems (relative to whatever the caller reports against). */
  readonly file: string;
  /** The plain JS value, merge keys applied. An empty document reads as `{}`. */
  readonly value: unknown;
  /**
   * Where the value at `path` is written. Follows `<<` merges into the template that provided the value.
   * `at: "key"` points at the key of the last segment (for unknown keys). Falls back to the deepest ancestor
   * that exists, and to 1:1.
   */
  locate(path: readonly PathSegment[], at?: "key" | "value"): Position;
  /** The line of a top-level key, found without building the position model (cheap). */
  topLevelLine(key: string): number;
  /** The comment text attached anywhere in the file (used for `# override-cpu-burst`-style markers). */
  readonly source: string;
}

export type YamlResult = { ok: true; doc: YamlFile } | { ok: false; problems: Problem[] };

export function readYamlFile(absPath: string, displayName: string): YamlResult {
  let text: string;
  try {
    text = readFileSync(absPath, "utf8");
  } catch (e) {
    return { ok: false, problems: [{ file: displayName, message: `cannot read file: ${(e as Error).message}` }] };
  }
  return parseYaml(text, displayName);
}

/**
 * Values come from js-yaml with a YAML 1.1 schema like PyYAML's (what PaaSTA reads soa-configs with): `yes`/
 * `no`/`on`/`off` are booleans, `010` is octal, `<<` merges. Positions come from the `yaml` library's document
 * model, built only when a problem has to be located: it is about six times slower to build, and most files
 * have no problems. See docs/design/0001-yaml-two-parsers.md.
 */
export function parseYaml(text: string, file: string): YamlResult {
  if (text.length > MAX_DOCUMENT_BYTES) {
    const message = `file is ${text.length} bytes, over the ${MAX_DOCUMENT_BYTES}-byte limit for a soa-configs file: split it`;
    return { ok: false, problems: [{ file, line: 1, col: 1, message }] };
  }
  let value: unknown;
  try {
    value = jsyaml.load(text, { schema: SCHEMA_1_1, filename: file }) ?? {};
  } catch (e) {
    return { ok: false, problems: [loadErrorProblem(e, text, file)] };
  }
  const size = expandedSize(value, MAX_EXPANDED_VALUES);
  if (size > MAX_EXPANDED_VALUES) return { ok: false, problems: [aliasBombProblem(text, file, size)] };
  let positions: Positions | undefined;
  const locate = (path: readonly PathSegment[], at: "key" | "value" = "value"): Position => {
    positions ??= buildPositions(text);
    const offset = findOffset(positions.root, path, at, positions.doc);
    const pos = positions.lineCounter.linePos(offset);
    return { line: pos.line, col: pos.col };
  };
  const topLevelLine = (key: string): number => {
    const m = new RegExp(`^["']?${key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}["']?\\s*:`, "m").exec(text);
    return m ? text.slice(0, m.index).split("\n").length : locate([key], "key").line;
  };
  return { ok: true, doc: { file, value, locate, topLevelLine, source: text } };
}

/** Bigger than any real soa-configs file seen (the largest are a few hundred KB). */
export const MAX_DOCUMENT_BYTES = 4 * 1024 * 1024;
/**
 * Values a document may hold once its aliases are expanded. Aliases share one object when loaded, but every
 * consumer (schema checks, merges, hashing) walks each reference: a 600-byte "billion laughs" file would
 * otherwise cost gigabytes. Real files hold at most a few tens of thousands.
 */
export const MAX_EXPANDED_VALUES = 250_000;

/**
 * How many values `v` holds when every alias is expanded, computed once per shared object (so the count itself
 * stays cheap); stops counting past `limit`. A cycle counts as unbounded.
 */
export function expandedSize(v: unknown, limit: number): number {
  const memo = new Map<object, number>();
  const visiting = new Set<object>();
  const size = (x: unknown): number => {
    if (x === null || typeof x !== "object") return 1;
    const known = memo.get(x);
    if (known !== undefined) return known;
    if (visiting.has(x)) return Number.POSITIVE_INFINITY;
    visiting.add(x);
    let n = 1;
    for (const child of Array.isArray(x) ? x : Object.values(x)) {
      n += size(child);
      if (n > limit) break;
    }
    visiting.delete(x);
    memo.set(x, n);
    return n;
  };
  return size(v);
}

/** Located at the first alias of the file (where the expansion starts). */
function aliasBombProblem(text: string, file: string, size: number): Problem {
  const m = /(?:^|[\s[{,:-])\*[^\s,\]}]+/m.exec(text);
  const at = m ? m.index + m[0].indexOf("*") : 0;
  const before = text.slice(0, at).split("\n");
  const count = Number.isFinite(size) ? `more than ${MAX_EXPANDED_VALUES.toLocaleString("en-US")}` : "infinitely many";
  return {
    file,
    line: before.length,
    col: (before.at(-1)?.length ?? 0) + 1,
    message: `YAML aliases expand to ${count} values (an alias bomb, or a recursive alias): use fewer nested aliases`,
  };
}

type YamlLib = typeof import("yaml");
let yamlLib: YamlLib | undefined;

/** The `yaml` library, loaded on first use: only files with a problem to locate need it. */
function lib(): YamlLib {
  yamlLib ??= createRequire(import.meta.url)("yaml") as YamlLib;
  return yamlLib;
}

interface Positions {
  readonly doc: Doc;
  readonly root: Node | null;
  readonly lineCounter: LineCounter;
}

function buildPositions(text: string): Positions {
  const { LineCounter, parseDocument } = lib();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, merge: true, uniqueKeys: false, prettyErrors: false });
  return { doc, root: doc.contents as Node | null, lineCounter };
}

function loadErrorProblem(e: unknown, text: string, file: string): Problem {
  const err = e as { reason?: string; mark?: { line: number; column: number; position: number }; message?: string };
  if (!err.mark) return { file, line: 1, col: 1, message: `YAML error: ${err.message ?? String(e)}` };
  const line = err.mark.line + 1;
  const col = err.mark.column + 1;
  if (err.reason === "duplicated mapping key") {
    const key = /^\s*(?:-\s+)?("[^"]*"|'[^']*'|[^:#]+?)\s*:/.exec(text.slice(err.mark.position))?.[1] ?? "";
    return {
      file,
      line,
      col,
      message: `duplicate key ${key ? `"${key.replace(/^["']|["']$/g, "")}" ` : ""}(each key may appear once in a mapping)`,
    };
  }
  return { file, line, col, message: `YAML syntax error: ${err.reason ?? "invalid YAML"}` };
}

/** PyYAML's YAML 1.1 booleans (not y/n, which PyYAML reads as strings). */
const bool11 = new jsyaml.Type("tag:yaml.org,2002:bool", {
  kind: "scalar",
  resolve: (d: string) => /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/.test(d),
  construct: (d: string) => /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/.test(d),
  predicate: (o: unknown) => typeof o === "boolean",
});

/** PyYAML's YAML 1.1 integers: decimal, 0b binary, 0x hex, 0-prefixed octal, with `_` separators. */
const INT_11 = /^[-+]?(?:0b[01_]+|0x[0-9a-fA-F_]+|0[0-7_]+|0|[1-9][0-9_]*)$/;
const int11 = new jsyaml.Type("tag:yaml.org,2002:int", {
  kind: "scalar",
  resolve: (d: string) => INT_11.test(d) && /[0-9]/.test(d.replace(/^[-+]?0[bx]/, "")),
  construct: (d: string) => {
    const sign = d.startsWith("-") ? -1 : 1;
    const body = d.replace(/^[-+]/, "").replace(/_/g, "");
    if (body.startsWith("0b")) return sign * Number.parseInt(body.slice(2), 2);
    if (body.startsWith("0x")) return sign * Number.parseInt(body.slice(2), 16);
    if (body.length > 1 && body.startsWith("0")) return sign * Number.parseInt(body.slice(1), 8);
    return sign * Number.parseInt(body, 10);
  },
  predicate: (o: unknown) => typeof o === "number" && Number.isInteger(o),
});

/**
 * PyYAML's YAML 1.1 floats: a dot is required and an exponent needs its sign (`1.5`, `1.5e+3`, `.5`, `.inf`,
 * `.nan`); `1e3` and `1.0e3` stay strings, as in PyYAML. (js-yaml's core schema would read `1e3` as 1000.)
 */
const FLOAT_11 =
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const float11 = new jsyaml.Type("tag:yaml.org,2002:float", {
  kind: "scalar",
  resolve: (d: string) => FLOAT_11.test(d),
  construct: (d: string) => {
    const t = d.replace(/_/g, "").toLowerCase();
    if (t.endsWith(".nan")) return Number.NaN;
    if (t.endsWith(".inf")) return t.startsWith("-") ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
    return Number.parseFloat(t);
  },
  predicate: (o: unknown) => typeof o === "number" && !Number.isInteger(o),
});

const jsyamlTypes = (jsyaml as unknown as { types: { merge: jsyaml.Type; null: jsyaml.Type } }).types;
/** js-yaml's failsafe and JSON types (null, strings, maps, lists) with PyYAML's booleans, integers and floats. */
const SCHEMA_1_1 = jsyaml.FAILSAFE_SCHEMA.extend({
  implicit: [jsyamlTypes.null, jsyamlTypes.merge, bool11, int11, float11],
});

type Doc = import("yaml").Document.Parsed;

function resolveAlias(node: unknown, doc: Doc): unknown {
  let n = node;
  for (let i = 0; i < 100 && lib().isAlias(n); i++) n = (n as Alias).resolve(doc);
  return n;
}

/** Finds the pair for `key` in a map, looking through `<<` merges (later sources lose to explicit keys). */
function findPair(map: unknown, key: PathSegment, doc: Doc, depth = 0): { key: Node; value: unknown } | undefined {
  const m = resolveAlias(map, doc);
  const { isMap, isPair, isScalar, isSeq } = lib();
  if (!isMap(m) || depth > 50) return undefined;
  for (const item of m.items) {
    if (
      isPair(item) &&
      isScalar(item.key) &&
      typeof item.key.value !== "symbol" &&
      String(item.key.value) === String(key)
    ) {
      return { key: item.key as Node, value: item.value };
    }
  }
  for (const item of m.items) {
    if (!isPair(item)) continue;
    const k = item.key;
    const isMerge = isScalar(k) && (k.value === "<<" || k.source === "<<");
    if (!isMerge) continue;
    const sources = isSeq(item.value) ? item.value.items : [item.value];
    for (const src of sources) {
      const found = findPair(src, key, doc, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}

function rangeStart(node: unknown): number | undefined {
  const r = (node as { range?: [number, number, number] } | null)?.range;
  return r ? r[0] : undefined;
}

function findOffset(root: Node | null, path: readonly PathSegment[], at: "key" | "value", doc: Doc): number {
  let current: unknown = root;
  let best = rangeStart(root) ?? 0;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i] as PathSegment;
    const node = resolveAlias(current, doc);
    const last = i === path.length - 1;
    if (lib().isSeq(node) && typeof seg === "number") {
      const item = node.items[seg];
      if (item === undefined) return best;
      current = item;
      best = rangeStart(item) ?? best;
      continue;
    }
    const pair = findPair(node, seg, doc);
    if (!pair) return best;
    if (last && at === "key") return rangeStart(pair.key) ?? best;
    current = pair.value;
    best = rangeStart(pair.value) ?? rangeStart(pair.key) ?? best;
  }
  return best;
}
