/**
 * The local supervisor: keeps each app's tasks converging to its desired version and replica count, with
 * PaaSTA's bounce semantics, health checks, drains, restarts with exponential backoff, and re-adoption of
 * running tasks after its own restart. Level-based: every tick recomputes what to do from the store and the
 * processes themselves; async work (starting, health checks, stopping) is tracked in the task book so it is
 * never doubled.
 *
 * This file is the core: the tick loop and converge (applying converge-plan.ts). The units it drives:
 * adoption.ts, launch.ts, health-checks.ts, stop-task.ts (drains and stops), liveness.ts, log-capture.ts,
 * backoff.ts (crash loops), task-end.ts; their shared state is context.ts and task-book.ts.
 */
import type { DesiredApp } from "../../model/app.js";
import type { SecretReader, TaskExit } from "../powers.js";
import { type AdoptionResult, adopt } from "./adoption.js";
import { type Backoff, Backoffs } from "./backoff.js";
import type { SupervisorContext, SupervisorOptions } from "./context.js";
import { isHappy, planConverge } from "./converge-plan.js";
import { scheduleHealth } from "./health-checks.js";
import { launch } from "./launch.js";
import { checkLiveness, watchExits } from "./liveness.js";
import { CAPTURE_EVERY_MS, captureAllOutput } from "./log-capture.js";
import { beginDrain, continueDrain, stopForShutdown } from "./stop-task.js";
import { type AppRecord, replicasOf, type TaskRecord } from "./store.js";
import { TaskBook } from "./task-book.js";

export type { SupervisorOptions } from "./context.js";

/** How often stopped and failed tasks beyond the last few per app are pruned from the store. */
const PRUNE_EVERY_MS = 60_000;

export class Supervisor {
  private readonly ctx: SupervisorContext;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private again = false;
  private closed = false;
  private nextCapture = 0;
  private nextPrune = 0;

  constructor(options: SupervisorOptions) {
    this.ctx = {
      options,
      store: options.store,
      executor: options.executor,
      log: options.log,
      book: new TaskBook(),
      backoffs: new Backoffs(),
      counters: { bounces: 0, healthFailures: 0 },
      delivery: {},
      exitListeners: new Set(),
      now: options.now ?? Date.now,
      poke: () => this.poke(),
    };
    watchExits(this.ctx);
  }

  /** Health checks failed, counted for /metrics. */
  get healthFailures(): number {
    return this.ctx.counters.healthFailures;
  }

  /** Bounces begun, counted for /metrics. */
  get bounces(): number {
    return this.ctx.counters.bounces;
  }

  /** What the executor measures of these tasks (CPU time, memory), when it can. */
  executorUsage(tasks: readonly TaskRecord[]): Promise<Map<string, { cpu_seconds: number; memory_bytes: number }>> {
    return this.ctx.executor.usage?.(tasks) ?? Promise.resolve(new Map());
  }

  /** Subscribes to tasks that ended on their own (crashed, OOM-killed); returns the unsubscribe function. */
  onTaskExit(fn: (e: TaskExit) => void): () => void {
    this.ctx.exitListeners.add(fn);
    return () => this.ctx.exitListeners.delete(fn);
  }

  /** The reader tasks' secrets are decrypted with (batch work uses it too); none until the host gives one. */
  get secrets(): SecretReader | undefined {
    return this.ctx.delivery.secrets;
  }

  /** How tasks' SECRET() values are decrypted at their start (task-secrets.ts). */
  useSecrets(reader: SecretReader): void {
    this.ctx.delivery.secrets = reader;
  }

  /** Reconciles the store with the processes that really run, then kills tasks nobody knows. */
  adopt(): Promise<AdoptionResult> {
    return adopt(this.ctx);
  }

  start(): void {
    if (this.timer) return;
    const loop = async () => {
      await this.tick();
      if (!this.closed) this.timer = setTimeout(loop, this.ctx.options.tickMs ?? 250);
    };
    this.timer = setTimeout(loop, 0);
  }

  /** Runs a tick soon (after a change of desired state or a health result). */
  poke(): void {
    if (!this.timer || this.closed) return; // not supervising (e.g. a one-off `paasta reconcile`)
    if (this.running) this.again = true;
    else setImmediate(() => void this.tick());
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    while (this.running || !this.ctx.book.idle()) await new Promise((r) => setTimeout(r, 20));
  }

  /** Stops supervising, then stops every task (what `paasta up` does on exit unless --keep-running). */
  async stopEverything(): Promise<void> {
    await this.close();
    await Promise.all(this.ctx.store.liveTasks().map((t) => stopForShutdown(this.ctx, t)));
  }

  /** The crash-loop state of an app version, for status. */
  backoffOf(service: string, instance: string, configHash: string): (Backoff & { waitMs: number }) | undefined {
    return this.ctx.backoffs.of(service, instance, configHash, this.ctx.now());
  }

  /** Whether a task has been healthy for at least its app's min_task_uptime. */
  isHappy(t: TaskRecord, app: DesiredApp): boolean {
    return isHappy(t, app, this.ctx.now());
  }

  async tick(): Promise<void> {
    if (this.running || this.closed) {
      this.again = true;
      return;
    }
    this.running = true;
    try {
      do {
        this.again = false;
        await this.pass();
      } while (this.again && !this.closed);
    } catch (e) {
      this.ctx.log.write({
        service: "paasta",
        instance: "runtime",
        component: "task_lifecycle",
        level: "debug",
        message: `supervisor error: ${(e as Error).stack}`,
      });
    } finally {
      this.running = false;
    }
  }

  /** One pass over everything: liveness, converge each app, housekeeping. */
  private async pass(): Promise<void> {
    const { store, log } = this.ctx;
    await checkLiveness(this.ctx);
    const byApp = new Map<string, TaskRecord[]>();
    for (const t of store.liveTasks()) {
      const key = `${t.service}.${t.instance}`;
      byApp.set(key, [...(byApp.get(key) ?? []), t]);
    }
    for (const rec of store.apps()) this.converge(rec, byApp.get(`${rec.service}.${rec.instance}`) ?? []);
    if (this.ctx.now() >= this.nextPrune) {
      this.nextPrune = this.ctx.now() + PRUNE_EVERY_MS;
      store.pruneTerminal();
    }
    if (this.ctx.now() >= this.nextCapture) {
      this.nextCapture = this.ctx.now() + CAPTURE_EVERY_MS;
      captureAllOutput(log, store);
    }
    this.ctx.options.onChange?.();
  }

  /** One app: health checks due, drains under way, then the plan's drains, bounce and starts. */
  private converge(rec: AppRecord, live: TaskRecord[]): void {
    const { ctx } = this;
    const app = rec.app;
    const now = ctx.now();
    for (const t of live) scheduleHealth(ctx, t, app, now);
    for (const t of live) if (t.state === "draining") continueDrain(ctx, t, app);
    const plan = planConverge({
      app,
      removing: rec.removing,
      live,
      now,
      backoff: ctx.backoffs.of(app.service, app.instance, app.config_hash, now),
      replicas: replicasOf(rec),
    });
    for (const { task, why } of plan.drain) beginDrain(ctx, task, app, why);
    if (plan.forget) ctx.store.deleteApp(app.service, app.instance);
    if (plan.bounceBegins) {
      ctx.counters.bounces++;
      ctx.log.write({
        service: app.service,
        instance: app.instance,
        component: "deploy",
        message: `Bouncing to ${app.git_sha.slice(0, 8)} (${app.config_hash}) with ${app.config.bounce_method}`,
      });
    }
    for (let i = 0; i < plan.start; i++) launch(ctx, app);
  }
}
