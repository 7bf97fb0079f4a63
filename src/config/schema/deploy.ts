/** `deploy.yaml`: the deployment pipeline (ordered steps; every non-build step is a deploy group). */
import { z } from "zod";
import { DEFAULTS } from "../resolve/defaults.js";
import { DEPLOY_GROUP, integer, stringList } from "./common.js";
import { field, ignoredField } from "./meta.js";

const CI = "read by the CI system that drives the pipeline, not by paasta";

const stepKeys = {
  step: z.string().regex(DEPLOY_GROUP, "must contain only letters, digits, '_', '.' and '-'").meta({
    description: "Step name: itest, push-to-registry, security-check, command-*, or a deploy group (required).",
  }),
  wait_for_deployment: field(z.boolean(), "mark-for-deployment --wait-for-deployment for this step."),
  auto_rollback: field(z.boolean(), "mark-for-deployment --auto-rollback for this step."),
  timeout: field(integer(), {
    description: "Seconds to wait for the deployment.",
    default: DEFAULTS.pipeline_step_timeout_seconds,
  }),
  warn: field(integer(), {
    description: "Warn after this % of the timeout.",
    default: DEFAULTS.pipeline_step_warn_percent,
  }),
  auto_certify_delay: ignoredField(integer(), "Delay before auto-certify.", CI),
  auto_abandon_delay: ignoredField(integer(), "Delay before auto-abandon.", CI),
  auto_rollback_delay: ignoredField(integer(), "Delay before auto-rollback.", CI),
  trigger_next_step_manually: field(z.boolean(), {
    description: "Pause the pipeline after this step until `paasta pipeline continue`.",
    default: false,
  }),
  display_step_for_confirmation: ignoredField(z.boolean(), "Manual gate.", CI),
  confirmation_required: field(z.boolean(), {
    description: "Pause the pipeline before this step until `paasta pipeline continue`.",
    default: false,
  }),
  disabled: field(z.boolean(), { description: "Skip the step (shown as skipped).", default: false }),
  ignore_failure: field(z.boolean(), { description: "Continue the pipeline when this step fails.", default: false }),
  command: field(z.string(), "Command of a command-* step."),
  service_account: ignoredField(z.string(), "CI service account.", CI),
  slack_notify: field(z.boolean(), "Notify on every step event (logged; sent through a webhook sink when configured)."),
  notify_after_mark: field(z.boolean(), "Notify after the step's mark-for-deployment."),
  notify_after_good_deploy: field(z.boolean(), "Notify when the step's deployment is running."),
  notify_after_auto_rollback: field(z.boolean(), "Notify after an automatic rollback of the step."),
  notify_after_abort: field(z.boolean(), "Notify when the step fails or is aborted."),
  deployment_steps: ignoredField(
    z.array(
      z.strictObject({
        deploy_group: z.string(),
        progress: z.number(),
        confirm_before: z.boolean().optional(),
        deploy_below_breakage_pct: z.number().optional(),
      }),
    ),
    "Progressive deployment steps.",
    CI,
  ),
  abandon_above_breakage_pct: ignoredField(z.number(), "Progressive deployment.", CI),
  complete_below_breakage_pct: ignoredField(z.number(), "Progressive deployment.", CI),
  prompt_after_abandon: ignoredField(z.boolean(), "Progressive deployment.", CI),
  confirm_complete: ignoredField(z.boolean(), "Progressive deployment.", CI),
  enable_automated_redeploys: field(z.boolean(), {
    description: "Periodic rebuilds of the same SHA (image_version).",
    default: false,
  }),
  alertmanager_rollback: ignoredField(z.boolean(), "Roll back on Alertmanager alerts.", "not yet implemented"),
  alertmanager_rollback_dry_run: ignoredField(z.boolean(), "Dry run of the above.", "not yet implemented"),
  alertmanager_poll_interval_s: ignoredField(integer().min(30), "Alertmanager poll interval.", "not yet implemented"),
  enable_crashloop_auto_rollback: field(z.boolean(), {
    description: "Roll back automatically when replicas crash-loop.",
    default: false,
  }),
  min_restarts_for_crashloop_rollback: field(integer(), {
    description: "Restarts that make a replica crash-looping.",
    default: 2,
  }),
  crashloop_rollback_percentage_threshold: field(z.number().min(0).max(1), {
    description: "Fraction of crash-looping replicas that triggers a rollback.",
    default: 1,
  }),
};

/** A step of a `parallel` block; PaaSTA's schema also lets it be a `parallel` block itself (flattened into the outer one). */
const parallelEntry = z.strictObject({
  ...stepKeys,
  step: stepKeys.step.optional(),
  parallel: z.array(z.strictObject(stepKeys)).optional(),
});

export const deployStepSchema = z.strictObject({
  ...stepKeys,
  step: stepKeys.step.optional(),
  parallel: field(z.array(parallelEntry), "Steps that run at the same time."),
});

export const deployFileSchema = z.strictObject({
  pipeline: z.array(deployStepSchema).meta({ description: "The ordered steps (required)." }),
  allowed_push_groups: field(stringList, {
    description: "Groups allowed to deploy.",
    defaultText: "system default_push_groups",
  }),
  production_deploy_group: field(z.string(), "The deploy group that is production."),
  slack_channels: field(stringList, { description: "Channels named in deploy notifications.", defaultText: "#deploy" }),
  slack_notify: field(z.boolean(), "Notify on every step event, for every step (a step's own key wins)."),
  allow_no_verify_deploy: ignoredField(z.boolean(), "Allow no-verify deploys.", CI),
  default_deploy_strategy: ignoredField(z.enum(["verify", "no-verify"]), "Default deploy strategy.", CI),
});

export type DeployConfig = z.infer<typeof deployFileSchema>;

/** Step names that are build/test steps rather than deploy groups. */
export function isBuildStep(step: string): boolean {
  return (
    step === "itest" ||
    step === "itest-and-push-to-registry" ||
    step === "security-check" ||
    step === "push-to-registry" ||
    step.startsWith("command-")
  );
}
