/** What a step executor gets from the runner, and what it reports back. */
import type { SystemConfig } from "../config/system.js";
import type { RecordContext } from "../deploy/record.js";
import type { NotifyEvent, PlanStep } from "./plan.js";
import type { StepRecord } from "./state.js";

export interface StepContext {
  readonly record: RecordContext;
  readonly system: SystemConfig | undefined;
  readonly service: string;
  /** The full SHA the pipeline runs for. */
  readonly sha: string;
  readonly env: NodeJS.ProcessEnv;
  /** How often a deploy wait polls the clusters' APIs (ms). */
  readonly pollMs: number;
  /** The step's record as it was when the step started (a resumed step has its earlier start and tag). */
  readonly record0: StepRecord;
  /** A line of the step's output: kept in its log and shown live. */
  line(text: string): void;
  /** The step's current progress (shown live, recorded now and then). */
  progress(text: string): void;
  /** Records durable facts of the step now (e.g. the tag it pushed), before it goes on. */
  save(patch: Partial<Pick<StepRecord, "tag" | "previous_sha" | "rolled_back_to">>): Promise<void>;
  notify(step: PlanStep, event: NotifyEvent, detail: string): Promise<void>;
  /** A checkout of the commit for build steps (made once per run). */
  checkout(): Promise<string>;
}

export interface StepOutcome {
  readonly ok: boolean;
  readonly detail: string;
  /** The step did not apply (e.g. no security-check target): shown as skipped. */
  readonly skipped?: boolean;
}
