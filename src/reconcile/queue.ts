/**
 * The deploy queue (`paasta list-deploy-queue`, GET /v1/deploy_queue): what the reconcile loop still has to do,
 * read from its last pass (pure: tested by value). PaaSTA's deployd kept a queue of instances to bounce; this
 * loop is level-based and has no queue of its own, so the honest equivalent is:
 *   - available: instances the next pass will take — writes deferred by the write budget, and failures that
 *     may pass (the cluster was unavailable or busy), retried with a doubling delay;
 *   - unavailable: instances that wait for their input to change — failures the cluster refused, and every
 *     instance of a service whose config has problems (left exactly as it runs).
 */

import { itemName } from "./outcome.js";
import type { PassResult } from "./pass.js";

export interface QueueEntry {
  readonly service: string;
  readonly instance: string;
  /** What the pass wanted to do: create, code-deploy, config-change, scale, delete. */
  readonly action: string;
  /** Why it is in the queue, in words. */
  readonly reason: string;
}

export interface DeployQueue {
  readonly cluster: string;
  /** When the last pass ended (ISO 8601), null before the first. */
  readonly last_pass_at: string | null;
  /** A pass is running now, or one was asked for while another ran. */
  readonly pass_pending: boolean;
  readonly available_service_instances: QueueEntry[];
  readonly unavailable_service_instances: QueueEntry[];
}

export function deployQueueOf(
  cluster: string,
  r: PassResult | undefined,
  loop: { lastPassAt: number | null; pending: boolean },
): DeployQueue {
  const available: QueueEntry[] = [];
  const unavailable: QueueEntry[] = [];
  for (const o of r?.outcomes ?? []) {
    if (o.kind !== "deferred" && o.kind !== "failed") continue;
    const name = itemName(o.item);
    const dot = name.indexOf(".");
    const entry = {
      service: name.slice(0, dot),
      instance: name.slice(dot + 1),
      action: o.item.action === "apply" ? o.item.change : o.item.action,
    };
    if (o.kind === "deferred") available.push({ ...entry, reason: "deferred: the pass's write budget was spent" });
    else if (o.error.retryable) available.push({ ...entry, reason: `retrying: ${o.error.message}` });
    else unavailable.push({ ...entry, reason: `refused until its config changes: ${o.error.message}` });
  }
  for (const [service, problems] of r?.desired?.frozen ?? []) {
    unavailable.push({
      service,
      instance: "*",
      action: "none",
      reason: `config has ${problems.length} problem(s); left as it runs (paasta validate -s ${service})`,
    });
  }
  return {
    cluster,
    last_pass_at: loop.lastPassAt === null ? null : new Date(loop.lastPassAt).toISOString(),
    pass_pending: loop.pending,
    available_service_instances: available,
    unavailable_service_instances: unavailable,
  };
}
