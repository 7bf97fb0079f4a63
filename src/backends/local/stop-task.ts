/**
 * Stopping tasks. The drain sequence of a task chosen to go (bounce, scale-down, removal, restart): mark it
 * `draining`, call the drain method once (drain.ts), wait until it is safe to kill, run
 * lifecycle.pre_stop_command, wait an explicit pre_stop_drain_seconds, then SIGTERM and SIGKILL after the grace
 * period. Also the two stops without a drain: of a task that failed its health checks, and of every task when
 * `paasta up` shuts down.
 */

import { DEFAULTS } from "../../config/resolve/defaults.js";
import type { DesiredApp } from "../../model/app.js";
import { envOf, type SupervisorContext } from "./context.js";
import { drainerFor } from "./drain.js";
import { captureOutput } from "./log-capture.js";
import type { TaskRecord } from "./store.js";
import { holdWhile } from "./task-book.js";
import { finishTask } from "./task-end.js";

/** Seconds a task of `app` may take to stop after SIGTERM. */
export function graceFor(app: DesiredApp | undefined): number {
  return app ? app.config.stop_grace_seconds : DEFAULTS.stop_grace_seconds;
}

/** Marks a task draining (with why, for status and logs) and starts its drain sequence. */
export function beginDrain(ctx: SupervisorContext, t: TaskRecord, app: DesiredApp, why: string): void {
  if (ctx.book.busy.has(t.id) && t.state === "launching") return;
  ctx.store.updateTask(t.id, { state: "draining", draining_since: ctx.now(), reason: why });
  ctx.log.write({
    service: t.service,
    instance: t.instance,
    component: "task_lifecycle",
    message: `Draining ${t.id}: ${why}`,
    task: t.id,
  });
  continueDrain(ctx, { ...t, state: "draining" }, app);
}

/**
 * Takes a draining task one step further, unless work on it is in flight: every tick asks again until it is
 * safe to kill, then the task is stopped.
 */
export function continueDrain(ctx: SupervisorContext, t: TaskRecord, app: DesiredApp): void {
  if (ctx.book.occupied(t.id)) return;
  holdWhile(ctx.book.busy, t.id, () => drainStep(ctx, t, app).catch(() => {}), ctx.poke);
}

async function drainStep(ctx: SupervisorContext, t: TaskRecord, app: DesiredApp): Promise<void> {
  const drainer = drainerFor(app.config, ctx.options.meshDrainer);
  const target = { host: t.host, port: t.port };
  if (!ctx.book.drainCalled.has(t.id)) {
    await drainer.drain(target).catch(() => {});
    ctx.book.drainCalled.add(t.id);
  }
  if (!(await drainer.isSafeToKill(target))) return;
  await preStop(ctx, t, app);
  await ctx.executor.stop(t, graceFor(app));
  const l = await ctx.executor.liveness(t);
  captureOutput(ctx.log, ctx.store, t);
  finishTask(ctx, t, "stopped", l.alive ? null : l.exitCode, t.reason);
}

/** lifecycle.pre_stop_command inside the task, then an explicit pre_stop_drain_seconds. */
async function preStop(ctx: SupervisorContext, t: TaskRecord, app: DesiredApp): Promise<void> {
  const lc = app.config.lifecycle;
  if (lc.pre_stop_command !== null) {
    const cmd = typeof lc.pre_stop_command === "string" ? lc.pre_stop_command : lc.pre_stop_command.join(" ");
    await ctx.executor.exec(t, app, cmd, envOf(ctx, app, t.id, t.port), graceFor(app) * 1000);
  }
  // The mesh's default pre-stop delay (30 s) is for Kubernetes, where clients learn of a termination late; the
  // local proxy's drain (hacheck) already waited for the task's requests to finish, so only an explicit
  // lifecycle.pre_stop_drain_seconds is honoured here.
  const explicit = app.config.explicit.includes("lifecycle.pre_stop_drain_seconds");
  const delay = explicit ? lc.pre_stop_drain_seconds : 0;
  if (delay > 0) await new Promise((r) => setTimeout(r, delay * 1000));
}

/** Stops a task that failed its health checks and records it failed with `reason`. */
export function killUnhealthy(ctx: SupervisorContext, t: TaskRecord, app: DesiredApp, reason: string): void {
  holdWhile(
    ctx.book.killing,
    t.id,
    () =>
      ctx.executor
        .stop(t, graceFor(app))
        .then(() => finishTask(ctx, { ...t, state: "unhealthy" }, "failed", null, reason)),
    ctx.poke,
  );
}

/** Stops a task because `paasta up` shuts down (no drain: the whole runtime goes). */
export async function stopForShutdown(ctx: SupervisorContext, t: TaskRecord): Promise<void> {
  if (t.state !== "draining") ctx.store.updateTask(t.id, { state: "draining", draining_since: ctx.now() });
  await ctx.executor.stop(t, graceFor(ctx.store.app(t.service, t.instance)?.app));
  captureOutput(ctx.log, ctx.store, t);
  finishTask(ctx, { ...t, state: "draining" }, "stopped", null, "stopped by paasta up shutdown");
}
