/**
 * deploy.yaml's `pipeline` as a plan (reference §1.13): ordered stages, each one step or a `parallel` block,
 * with the keys the runner acts on. Pure.
 *
 * - Build steps (`itest`, `itest-and-push-to-registry`, `push-to-registry`, `security-check`, `command-*`) run
 *   a verb; every other step is a deploy group (mark-for-deployment, then optionally wait).
 * - Keys written on a `parallel` item apply to each of its steps unless the step sets them itself.
 * - Gates, with PaaSTA's meaning: `trigger_next_step_manually` on a step pauses the pipeline AFTER it (before
 *   the next stage); `confirmation_required` on a step pauses BEFORE it. Disabled steps neither run nor gate.
 */
import { DEFAULTS } from "../config/resolve/defaults.js";
import { type DeployConfig, isBuildStep } from "../config/schema/deploy.js";

export const NOTIFY_EVENTS = ["mark", "good_deploy", "auto_rollback", "abort"] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

export interface PlanStep {
  readonly name: string;
  readonly kind: "build" | "deploy";
  readonly stage: number;
  readonly disabled: boolean;
  readonly ignoreFailure: boolean;
  readonly waitForDeployment: boolean;
  readonly timeoutSeconds: number;
  readonly autoRollback: boolean;
  readonly triggerNextManually: boolean;
  readonly confirmationRequired: boolean;
  /** The shell command of a `command-*` step. */
  readonly command: string | null;
  /** Which notifications this step sends (`notify_after_*`, falling back to `slack_notify`). */
  readonly notify: Readonly<Record<NotifyEvent, boolean>>;
}

export interface Stage {
  readonly index: number;
  /** The stage's name: its step, or its steps joined with `+` for a parallel block. */
  readonly key: string;
  readonly steps: readonly PlanStep[];
  /** Why the pipeline pauses before this stage, or null. */
  readonly gate: string | null;
}

export interface Plan {
  readonly stages: readonly Stage[];
  /** The channel notifications are addressed to: `slack_channels[0]`, else PaaSTA's `#deploy`. */
  readonly channel: string;
  /** Things worth telling the user about the file (e.g. a gate that gates nothing). */
  readonly notes: readonly string[];
}

type ParallelEntry = NonNullable<DeployConfig["pipeline"][number]["parallel"]>[number];
type StepKeys = Partial<Omit<ParallelEntry, "parallel">>;

function planStep(entry: StepKeys, inherited: StepKeys, stage: number, file: DeployConfig): PlanStep {
  const k: StepKeys = { ...inherited, ...entry };
  const name = k.step as string;
  const slack = k.slack_notify ?? file.slack_notify ?? false;
  return {
    name,
    kind: isBuildStep(name) ? "build" : "deploy",
    stage,
    disabled: k.disabled ?? false,
    ignoreFailure: k.ignore_failure ?? false,
    waitForDeployment: k.wait_for_deployment ?? false,
    timeoutSeconds: k.timeout ?? DEFAULTS.pipeline_step_timeout_seconds,
    autoRollback: k.auto_rollback ?? false,
    triggerNextManually: k.trigger_next_step_manually ?? false,
    confirmationRequired: k.confirmation_required ?? false,
    command: k.command ?? null,
    notify: {
      mark: k.notify_after_mark ?? slack,
      good_deploy: k.notify_after_good_deploy ?? slack,
      auto_rollback: k.notify_after_auto_rollback ?? slack,
      abort: k.notify_after_abort ?? slack,
    },
  };
}

/** Why the pipeline pauses before stage `i`, from the previous stage's and its own keys. */
function gateOf(stages: readonly (readonly PlanStep[])[], i: number): string | null {
  const reasons: string[] = [];
  for (const s of stages[i - 1] ?? [])
    if (s.triggerNextManually && !s.disabled) reasons.push(`trigger_next_step_manually on ${s.name}`);
  for (const s of stages[i] ?? [])
    if (s.confirmationRequired && !s.disabled) reasons.push(`confirmation_required on ${s.name}`);
  return reasons.length > 0 ? reasons.join(", ") : null;
}

/**
 * The plan of a validated deploy.yaml. Problems the schema does not catch (a step named twice, a
 * `command-*` step without `command`, an empty parallel block) are returned, never thrown.
 */
export function planPipeline(file: DeployConfig): { plan: Plan; problems: string[] } {
  const problems: string[] = [];
  const raw: PlanStep[][] = [];
  file.pipeline.forEach((item, i) => {
    const { parallel, ...blockKeys } = item;
    if (parallel !== undefined) {
      if (item.step !== undefined) problems.push(`pipeline[${i}]: an item has either step or parallel, not both`);
      if (parallel.length === 0) problems.push(`pipeline[${i}].parallel: the block has no steps`);
      // A parallel block inside a parallel block (PaaSTA's schema allows it) runs with the outer one.
      raw.push(
        parallel.flatMap((p, j) => {
          const { parallel: inner, ...keys } = p;
          if (inner) return inner.map((q) => planStep(q, { ...blockKeys, ...keys }, raw.length, file));
          if (p.step === undefined)
            problems.push(`pipeline[${i}].parallel[${j}]: the item has neither step nor parallel`);
          return p.step === undefined ? [] : [planStep(p, blockKeys, raw.length, file)];
        }),
      );
    } else if (item.step === undefined) {
      problems.push(`pipeline[${i}]: the item has neither step nor parallel`);
    } else raw.push([planStep(item, {}, raw.length, file)]);
  });
  const seen = new Set<string>();
  for (const s of raw.flat()) {
    if (seen.has(s.name)) problems.push(`step ${s.name} appears more than once`);
    seen.add(s.name);
    if (s.name.startsWith("command-") && !s.command && !s.disabled)
      problems.push(`step ${s.name} needs a command (the shell command the step runs)`);
  }
  const stages = raw.map((steps, i) => ({
    index: i,
    key: steps.map((s) => s.name).join("+"),
    steps,
    gate: gateOf(raw, i),
  }));
  const notes: string[] = [];
  for (const s of raw.at(-1) ?? [])
    if (s.triggerNextManually)
      notes.push(`trigger_next_step_manually on ${s.name}, the last step, gates nothing (it pauses after the step)`);
  return { plan: { stages, channel: file.slack_channels?.[0] ?? DEFAULTS.deploy_slack_channel, notes }, problems };
}

/** Every step of the plan, in order. */
export function planSteps(plan: Plan): PlanStep[] {
  return plan.stages.flatMap((s) => [...s.steps]);
}

/** The stage holding step `name` (for --from / --to), or undefined. */
export function stageOf(plan: Plan, name: string): Stage | undefined {
  return plan.stages.find((s) => s.steps.some((x) => x.name === name));
}
