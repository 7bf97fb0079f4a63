/**
 * The end of a task: its terminal state (stopped or failed), exit code and reason in the store, its
 * bookkeeping and secret files gone, and one `task_lifecycle` line in the log stream. Idempotent: a task that already
 * ended is left as it is.
 */
import { isOomKilled } from "../powers.js";
import type { SupervisorContext } from "./context.js";
import { isTerminal, type TaskRecord } from "./store.js";
import { removeTaskSecrets } from "./task-secrets.js";

export function finishTask(
  ctx: SupervisorContext,
  t: TaskRecord,
  state: "stopped" | "failed",
  exitCode: number | null,
  reason: string | null,
): void {
  const current = ctx.store.tasks(t.service, t.instance).find((x) => x.id === t.id);
  if (!current || isTerminal(current.state)) return;
  ctx.store.updateTask(t.id, {
    state,
    stopped_at: ctx.now(),
    last_exit_code: exitCode,
    reason: reason ?? t.reason,
  });
  ctx.book.forget(t.id);
  removeTaskSecrets(t.log_dir);
  const what = state === "stopped" ? "Stopped" : "Task failed:";
  ctx.log.write({
    service: t.service,
    instance: t.instance,
    component: "task_lifecycle",
    message: `${what} ${t.id}${reason && state === "failed" ? ` (${reason})` : ""}`,
    task: t.id,
  });
}

/** Ends a task as failed and counts the failure against its version's crash loop. */
export function failTask(ctx: SupervisorContext, t: TaskRecord, exitCode: number | null, reason: string): void {
  finishTask(ctx, t, "failed", exitCode, reason);
  ctx.backoffs.record(t, reason, ctx.now());
  if (isOomKilled(reason)) {
    ctx.log.write({
      service: t.service,
      instance: t.instance,
      component: "oom",
      message: `${t.id}: ${reason}`,
      task: t.id,
    });
  }
  const exit = { service: t.service, instance: t.instance, task: t.id, exitCode, reason };
  for (const fn of ctx.exitListeners) {
    try {
      fn({ ...exit, at: new Date(ctx.now()).toISOString() });
    } catch {
      // a listener's failure is its own
    }
  }
}
