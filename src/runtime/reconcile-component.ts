/**
 * The reconcile loop as a component: passes on soa-configs and tag changes and on a timer, and, where the
 * backend has the ChangeWatcher power, at once when something it manages changes outside it.
 */
import { canWatchChanges } from "../backends/backend.js";
import type { AutoscalingRecord } from "../model/autoscaling.js";
import { ReconcileLoop } from "../reconcile/loop.js";
import type { PassResult } from "../reconcile/pass.js";
import { type DeployQueue, deployQueueOf } from "../reconcile/queue.js";
import type { Component, ComponentHealth } from "./component.js";
import type { RuntimeContext } from "./context.js";

export interface ReconcileOptions {
  readonly force?: boolean;
  readonly rateLimit?: number;
  readonly onPass?: (r: PassResult) => void;
  readonly onError?: (e: unknown) => void;
  /** The cluster's autoscaling overrides and pause, for backends that render them (Kubernetes' HPAs). */
  readonly autoscaling?: () => Promise<AutoscalingRecord>;
  /** Test knobs: faster loops. */
  readonly watchMs?: number;
  readonly gitPollMs?: number;
}

export class ReconcileComponent implements Component {
  readonly name = "reconcile";
  readonly loop: ReconcileLoop;
  private stopWatch: (() => void) | undefined;

  constructor(
    private readonly ctx: RuntimeContext,
    o: ReconcileOptions = {},
  ) {
    this.loop = new ReconcileLoop({
      soaDir: ctx.soaDir,
      cluster: ctx.cluster,
      system: ctx.system,
      backend: ctx.backend,
      log: ctx.log,
      force: o.force,
      rateLimit: o.rateLimit,
      watchMs: o.watchMs,
      gitPollMs: o.gitPollMs,
      autoscaling: o.autoscaling,
      onPass: (r) => {
        ctx.metrics.reconcileDuration.observe(r.durationMs / 1000);
        ctx.metrics.reconcileWrites.inc(r.writes);
        ctx.metrics.soaConfigsReadable.set(r.treeError ? 0 : 1);
        o.onPass?.(r);
      },
      onError: o.onError,
    });
  }

  /** The last pass, for status and the API (why soa-configs could not be read, frozen services …). */
  get lastResult(): PassResult | undefined {
    return this.loop.lastResult;
  }

  /** What the loop still has to do (GET /v1/deploy_queue, `paasta list-deploy-queue`). */
  deployQueue(): DeployQueue {
    return deployQueueOf(this.ctx.cluster, this.loop.lastResult, this.loop.passState());
  }

  async start(): Promise<void> {
    const backend = this.ctx.backend;
    if (canWatchChanges(backend)) this.stopWatch = backend.watchChanges(() => this.loop.trigger());
    this.loop.start();
  }

  async stop(): Promise<void> {
    this.stopWatch?.();
    await this.loop.close();
  }

  health(): ComponentHealth {
    const r = this.loop.lastResult;
    if (!r) return { ok: true, detail: "first pass pending" };
    if (r.treeError) return { ok: false, detail: `soa-configs could not be read: ${r.treeError}` };
    const failed = r.outcomes.filter((o) => o.kind === "failed").length;
    return {
      ok: failed === 0,
      detail: `${r.outcomes.length} app(s), ${failed} failed, ${r.desired?.frozen.size ?? 0} service(s) frozen`,
    };
  }
}
