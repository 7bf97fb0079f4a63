/**
 * How the local runtime runs one task: as an OS process (`process`) or a container (`docker`). Executors
 * are stateless apart from what they record in the TaskRecord, so that a restarted runtime can re-adopt.
 */
import type { DesiredApp } from "../../../model/app.js";
import type { TaskRecord } from "../store.js";

export interface StartedTask {
  readonly pid: number | null;
  readonly container_id: string | null;
  readonly proc_start: string | null;
  readonly host: string;
  readonly port: number | null;
}

export interface Orphan {
  readonly taskId: string;
  readonly started: StartedTask;
  kill(): Promise<void>;
}

export type Liveness =
  | { readonly alive: true }
  /** `reason`: what the executor can tell beyond the exit code (the engine saying it OOM-killed the task). */
  | { readonly alive: false; readonly exitCode: number | null; readonly reason?: string };

export interface Executor {
  readonly name: "process" | "docker";
  /**
   * Called with a task id when a task this executor started exits (so the supervisor notices at once); tasks
   * adopted after a restart are noticed by polling `liveness` instead.
   */
  onExit?: (taskId: string) => void;
  /** Gets what the app's version needs (a checkout of the SHA, an image); idempotent, cached. */
  prepare(app: DesiredApp): Promise<void>;
  /** Starts the task; `env` is the complete environment. */
  start(task: TaskRecord, app: DesiredApp, env: Record<string, string>): Promise<StartedTask>;
  /** Whether the task still runs (a re-used PID does not count), and its exit code when known. */
  liveness(task: TaskRecord): Promise<Liveness>;
  /** The services' own process ids (not a wrapper's) by task id, for status; tasks gone or unknown are absent. */
  servicePids?(tasks: readonly TaskRecord[]): Map<string, number>;
  /** SIGTERM, then SIGKILL after `graceSeconds`. Resolves when the task is gone. */
  stop(task: TaskRecord, graceSeconds: number): Promise<void>;
  /** Runs a command the way the task runs (for `healthcheck_mode: cmd` and pre-stop hooks); exit code. */
  exec(
    task: TaskRecord,
    app: DesiredApp,
    command: string,
    env: Record<string, string>,
    timeoutMs: number,
  ): Promise<number>;
  /**
   * CPU time (seconds, all of the task's processes) and resident memory (bytes) of each running task, by task
   * id; a task that cannot be measured is absent. For the local autoscaler.
   */
  usage?(tasks: readonly TaskRecord[]): Promise<Map<string, { cpu_seconds: number; memory_bytes: number }>>;
  /**
   * Tasks this runtime started that the store no longer knows (e.g. spawned just before a crash):
   * returns their task ids, a way to stop them, and what identifies them (to adopt one instead).
   */
  findOrphans(runtimeId: string, known: ReadonlySet<string>): Promise<Orphan[]>;
}
