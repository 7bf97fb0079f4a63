/** Tron rules: `requires` names existing actions of the same job, and the action graph has no cycle. */
import type { Problem } from "../problem.js";
import type { ResolvedTronJob } from "../types.js";
import { type CheckResult, locatedIn, type RuleContext, tronActionPath } from "./context.js";

export function checkTronDags(ctx: RuleContext): CheckResult {
  const problems: Problem[] = [];
  for (const job of ctx.jobs) {
    const names = new Set(job.actions.map((a) => a.name));
    for (const action of job.actions) {
      for (const req of action.requires) {
        if (!names.has(req)) {
          problems.push(
            locatedIn(
              ctx,
              "tron",
              job.cluster,
              [...tronActionPath(ctx, job.cluster, job.name, action.name), "requires"],
              `action ${action.name} requires "${req}", which is not an action of job ${job.name} (actions: ${[...names].join(", ")})`,
            ),
          );
        }
      }
    }
    const cycle = findCycle(job);
    if (cycle) {
      problems.push(
        locatedIn(
          ctx,
          "tron",
          job.cluster,
          [job.name, "actions"],
          `actions form a cycle: ${cycle.join(" -> ")}`,
          "key",
        ),
      );
    }
  }
  return { ok: "All Tron job action graphs are valid", problems };
}

/** A cycle of action names (first repeated at the end), or undefined. */
export function findCycle(job: Pick<ResolvedTronJob, "actions">): string[] | undefined {
  const requires = new Map(job.actions.map((a) => [a.name, a.requires] as const));
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === "done" || !requires.has(name)) return undefined;
    if (state.get(name) === "visiting") return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, "visiting");
    stack.push(name);
    for (const dep of requires.get(name) ?? []) {
      const c = visit(dep);
      if (c) return c;
    }
    stack.pop();
    state.set(name, "done");
    return undefined;
  };
  for (const name of requires.keys()) {
    const c = visit(name);
    if (c) return c;
  }
  return undefined;
}
