/**
 * Liveness: noticing that a task's process (or container) is gone. Tasks this process started signal their
 * exit (the executor's onExit makes them due at once) and are otherwise polled every 10 s as a safety net;
 * tasks adopted after a restart are not our children and are polled every second. A task that is gone is
 * stopped if it was draining, else failed (a crash, counted towards its version's crash loop).
 */
import type { SupervisorContext } from "./context.js";
import { captureOutput } from "./log-capture.js";
import { failTask, finishTask } from "./task-end.js";

/** Liveness polling of tasks adopted after a restart (not our children: no exit event). */
const LIVENESS_EVERY_MS = 1000;
/** Liveness polling of our own children, whose exits are signalled anyway. */
const OWN_LIVENESS_EVERY_MS = 10_000;

/** Makes the executor's exit signal poll the task at the next tick, and runs that tick soon. */
export function watchExits(ctx: SupervisorContext): void {
  ctx.executor.onExit = (taskId) => {
    ctx.book.nextLiveness.set(taskId, 0);
    ctx.poke();
  };
}

/** Polls every live task that is due and idle; ends those that are gone. */
export async function checkLiveness(ctx: SupervisorContext): Promise<void> {
  const now = ctx.now();
  const { book } = ctx;
  for (const t of ctx.store.liveTasks()) {
    if (book.occupied(t.id) || t.state === "launching") continue;
    if ((book.nextLiveness.get(t.id) ?? 0) > now) continue;
    book.nextLiveness.set(t.id, now + (book.own.has(t.id) ? OWN_LIVENESS_EVERY_MS : LIVENESS_EVERY_MS));
    const l = await ctx.executor.liveness(t);
    if (l.alive) continue;
    captureOutput(ctx.log, ctx.store, t);
    if (t.state === "draining") finishTask(ctx, t, "stopped", l.exitCode, null);
    else failTask(ctx, t, l.exitCode, l.reason ?? `exited with code ${l.exitCode ?? "unknown"}`);
  }
}
