/**
 * What the local executors are given for batch work: an action (or a one-off run) as a DesiredApp of one
 * replica, a TaskRecord carrying its process identity and output directory, and PaaSTA's environment. Batch
 * processes carry their own runtime id (`RUNTIME.jobs`), so the supervisor's orphan sweep never takes them for
 * stray tasks.
 */
import type { ResolvedInstanceConfig } from "../../../config/types.js";
import type { DesiredApp } from "../../../model/app.js";
import { batchApp } from "../../../model/jobs/app.js";
import type { PinnedVersion } from "../../../model/jobs/records.js";
import type { StartedTask } from "../executors/executor.js";
import type { TaskRecord } from "../store.js";
import { taskEnv } from "../task-env.js";

export interface Launch {
  readonly app: DesiredApp;
  readonly env: Record<string, string>;
}

export function batchRuntimeId(runtimeId: string): string {
  return `${runtimeId}.jobs`;
}

export function launchFor(
  config: ResolvedInstanceConfig,
  version: PinnedVersion,
  ids: { taskId: string; runtimeId: string },
  inherit: NodeJS.ProcessEnv | undefined,
  instanceType: string,
): Launch {
  const app = batchApp(config, version);
  const env = taskEnv(app, null, { taskId: ids.taskId, runtimeId: batchRuntimeId(ids.runtimeId) }, inherit);
  if (config.env.PAASTA_INSTANCE_TYPE === undefined) env.PAASTA_INSTANCE_TYPE = instanceType;
  return { app, env };
}

/** The TaskRecord an executor reads (id, output directory, process identity). */
export function taskFor(
  t: {
    task_id: string;
    log_dir: string;
    pid: number | null;
    proc_start: string | null;
    container_id: string | null;
    started_at: number | null;
  },
  app: Pick<DesiredApp, "service" | "instance" | "git_sha" | "image_version">,
): TaskRecord {
  return {
    id: t.task_id,
    service: app.service,
    instance: app.instance,
    config_hash: "batch",
    git_sha: app.git_sha,
    image_version: app.image_version,
    state: "starting",
    pid: t.pid,
    container_id: t.container_id,
    proc_start: t.proc_start,
    host: "127.0.0.1",
    port: null,
    created_at: t.started_at ?? Date.now(),
    started_at: t.started_at,
    healthy_since: null,
    stopped_at: null,
    draining_since: null,
    failures: 0,
    last_exit_code: null,
    reason: null,
    log_dir: t.log_dir,
    restarts: 0,
    replaces: null,
  };
}

export function identity(s: StartedTask): {
  pid: number | null;
  proc_start: string | null;
  container_id: string | null;
} {
  return { pid: s.pid, proc_start: s.proc_start, container_id: s.container_id };
}

/** Whether the process `pid` exists (another `paasta up` launching something). */
export function processAlive(pid: number | null): boolean {
  if (pid === null) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
