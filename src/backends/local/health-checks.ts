/**
 * Health checks of running tasks (the probe itself is health.ts): when each task's next check is due (after
 * healthcheck_grace_period_seconds, then every interval), and what a result does to the task: a pass makes it
 * healthy; max_consecutive_failures failures in a row make it unhealthy, count towards the crash loop, and
 * stop it (stop-task.ts).
 */
import type { DesiredApp } from "../../model/app.js";
import { hasRecovered } from "./backoff.js";
import { envOf, type SupervisorContext } from "./context.js";
import { type HealthResult, probe } from "./health.js";
import { killUnhealthy } from "./stop-task.js";
import { isTerminal, type TaskRecord } from "./store.js";
import { holdWhile } from "./task-book.js";

/** Starts a health check of `t` in the background when one is due and the task is idle. */
export function scheduleHealth(ctx: SupervisorContext, t: TaskRecord, app: DesiredApp, now: number): void {
  if (t.state === "launching" || t.state === "draining" || t.state === "unhealthy" || t.started_at === null) return;
  if (ctx.book.busy.has(t.id)) return;
  const hc = app.config.healthcheck;
  if (hc.mode === null) return;
  const due = ctx.book.nextHealth.get(t.id) ?? t.started_at + hc.grace_period_seconds * 1000;
  if (due > now) return;
  ctx.book.nextHealth.set(t.id, now + hc.interval_seconds * 1000);
  holdWhile(ctx.book.busy, t.id, () => runHealthCheck(ctx, t, app).then((r) => onHealth(ctx, t.id, app, r)), ctx.poke);
}

function runHealthCheck(ctx: SupervisorContext, t: TaskRecord, app: DesiredApp): Promise<HealthResult> {
  return probe(app.config.healthcheck, t.host, t.port ?? app.config.container_port, (cmd, timeoutMs) =>
    ctx.executor.exec(t, app, cmd, envOf(ctx, app, t.id, t.port), timeoutMs),
  );
}

/** What one check result does to a task (pure). */
export type HealthVerdict =
  | { readonly passed: true; readonly patch: Partial<TaskRecord> | null; readonly becameHealthy: boolean }
  | { readonly passed: false; readonly patch: Partial<TaskRecord>; readonly reason: string; readonly kill: boolean };

export function judgeHealth(t: TaskRecord, r: HealthResult, maxFailures: number, now: number): HealthVerdict {
  if (r.ok) {
    if (t.state !== "healthy")
      return {
        passed: true,
        patch: { state: "healthy", healthy_since: now, failures: 0, reason: null },
        becameHealthy: true,
      };
    return { passed: true, patch: t.failures > 0 ? { failures: 0, reason: null } : null, becameHealthy: false };
  }
  const failures = t.failures + 1;
  const reason = `health check failed ${failures}/${maxFailures}: ${r.detail}`;
  const kill = failures >= maxFailures;
  return { passed: false, patch: kill ? { failures, reason, state: "unhealthy" } : { failures, reason }, reason, kill };
}

/** Applies a check result to the task as it is now (it may have ended or begun draining meanwhile). */
function onHealth(ctx: SupervisorContext, id: string, app: DesiredApp, r: HealthResult): void {
  const t = ctx.store.tasks(app.service, app.instance).find((x) => x.id === id);
  if (!t || isTerminal(t.state) || t.state === "draining") return;
  const now = ctx.now();
  const v = judgeHealth(t, r, app.config.healthcheck.max_consecutive_failures, now);
  if (v.patch) ctx.store.updateTask(id, v.patch);
  if (v.passed) {
    if (v.becameHealthy)
      ctx.log.write({
        service: t.service,
        instance: t.instance,
        component: "task_lifecycle",
        message: `Task ${id} is healthy (${r.detail})`,
        task: id,
      });
    if (hasRecovered(t.healthy_since, now)) ctx.backoffs.reset(t);
    return;
  }
  ctx.counters.healthFailures++;
  if (!v.kill) return;
  ctx.backoffs.record(t, v.reason, now);
  killUnhealthy(ctx, t, app, v.reason);
}
