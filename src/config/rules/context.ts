/** What every validation rule gets: the service's files, its resolved instances, and helpers to locate problems. */
import { formatPath, type PathSegment, type Problem } from "../problem.js";
import type { FileKind } from "../schema/index.js";
import { findFile, type ServiceDir } from "../soa.js";
import type { SystemConfig } from "../system.js";
import type { ResolvedInstanceConfig, ResolvedTronJob } from "../types.js";

export interface RuleContext {
  readonly soaDir: string;
  readonly svc: ServiceDir;
  readonly system: SystemConfig | undefined;
  /** Clusters considered: the system's `clusters` plus those named by this service's files. */
  readonly clusters: readonly string[];
  readonly instances: readonly ResolvedInstanceConfig[];
  readonly jobs: readonly ResolvedTronJob[];
}

/** One named check, printed `✓ ok` when it has no problems. */
export interface CheckResult {
  readonly ok: string;
  readonly problems: Problem[];
}

/** A problem located at `path` in the file of `kind` (and `cluster`). */
export function locatedIn(
  ctx: RuleContext,
  kind: FileKind,
  cluster: string | undefined,
  path: PathSegment[],
  message: string,
  at: "key" | "value" = "value",
): Problem {
  const file = findFile(ctx.svc, kind, cluster);
  const name = displayName(ctx, file?.name ?? (cluster ? `${kind}-${cluster}.yaml` : `${kind}.yaml`));
  if (!file?.doc) return { file: name, path: formatPath(path) || undefined, message };
  const pos = file.doc.locate(path, at);
  return { file: name, line: pos.line, col: pos.col, path: formatPath(path) || undefined, message };
}

/** The display name of a service file (with the tree prefix when validating a whole tree). */
export function displayName(ctx: RuleContext, base: string): string {
  return ctx.svc.displayPrefix + base;
}

/**
 * Where a Tron action is written: `[job, "actions", name]`, or `[job, "actions", i]` when the job's actions are a
 * list of `{name, …}` entries.
 */
export function tronActionPath(ctx: RuleContext, cluster: string, job: string, action: string): PathSegment[] {
  const value = findFile(ctx.svc, "tron", cluster)?.doc?.value as Record<string, unknown> | undefined;
  const actions = (value?.[job] as { actions?: unknown } | undefined)?.actions;
  if (Array.isArray(actions)) {
    const i = actions.findIndex((a) => (a as { name?: unknown } | null)?.name === action);
    if (i >= 0) return [job, "actions", i];
  }
  return [job, "actions", action];
}
