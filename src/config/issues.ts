/**
 * Turns zod issues into located, human-readable problems: `main.cpus: must be > 0 (got -1)`.
 * Every issue is kept (no "best match"): users fix them all in one go.
 */
import type { z } from "zod";
import { allowedKeysAt, closestKey } from "./key-suggest.js";
import { formatPath, type PathSegment, type Problem } from "./problem.js";
import type { YamlFile } from "./yaml.js";

type Issue = z.core.$ZodIssue;

export interface IssueContext {
  readonly doc: YamlFile;
  /** Path of the validated value inside the file (e.g. `["main"]`). */
  readonly base: readonly PathSegment[];
  /** The value that was validated (to quote offending values). */
  readonly value: unknown;
  /** The schema file users can read to see the allowed keys, e.g. `schemas/kubernetes.schema.json`. */
  readonly schemaRef: string;
  /** The schema the value was checked against, to suggest the closest allowed key for an unknown one. */
  readonly schema?: z.ZodType;
}

export function issuesToProblems(issues: readonly Issue[], ctx: IssueContext): Problem[] {
  const out: Problem[] = [];
  for (const issue of issues) collect(issue, [], ctx, out);
  return out;
}

function collect(issue: Issue, prefix: readonly PathSegment[], ctx: IssueContext, out: Problem[]): void {
  const rel = [...prefix, ...(issue.path as PathSegment[])];
  if (issue.code === "unrecognized_keys") {
    const allowed = ctx.schema ? allowedKeysAt(ctx.schema, rel) : [];
    for (const key of issue.keys) {
      const near = closestKey(key, allowed);
      const hint = near ? `did you mean "${near}"? ` : "";
      out.push(problem(ctx, [...rel, key], `unknown key "${key}" (${hint}allowed keys: see ${ctx.schemaRef})`, "key"));
    }
    return;
  }
  if (issue.code === "invalid_union") {
    const actual = valueAt(ctx.value, rel);
    const branches = issue.errors as Issue[][];
    // A branch whose issues are all deeper than the union itself matched the value's shape: report those.
    const deep = branches.find(
      (errs) => errs.length > 0 && errs.every((e) => e.path.length > 0 || e.code !== "invalid_type"),
    );
    if (deep && !branches.every((errs) => errs.every((e) => e.code === "invalid_type" && e.path.length === 0))) {
      for (const e of deep) collect(e, rel, ctx, out);
      return;
    }
    const expected = [
      ...new Set(
        branches
          .flat()
          .filter((e) => e.path.length === 0)
          .map(describeExpected),
      ),
    ];
    if (actual === undefined) out.push(problem(ctx, rel, `is required (${joinOr(expected)})`));
    else out.push(problem(ctx, rel, `must be ${joinOr(expected)} (got ${show(actual)})`));
    return;
  }
  if (issue.code === "invalid_key") {
    const key = rel[rel.length - 1];
    const inner = (issue.issues as Issue[]).map((i) => explain(i, key)).join("; ");
    out.push(problem(ctx, rel, `invalid key "${String(key)}": ${inner}`, "key"));
    return;
  }
  out.push(problem(ctx, rel, explain(issue, valueAt(ctx.value, rel))));
}

function problem(
  ctx: IssueContext,
  rel: readonly PathSegment[],
  message: string,
  at: "key" | "value" = "value",
): Problem {
  const full = [...ctx.base, ...rel];
  const pos = ctx.doc.locate(full, at);
  return { file: ctx.doc.file, line: pos.line, col: pos.col, path: formatPath(full), message };
}

function explain(issue: Issue, actual: unknown): string {
  switch (issue.code) {
    case "invalid_type":
      if (actual === undefined) return `is required (${describeExpected(issue)})`;
      return `must be ${describeExpected(issue)} (got ${show(actual)})`;
    case "too_small":
      if (issue.origin === "array") return `must have at least ${issue.minimum} item(s)`;
      if (issue.origin === "string") return `must be at least ${issue.minimum} characters long`;
      return `must be ${issue.inclusive ? ">=" : ">"} ${issue.minimum} (got ${show(actual)})`;
    case "too_big":
      if (issue.origin === "array") return `must have at most ${issue.maximum} item(s)`;
      if (issue.origin === "string")
        return `must be at most ${issue.maximum} characters long (got ${String(actual).length})`;
      return `must be ${issue.inclusive ? "<=" : "<"} ${issue.maximum} (got ${show(actual)})`;
    case "invalid_value":
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")} (got ${show(actual)})`;
    case "invalid_format":
      if (issue.message && !issue.message.startsWith("Invalid string")) return `${issue.message} (got ${show(actual)})`;
      return `must match ${"pattern" in issue ? String(issue.pattern) : issue.format} (got ${show(actual)})`;
    case "not_multiple_of":
      return `must be a multiple of ${String(issue.divisor)} (got ${show(actual)})`;
    case "custom":
      return actual === undefined ? issue.message : `${issue.message} (got ${show(actual)})`;
    default:
      return issue.message;
  }
}

function describeExpected(issue: Issue): string {
  if (issue.code !== "invalid_type") return "a valid value";
  const names: Record<string, string> = {
    string: "a string",
    number: "a number",
    int: "an integer",
    boolean: "true or false",
    array: "a list",
    object: "a mapping",
    record: "a mapping",
    null: "null",
    tuple: "a list",
  };
  return names[issue.expected] ?? issue.expected;
}

function joinOr(items: string[]): string {
  if (items.length <= 1) return items[0] ?? "a valid value";
  return `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;
}

function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let v = root;
  for (const seg of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

/** A short rendering of a YAML value for messages. */
export function show(v: unknown): string {
  if (v === undefined) return "nothing";
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
