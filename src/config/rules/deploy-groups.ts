/** Every instance's deploy_group must be a step of deploy.yaml's pipeline. */
import { isBuildStep } from "../schema/deploy.js";
import { fileValue, findFile } from "../soa.js";
import { type CheckResult, displayName, locatedIn, type RuleContext, tronActionPath } from "./context.js";

/** Deploy groups named by deploy.yaml (steps, including those inside `parallel`), in pipeline order. */
export function pipelineDeployGroups(deploy: Record<string, unknown>): string[] {
  const out: string[] = [];
  const pipeline = Array.isArray(deploy.pipeline) ? deploy.pipeline : [];
  for (const item of pipeline) {
    if (item === null || typeof item !== "object") continue;
    const step = (item as { step?: unknown }).step;
    if (typeof step === "string" && !isBuildStep(step)) out.push(step);
    const parallel = (item as { parallel?: unknown }).parallel;
    if (Array.isArray(parallel)) {
      for (const p of parallel) {
        const s = (p as { step?: unknown } | null)?.step;
        if (typeof s === "string" && !isBuildStep(s)) out.push(s);
        const inner = (p as { parallel?: unknown } | null)?.parallel;
        if (Array.isArray(inner)) out.push(...pipelineDeployGroups({ pipeline: inner }));
      }
    }
  }
  return out;
}

export function checkDeployGroups(ctx: RuleContext): CheckResult {
  const hasDeploy = findFile(ctx.svc, "deploy") !== undefined;
  const groups = new Set(pipelineDeployGroups(fileValue(ctx.svc, "deploy")));
  const problems = [];
  const why = (dg: string) =>
    hasDeploy
      ? `deploy_group "${dg}" is not a step of deploy.yaml's pipeline (steps: ${[...groups].join(", ") || "none"})`
      : `deploy_group "${dg}" cannot be checked: ${displayName(ctx, "deploy.yaml")} is missing (add it with a pipeline step "${dg}")`;
  for (const inst of ctx.instances) {
    // An un-interpolatable deploy_group is reported by the resolver already.
    if (groups.has(inst.deploy_group) || /[{}]/.test(inst.deploy_group)) continue;
    const explicit = inst.explicit.includes("deploy_group");
    const path = explicit ? [inst.instance, "deploy_group"] : [inst.instance];
    problems.push(locatedIn(ctx, inst.type, inst.cluster, path, why(inst.deploy_group), explicit ? "value" : "key"));
  }
  for (const job of ctx.jobs) {
    for (const action of job.actions) {
      if (action.deploy_group !== null && action.service === ctx.svc.name && !groups.has(action.deploy_group)) {
        // Located where the deploy_group is written: on the action, else on the job.
        const path = action.explicit.includes("deploy_group")
          ? [...tronActionPath(ctx, job.cluster, job.name, action.name), "deploy_group"]
          : [job.name, "deploy_group"];
        problems.push(locatedIn(ctx, "tron", job.cluster, path, `action ${action.name}: ${why(action.deploy_group)}`));
      }
    }
  }
  return { ok: "All deploy_groups are steps of deploy.yaml", problems };
}
