/**
 * The runtime's internal event stream: subsystems publish what happened (a task crashed, a job run failed, an
 * action ran too long, a bounce made no progress) and others subscribe (the monitor turns them into alerts).
 * In-process and synchronous; a subscriber that throws never stops the publisher or the other subscribers.
 */

export interface RuntimeEventBase {
  readonly at: string;
  readonly service: string;
  readonly instance: string;
  readonly cluster: string;
}

/** Each subsystem adds its events to this map (declaration merging keeps the union in one place). */
export interface RuntimeEvents {
  "task.exited": RuntimeEventBase & {
    readonly task: string;
    readonly exitCode: number | null;
    readonly reason: string;
  };
  /** A job run ended (`instance` is the job's name); published once per run, even across restarts. */
  "job.run.finished": RuntimeEventBase & {
    readonly job: string;
    readonly run: number;
    readonly state: "succeeded" | "failed" | "cancelled";
    /** Actions that failed (after their retries). */
    readonly failed_actions: readonly string[];
    readonly manual: boolean;
  };
  /** The local autoscaler changed an instance's replica count (no bounce). */
  "autoscaler.scaled": RuntimeEventBase & {
    readonly from: number;
    readonly to: number;
    /** The deciding metric and its value vs its setpoint, e.g. "cpu 2.31 (setpoint 0.8)". */
    readonly why: string;
  };
  /** A running action (or a whole run: `action` null) passed its expected_runtime; `instance` is JOB.ACTION. */
  "job.action.overdue": RuntimeEventBase & {
    readonly job: string;
    readonly run: number;
    readonly action: string | null;
    readonly expected_runtime_seconds: number;
    readonly running_seconds: number;
  };
}

export type RuntimeEventName = keyof RuntimeEvents;

type Handler<K extends RuntimeEventName> = (e: RuntimeEvents[K]) => void;

export class EventBus {
  private readonly handlers = new Map<RuntimeEventName, Set<Handler<RuntimeEventName>>>();

  /** Subscribes; returns the unsubscribe function. */
  on<K extends RuntimeEventName>(name: K, fn: Handler<K>): () => void {
    const set = this.handlers.get(name) ?? new Set();
    set.add(fn as Handler<RuntimeEventName>);
    this.handlers.set(name, set);
    return () => set.delete(fn as Handler<RuntimeEventName>);
  }

  emit<K extends RuntimeEventName>(name: K, event: RuntimeEvents[K]): void {
    for (const fn of this.handlers.get(name) ?? []) {
      try {
        fn(event);
      } catch {
        // a subscriber's failure is its own
      }
    }
  }
}
