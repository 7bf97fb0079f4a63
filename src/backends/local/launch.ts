/**
 * Launching one task of an app's current version: a task id, a free host port, a `launching` record in the
 * store (so a crash mid-launch is noticed on adoption), then the executor starts it with the task
 * environment (with its secrets decrypted: task-secrets.ts). It is `healthy` at once when the app has no health
 * check, else `starting` until a check passes (health-checks.ts). A failed start (a secret that cannot be
 * decrypted included) fails the task and counts towards the crash loop.
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type { DesiredApp } from "../../model/app.js";
import { envOf, type SupervisorContext } from "./context.js";
import { allocatePort, DEFAULT_PORT_RANGE } from "./ports.js";
import type { TaskRecord } from "./store.js";
import { holdWhile } from "./task-book.js";
import { failTask } from "./task-end.js";
import { deliverTaskSecrets } from "./task-secrets.js";

/** Starts one task of `app` in the background; the task is busy until it has started or failed. */
export function launch(ctx: SupervisorContext, app: DesiredApp): void {
  const id = `${app.instance}-${app.git_sha.slice(0, 8)}-${randomBytes(3).toString("hex")}`;
  holdWhile(ctx.book.busy, id, () => launchTask(ctx, app, id), ctx.poke);
}

async function launchTask(ctx: SupervisorContext, app: DesiredApp, id: string): Promise<void> {
  const taken = new Set(ctx.store.liveTasks().flatMap((t) => (t.port === null ? [] : [t.port])));
  let task: TaskRecord | undefined;
  try {
    const port = await allocatePort(taken, ctx.options.portRange ?? DEFAULT_PORT_RANGE);
    const failed = ctx.store.unreplacedFailure(app.service, app.instance, app.config_hash);
    task = newTaskRecord(app, id, port, join(ctx.options.stateDir, "tasks", id), ctx.now(), failed);
    ctx.store.insertTask(task);
    const env = {
      ...envOf(ctx, app, id, port),
      ...(await deliverTaskSecrets(ctx.delivery.secrets, app, task.log_dir)),
    };
    ctx.book.own.add(id);
    const started = await ctx.executor.start(task, app, env);
    const state = app.config.healthcheck.mode === null ? "healthy" : "starting";
    const now = ctx.now();
    ctx.store.updateTask(id, { ...started, state, started_at: now, healthy_since: state === "healthy" ? now : null });
    ctx.log.write({
      service: app.service,
      instance: app.instance,
      component: "task_lifecycle",
      message: `Started task ${id} on port ${started.port ?? port}`,
      task: id,
    });
  } catch (e) {
    if (task) failTask(ctx, { ...task }, null, `could not start: ${(e as Error).message}`);
  }
}

/**
 * The store record of a task about to be started (pure). A task that takes the place of a failed one carries
 * its restart count plus one and its exit code, as a pod's restartCount and lastState do.
 */
export function newTaskRecord(
  app: DesiredApp,
  id: string,
  port: number,
  logDir: string,
  now: number,
  replaces?: TaskRecord,
): TaskRecord {
  return {
    id,
    service: app.service,
    instance: app.instance,
    config_hash: app.config_hash,
    git_sha: app.git_sha,
    image_version: app.image_version,
    state: "launching",
    pid: null,
    container_id: null,
    proc_start: null,
    host: "127.0.0.1",
    port,
    created_at: now,
    started_at: null,
    healthy_since: null,
    stopped_at: null,
    draining_since: null,
    failures: 0,
    last_exit_code: replaces?.last_exit_code ?? null,
    reason: null,
    log_dir: logDir,
    restarts: replaces ? replaces.restarts + 1 : 0,
    replaces: replaces?.id ?? null,
  };
}
