/**
 * "Did you mean": the allowed keys of a schema at a path (walking zod's definitions through optionals, lists,
 * records, unions and pipes) and the closest one to a misspelt key (Damerau-Levenshtein, like Python's
 * difflib would pick for a typo: `instanecs` → `instances`). Pure: tested by value.
 */
import type { z } from "zod";
import type { PathSegment } from "./problem.js";

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  valueType?: z.ZodType;
  options?: z.ZodType[];
  in?: z.ZodType;
  getter?: () => z.ZodType;
}

const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** The schemas a value at `path` is checked against (several under a union). */
function schemasAt(schema: z.ZodType, path: readonly PathSegment[], depth = 0): z.ZodType[] {
  if (depth > 50) return [];
  const d = defOf(schema);
  switch (d.type) {
    case "optional":
    case "nullable":
    case "default":
    case "prefault":
    case "readonly":
    case "catch":
      return d.innerType ? schemasAt(d.innerType, path, depth + 1) : [];
    case "pipe":
      return d.in ? schemasAt(d.in, path, depth + 1) : [];
    case "lazy":
      return d.getter ? schemasAt(d.getter(), path, depth + 1) : [];
    case "union":
      return (d.options ?? []).flatMap((o) => schemasAt(o, path, depth + 1));
  }
  if (path.length === 0) return [schema];
  const [head, ...rest] = path;
  if (d.type === "object" && typeof head === "string" && d.shape?.[head])
    return schemasAt(d.shape[head], rest, depth + 1);
  if (d.type === "array" && typeof head === "number" && d.element) return schemasAt(d.element, rest, depth + 1);
  if (d.type === "record" && d.valueType) return schemasAt(d.valueType, rest, depth + 1);
  return [];
}

/** The keys an object at `path` may have. */
export function allowedKeysAt(schema: z.ZodType, path: readonly PathSegment[]): string[] {
  const keys = new Set<string>();
  for (const s of schemasAt(schema, path)) {
    const d = defOf(s);
    if (d.type === "object") for (const k of Object.keys(d.shape ?? {})) keys.add(k);
  }
  return [...keys];
}

/** Edit distance with transpositions (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) (d[0] as number[])[j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i] as number[];
      const prev = d[i - 1] as number[];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        row[j] = Math.min(row[j] as number, ((d[i - 2] as number[])[j - 2] as number) + 1);
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}

/** The allowed key closest to `key`, when it is close enough to be a typo. */
export function closestKey(key: string, allowed: readonly string[]): string | undefined {
  const limit = Math.max(2, Math.floor(key.length / 3));
  let best: { k: string; d: number } | undefined;
  for (const k of allowed) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (d <= limit && (!best || d < best.d)) best = { k, d };
  }
  return best?.k;
}
