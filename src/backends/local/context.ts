/**
 * What the supervisor's units share: its options, the per-task bookkeeping (task-book.ts), the crash-loop
 * record (backoff.ts), the counters /metrics reads, the clock, and `poke` (run a tick soon). The supervisor
 * builds one; adoption, launch, health checks, stopping, liveness and log capture receive it.
 */
import type { DesiredApp } from "../../model/app.js";
import type { SecretReader, TaskExit } from "../powers.js";
import type { Backoffs } from "./backoff.js";
import type { MeshDrainer } from "./drain.js";
import type { Executor } from "./executors/executor.js";
import type { RuntimeLog } from "./runtime-log.js";
import type { Store } from "./store.js";
import type { TaskBook } from "./task-book.js";
import { taskEnv } from "./task-env.js";

export interface SupervisorOptions {
  readonly store: Store;
  readonly executor: Executor;
  readonly log: RuntimeLog;
  readonly runtimeId: string;
  readonly stateDir: string;
  readonly portRange?: readonly [number, number];
  /** The environment tasks inherit PATH, HOME … from. */
  readonly inheritEnv?: NodeJS.ProcessEnv;
  readonly tickMs?: number;
  readonly now?: () => number;
  /** Called after each tick that changed something (metrics, tests). */
  readonly onChange?: () => void;
  /** drain_method hacheck: through the local proxy (given by the `paasta up` host). */
  readonly meshDrainer?: MeshDrainer;
}

export interface SupervisorCounters {
  /** Bounces begun (the first task of a new version replacing another). */
  bounces: number;
  /** Health checks failed. */
  healthFailures: number;
}

export interface SupervisorContext {
  readonly options: SupervisorOptions;
  readonly store: Store;
  readonly executor: Executor;
  readonly log: RuntimeLog;
  readonly book: TaskBook;
  readonly backoffs: Backoffs;
  readonly counters: SupervisorCounters;
  /** Who hears of tasks that ended on their own (the TaskExitSource power). */
  readonly exitListeners: Set<(e: TaskExit) => void>;
  /** How tasks' secrets are decrypted (set by the host through the SecretDelivery power). */
  readonly delivery: { secrets?: SecretReader };
  now(): number;
  /** Runs a tick soon (after a change of desired state or the end of some work). */
  poke(): void;
}

/** The environment of a task, or of a command run inside it (health check, pre_stop). */
export function envOf(
  ctx: SupervisorContext,
  app: DesiredApp,
  taskId: string,
  port: number | null,
): Record<string, string> {
  return taskEnv(app, port, { taskId, runtimeId: ctx.options.runtimeId }, ctx.options.inheritEnv);
}
