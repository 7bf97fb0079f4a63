/**
 * The reconcile pass (level-based, like controller-runtime): read desired and observed state fresh, plan,
 * then apply each app in isolation (one failure never stops the others), under a write budget. Apps the plan
 * calls unchanged are applied too: backends compare what really runs and write nothing when nothing differs,
 * which is how a hand edit (drift) is repaired.
 */
import { type Backend, canCleanupShared } from "../backends/backend.js";
import type { SystemConfig } from "../config/system.js";
import type { AutoscalingRecord } from "../model/autoscaling.js";
import { type DesiredState, desiredState } from "./desired.js";
import { type RoutePassResult, routePass } from "./mesh-pass.js";
import { type Outcome, outcomeError } from "./outcome.js";
import { type Plan, type PlanItem, planPass } from "./plan.js";

export interface PassOptions {
  readonly soaDir: string;
  readonly system?: SystemConfig;
  readonly cluster: string;
  readonly dryRun?: boolean;
  readonly force?: boolean;
  /** At most this many writes (creates, updates, deletes) per pass; 0 or undefined = unlimited. */
  readonly rateLimit?: number;
  /** Apps applied at the same time (in plan order); default: the backend's applyConcurrency. */
  readonly concurrency?: number;
  /** Reads the cluster's autoscaling overrides and pause (a backend renders them, e.g. into HPAs). */
  readonly autoscaling?: () => Promise<AutoscalingRecord>;
}

export interface PassResult {
  readonly plan: Plan;
  readonly desired: DesiredState | undefined;
  /** Why the soa-configs tree could not be read (nothing was changed or deleted), else null. */
  readonly treeError: string | null;
  /** Objects kept per service that this pass removed (Kubernetes: Secrets no app uses any more). */
  readonly removedShared?: string[];
  readonly outcomes: Outcome[];
  /** The mesh's routes, on backends with the MeshRouter power (after the apps, in the same write budget). */
  readonly routes?: RoutePassResult;
  readonly writes: number;
  readonly durationMs: number;
}

export async function reconcilePass(backend: Backend, o: PassOptions): Promise<PassResult> {
  const t0 = performance.now();
  let desired: DesiredState | undefined;
  let treeError: string | null = null;
  const autoscaling = o.autoscaling ? await o.autoscaling() : undefined;
  try {
    desired = desiredState(o.soaDir, o.system, o.cluster, { autoscaling });
  } catch (e) {
    desired = undefined;
    treeError = (e as Error).message;
  }
  const observed = await backend.observe();
  const plan = planPass(desired, observed, { force: o.force });
  const outcomes: Outcome[] = new Array(plan.items.length);
  let writes = 0;
  let reserved = 0;
  const handle = async (item: PlanItem, index: number) => {
    if (item.action === "keep") {
      outcomes[index] = { kind: "unchanged", item };
      return;
    }
    if (o.dryRun) {
      outcomes[index] = {
        kind: item.action === "apply" && item.change === "unchanged" ? "unchanged" : "planned",
        item,
      };
      return;
    }
    const mayWrite = item.action === "delete" || item.change !== "unchanged";
    if (mayWrite && o.rateLimit && writes + reserved >= o.rateLimit) {
      outcomes[index] = { kind: "deferred", item };
      return;
    }
    if (mayWrite) reserved++;
    try {
      if (item.action === "apply") {
        const result = await backend.apply(item.app);
        outcomes[index] = { kind: result, item };
        if (result !== "unchanged") writes++;
      } else {
        await backend.remove({ service: item.service, instance: item.instance });
        outcomes[index] = { kind: "deleted", item };
        writes++;
      }
    } catch (e) {
      outcomes[index] = { kind: "failed", item, error: outcomeError(e) };
    } finally {
      if (mayWrite) reserved--;
    }
  };
  // In plan order (code deploys first), `concurrency` at a time; each item in isolation.
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < plan.items.length; i = next++) await handle(plan.items[i] as PlanItem, i);
  };
  const concurrency = o.concurrency ?? backend.applyConcurrency;
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, plan.items.length)) }, worker));
  const budget = o.rateLimit ? Math.max(0, o.rateLimit - writes) : Number.POSITIVE_INFINITY;
  const routes = await routePass(backend, desired, { dryRun: o.dryRun, force: o.force, budget });
  writes += routes?.writes ?? 0;
  const removedShared = o.dryRun ? [] : await cleanupShared(backend, desired, plan, observed.length);
  writes += removedShared.length;
  return { plan, desired, treeError, outcomes, routes, writes, durationMs: performance.now() - t0, removedShared };
}

/**
 * Per-service objects no app uses any more, removed under the same rails as apps: never when soa-configs could
 * not be read, yields no app while apps run, or deletions were refused; frozen services are left alone.
 */
async function cleanupShared(
  backend: Backend,
  desired: DesiredState | undefined,
  plan: Plan,
  observedCount: number,
): Promise<string[]> {
  if (!canCleanupShared(backend) || !desired || plan.refused) return [];
  if (desired.apps.length === 0 && observedCount > 0) return [];
  return backend.cleanupShared(desired.apps, new Set(desired.frozen.keys()));
}
