/**
 * The reconcile pass (level-based, like controller-runtime): read desired and observed state fresh, plan,
 * then apply each app in isolation (one failure never stops the others), under a write budget. Apps the plan
 * calls unchanged are applied too: backends compare what really runs and write nothing when nothing differs,
 * which is how a hand edit (drift) is repaired.
 */
import type { Backend } from "../backends/backend.js";
import type { SystemConfig } from "../config/system.js";
import { type DesiredState, desiredState } from "./desired.js";
import { type Plan, type PlanItem, planPass } from "./plan.js";

export interface PassOptions {
  readonly soaDir: string;
  readonly system?: SystemConfig;
  readonly cluster: string;
  readonly dryRun?: boolean;
  readonly force?: boolean;
  /** At most this many writes (creates, updates, deletes) per pass; 0 or undefined = unlimited. */
  readonly rateLimit?: number;
  /** Apps applied at the same time (in plan order); default 1. */
  readonly concurrency?: number;
}

export interface PassResult {
  readonly plan: Plan;
  readonly desired: DesiredState | undefined;
  readonly outcomes: Array<{ item: PlanItem; result: string; error?: string }>;
  readonly writes: number;
  readonly durationMs: number;
}

export async function reconcilePass(backend: Backend, o: PassOptions): Promise<PassResult> {
  const t0 = performance.now();
  let desired: DesiredState | undefined;
  try {
    desired = desiredState(o.soaDir, o.system, o.cluster);
  } catch {
    desired = undefined;
  }
  const observed = await backend.observe();
  const plan = planPass(desired, observed, { force: o.force });
  const outcomes: PassResult["outcomes"] = new Array(plan.items.length);
  let writes = 0;
  let reserved = 0;
  const handle = async (item: PlanItem, index: number) => {
    if (item.action === "keep") {
      outcomes[index] = { item, result: "unchanged" };
      return;
    }
    if (o.dryRun) {
      outcomes[index] = {
        item,
        result: item.action === "apply" && item.change === "unchanged" ? "unchanged" : "planned",
      };
      return;
    }
    const mayWrite = item.action === "delete" || item.change !== "unchanged";
    if (mayWrite && o.rateLimit && writes + reserved >= o.rateLimit) {
      outcomes[index] = { item, result: "deferred (rate limit)" };
      return;
    }
    if (mayWrite) reserved++;
    try {
      if (item.action === "apply") {
        const result = await backend.apply(item.app);
        outcomes[index] = { item, result };
        if (result !== "unchanged") writes++;
      } else {
        await backend.remove({ service: item.service, instance: item.instance });
        outcomes[index] = { item, result: "deleted" };
        writes++;
      }
    } catch (e) {
      outcomes[index] = { item, result: "error", error: (e as Error).message };
    } finally {
      if (mayWrite) reserved--;
    }
  };
  // In plan order (code deploys first), `concurrency` at a time; each item in isolation.
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < plan.items.length; i = next++) await handle(plan.items[i] as PlanItem, i);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.concurrency ?? 1, plan.items.length)) }, worker));
  return { plan, desired, outcomes, writes, durationMs: performance.now() - t0 };
}
