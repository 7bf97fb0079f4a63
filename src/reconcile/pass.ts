/**
 * The reconcile pass (level-based, like controller-runtime): read desired and observed state fresh, plan,
 * then apply each app in isolation (one failure never stops the others), under a write budget.
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
  const outcomes: PassResult["outcomes"] = [];
  let writes = 0;
  for (const item of plan.items) {
    if (item.action === "keep" || (item.action === "apply" && item.change === "unchanged")) {
      outcomes.push({ item, result: "unchanged" });
      continue;
    }
    if (o.dryRun) {
      outcomes.push({ item, result: "planned" });
      continue;
    }
    if (o.rateLimit && writes >= o.rateLimit) {
      outcomes.push({ item, result: "deferred (rate limit)" });
      continue;
    }
    try {
      if (item.action === "apply") outcomes.push({ item, result: await backend.apply(item.app) });
      else {
        await backend.remove({ service: item.service, instance: item.instance });
        outcomes.push({ item, result: "deleted" });
      }
      writes++;
    } catch (e) {
      outcomes.push({ item, result: "error", error: (e as Error).message });
    }
  }
  return { plan, desired, outcomes, writes, durationMs: performance.now() - t0 };
}
