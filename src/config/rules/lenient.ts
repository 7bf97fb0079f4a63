/**
 * Warnings for values PaaSTA's schemas accept (so paasta accepts them too) but that are surely a mistake or
 * have no effect: keys paasta does not read inside open objects (a typo gets "did you mean"), a
 * decision_policy nobody knows, health-check timings of 0, container_port 0, a topology spread without
 * topology_key, a parallel block inside a parallel block. Each is located; none fails validation.
 * docs/compatibility.md ("soa-configs strictness") records each decision.
 */
import { allowedKeysAt, closestKey } from "../key-suggest.js";
import type { PathSegment, Problem } from "../problem.js";
import { FILE_SPECS } from "../schema/index.js";
import type { SoaFile } from "../soa.js";
import { displayName, type RuleContext } from "./context.js";

type Dict = Record<string, unknown>;
const isDict = (v: unknown): v is Dict => v !== null && typeof v === "object" && !Array.isArray(v);

/** Open objects of an instance entry: where paasta reads only some keys. `*` is every item of a list. */
const OPEN_OBJECTS: readonly (readonly string[])[] = [
  ["lifecycle"],
  ["bounce_health_params"],
  ["secret_volumes", "*"],
  ["secret_volumes", "*", "items", "*"],
  ["projected_sa_volumes", "*"],
  ["topology_spread_constraints", "*"],
];

const KNOWN_POLICIES = ["proportional", "bespoke"];

/** Every concrete path (and its value) a pattern with `*` matches in `value`. */
function expand(value: unknown, pattern: readonly string[], at: PathSegment[] = []): Array<[PathSegment[], unknown]> {
  if (pattern.length === 0) return [[at, value]];
  const [head, ...rest] = pattern;
  if (head === "*") return Array.isArray(value) ? value.flatMap((v, i) => expand(v, rest, [...at, i])) : [];
  return isDict(value) && head !== undefined && head in value ? expand(value[head], rest, [...at, head]) : [];
}

function entryWarnings(
  kind: "kubernetes" | "eks" | "adhoc",
  entry: Dict,
): Array<[PathSegment[], string, "key" | "value"]> {
  const out: Array<[PathSegment[], string, "key" | "value"]> = [];
  const schema = FILE_SPECS[kind].schema;
  for (const pattern of OPEN_OBJECTS) {
    for (const [path, v] of expand(entry, pattern)) {
      if (!isDict(v)) continue;
      const allowed = allowedKeysAt(schema, path);
      if (allowed.length === 0) continue;
      for (const key of Object.keys(v).filter((k) => !allowed.includes(k))) {
        const near = closestKey(key, allowed);
        out.push([
          [...path, key],
          `unknown key "${key}"${near ? ` (did you mean "${near}"?)` : ""}: accepted as PaaSTA does, and not read`,
          "key",
        ]);
      }
    }
  }
  for (const [path, p] of expand(entry, ["autoscaling", "metrics_providers", "*"])) {
    const policy = isDict(p) ? p.decision_policy : undefined;
    if (typeof policy === "string" && !KNOWN_POLICIES.includes(policy))
      out.push([
        [...path, "decision_policy"],
        `decision_policy "${policy}" is neither proportional nor bespoke: it acts as proportional (an HPA), as in PaaSTA`,
        "value",
      ]);
  }
  for (const key of [
    "healthcheck_interval_seconds",
    "healthcheck_timeout_seconds",
    "healthcheck_max_consecutive_failures",
  ])
    if (entry[key] === 0)
      out.push([[key], `${key} 0 cannot check anything: 1 is used (the least Kubernetes allows)`, "value"]);
  if (entry.container_port === 0)
    out.push([["container_port"], "container_port 0 is no port: the default (8888) is used", "value"]);
  for (const [path, c] of expand(entry, ["topology_spread_constraints", "*"]))
    if (isDict(c) && c.topology_key === undefined)
      out.push([path, "a topology spread constraint without topology_key spreads over nothing: it is left out", "key"]);
  return out;
}

function locate(ctx: RuleContext, file: SoaFile, path: PathSegment[], message: string, at: "key" | "value"): Problem {
  const pos = file.doc?.locate(path, at);
  const shown = path
    .map((s) => (typeof s === "number" ? `[${s}]` : `.${s}`))
    .join("")
    .replace(/^\./, "");
  return { file: displayName(ctx, file.name), line: pos?.line, col: pos?.col, path: shown || undefined, message };
}

/** The warnings of one service, located; `paasta validate` prints them as `!` lines. */
export function lenientWarnings(ctx: RuleContext): Problem[] {
  const out: Problem[] = [];
  for (const file of ctx.svc.files) {
    const value = file.doc?.value;
    if (!isDict(value)) continue;
    if (file.kind === "kubernetes" || file.kind === "eks" || file.kind === "adhoc") {
      for (const [name, entry] of Object.entries(value)) {
        if (!isDict(entry)) continue;
        for (const [path, message, at] of entryWarnings(file.kind, entry))
          out.push(locate(ctx, file, [name, ...path], message, at));
      }
    }
    if (file.kind === "deploy" && Array.isArray(value.pipeline)) {
      value.pipeline.forEach((item, i) => {
        const parallel = isDict(item) && Array.isArray(item.parallel) ? item.parallel : [];
        parallel.forEach((p, j) => {
          if (isDict(p) && Array.isArray(p.parallel))
            out.push(
              locate(
                ctx,
                file,
                ["pipeline", i, "parallel", j, "parallel"],
                "a parallel block inside a parallel block: its steps run with the outer block's",
                "key",
              ),
            );
        });
      });
    }
  }
  return out;
}
