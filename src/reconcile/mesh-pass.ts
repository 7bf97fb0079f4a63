/**
 * The mesh's part of a pass, on backends with the MeshRouter power: observe the published routes, plan them
 * under the rails (mesh-plan.ts), apply each in isolation within what is left of the write budget.
 */

import type { Backend } from "../backends/backend.js";
import { canRouteMesh } from "../backends/backend.js";
import type { DesiredState } from "./desired.js";
import { planRoutes, type RouteItem } from "./mesh-plan.js";
import { type OutcomeError, outcomeError } from "./outcome.js";

export type RouteOutcomeKind =
  | "unchanged"
  | "created"
  | "updated"
  | "deleted"
  | "kept"
  | "planned"
  | "deferred"
  | "failed";

export interface RouteOutcome {
  readonly kind: RouteOutcomeKind;
  readonly item: RouteItem;
  readonly error?: OutcomeError;
}

export interface RoutePassResult {
  readonly outcomes: RouteOutcome[];
  readonly writes: number;
  readonly refused: string | null;
  /** The published routes could not be read (nothing was done). */
  readonly error?: OutcomeError;
}

export async function routePass(
  backend: Backend,
  desired: DesiredState | undefined,
  o: { dryRun?: boolean; force?: boolean; budget: number },
): Promise<RoutePassResult | undefined> {
  if (!canRouteMesh(backend)) return undefined;
  let observed: Awaited<ReturnType<typeof backend.observeRoutes>>;
  try {
    observed = await backend.observeRoutes();
  } catch (e) {
    return { outcomes: [], writes: 0, refused: null, error: outcomeError(e) };
  }
  const plan = planRoutes(desired, observed, { force: o.force });
  const outcomes: RouteOutcome[] = [];
  let writes = 0;
  for (const item of plan.items) {
    if (item.action === "keep") {
      outcomes.push({ kind: "kept", item });
      continue;
    }
    if (o.dryRun) {
      outcomes.push({ kind: "planned", item });
      continue;
    }
    if (writes >= o.budget) {
      outcomes.push({ kind: "deferred", item });
      continue;
    }
    try {
      if (item.action === "apply") {
        const r = await backend.applyRoute(item.route);
        outcomes.push({ kind: r, item });
        if (r !== "unchanged") writes++;
      } else {
        await backend.removeRoute(item.route);
        outcomes.push({ kind: "deleted", item });
        writes++;
      }
    } catch (e) {
      outcomes.push({ kind: "failed", item, error: outcomeError(e) });
    }
  }
  return { outcomes, writes, refused: plan.refused };
}

/** One line: what happened to a route and why. */
export function describeRouteOutcome(o: RouteOutcome): string {
  const what = o.kind === "failed" ? `error (${o.error?.message})` : o.kind;
  return `mesh ${o.item.route.registration}: ${what} — ${o.item.reason}`;
}
