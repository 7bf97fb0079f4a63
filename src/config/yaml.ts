/**
 * YAML reading with positions. Every value of a soa-configs file can be mapped back to its line and column,
 * so that schema and rule errors are located. Anchors, aliases and `<<` merge keys work; duplicate keys are
 * errors (they are in PaaSTA too).
 */
import { readFileSync } from "node:fs";
import { type Alias, isAlias, isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
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

export function parseYaml(text: string, file: string): YamlResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, merge: true, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((err) => {
        const pos = lineCounter.linePos(err.pos[0]);
        return { file, line: pos.line, col: pos.col, message: describeYamlError(err.code, err.message) };
      }),
    };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 10000 }) ?? {};
  } catch (e) {
    return { ok: false, problems: [{ file, line: 1, col: 1, message: `YAML error: ${(e as Error).message}` }] };
  }
  const root = doc.contents as Node | null;
  const locate = (path: readonly PathSegment[], at: "key" | "value" = "value"): Position => {
    const offset = findOffset(root, path, at, doc);
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, col: pos.col };
  };
  return { ok: true, doc: { file, value, locate, source: text } };
}

function describeYamlError(code: string, message: string): string {
  const firstLine = message.split("\n")[0] ?? message;
  if (code === "DUPLICATE_KEY")
    return `duplicate key: ${firstLine.replace(/^Map keys must be unique.*$/, "map keys must be unique")}`;
  return `YAML syntax error (${code}): ${firstLine.replace(/ at line \d+, column \d+:?$/, "")}`;
}

type Doc = ReturnType<typeof parseDocument>;

function resolveAlias(node: unknown, doc: Doc): unknown {
  let n = node;
  for (let i = 0; i < 100 && isAlias(n); i++) n = (n as Alias).resolve(doc);
  return n;
}

/** Finds the pair for `key` in a map, looking through `<<` merges (later sources lose to explicit keys). */
function findPair(map: unknown, key: PathSegment, doc: Doc, depth = 0): { key: Node; value: unknown } | undefined {
  const m = resolveAlias(map, doc);
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
    if (isSeq(node) && typeof seg === "number") {
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
