/**
 * Bounce decisions (reference §6.1), pure. Called for an app on every supervisor tick with the desired
 * replica count, whether the new version has tasks, how many of them are *happy* (healthy for at least
 * min_task_uptime), and the old version's non-draining tasks ordered most-desirable-first. Returns whether
 * new tasks may be started and which old tasks to drain now.
 */
import type { BounceMethod } from "../../config/types.js";

export interface BounceInput<T> {
  readonly method: BounceMethod;
  /** Desired replicas of the new version. */
  readonly instances: number;
  /** Happy tasks of the new version. */
  readonly happyNew: number;
  /** Old versions' non-draining tasks, most desirable (happy, longest up) first. */
  readonly oldTasks: readonly T[];
  /** bounce_margin_factor. */
  readonly marginFactor: number;
}

export interface BounceDecision<T> {
  /** Whether tasks of the new version may be started (PaaSTA's create_app). */
  readonly startNew: boolean;
  readonly drain: readonly T[];
}

export function decideBounce<T>(input: BounceInput<T>): BounceDecision<T> {
  const { method, instances, happyNew, oldTasks, marginFactor } = input;
  switch (method) {
    case "brutal":
      return { startNew: true, drain: oldTasks };
    case "upthendown":
      return { startNew: true, drain: happyNew >= instances ? oldTasks : [] };
    case "downthenup":
      return { startNew: oldTasks.length === 0, drain: oldTasks };
    case "crossover": {
      const needed = Math.max(Math.ceil(instances * marginFactor) - happyNew, 0);
      return { startNew: true, drain: oldTasks.slice(needed) };
    }
  }
}
