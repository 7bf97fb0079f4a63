/**
 * Adoption, when the runtime (re)starts: every task the store says is live is checked against what really
 * runs. Tasks still running are adopted (a health check due at once); tasks that ended while the runtime was
 * down are recorded as stopped or failed; processes this runtime started that the store does not know (spawned
 * just before a crash) are killed.
 */
import type { SupervisorContext } from "./context.js";
import type { TaskRecord } from "./store.js";
import { finishTask } from "./task-end.js";

export interface AdoptionResult {
  adopted: number;
  lost: number;
  orphansKilled: number;
}

export async function adopt(ctx: SupervisorContext): Promise<AdoptionResult> {
  let adopted = 0;
  let lost = 0;
  for (const t of ctx.store.liveTasks()) {
    if (await adoptOne(ctx, t)) adopted++;
    else lost++;
  }
  const known = new Set(ctx.store.liveTasks().map((t) => t.id));
  let orphansKilled = 0;
  for (const orphan of await ctx.executor.findOrphans(ctx.options.runtimeId, known)) {
    await orphan.kill();
    orphansKilled++;
  }
  return { adopted, lost, orphansKilled };
}

/** Adopts one task if it still runs (true), else records how it ended (false). */
async function adoptOne(ctx: SupervisorContext, t: TaskRecord): Promise<boolean> {
  if (t.pid === null && t.container_id === null) {
    finishTask(ctx, t, "failed", null, "never started: the runtime stopped while launching it");
    return false;
  }
  const l = await ctx.executor.liveness(t);
  if (!l.alive) {
    if (t.state === "draining") finishTask(ctx, t, "stopped", l.exitCode, "stopped while the runtime was down");
    else finishTask(ctx, t, "failed", l.exitCode, `exited while the runtime was down${codeSuffix(l.exitCode)}`);
    return false;
  }
  ctx.book.nextHealth.set(t.id, 0);
  ctx.log.write({
    service: t.service,
    instance: t.instance,
    component: "task_lifecycle",
    message: `Re-adopted task ${t.id} (pid ${t.pid ?? t.container_id})`,
    task: t.id,
  });
  return true;
}

const codeSuffix = (exitCode: number | null) => (exitCode !== null ? ` with code ${exitCode}` : "");
