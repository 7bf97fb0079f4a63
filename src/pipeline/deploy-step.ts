/**
 * A deploy-group step: mark the commit (at most once: the record is checked first), then, with
 * `wait_for_deployment`, wait until every instance of the group runs it; on timeout with `auto_rollback`, roll
 * the group back to the commit it ran before (reference §3.6).
 */
import type { ApiClient } from "../api/client.js";
import { markOnce, rollback } from "../deploy/record.js";
import { clientsFor, longRunningTargets } from "../deploy/targets.js";
import { type Progress, waitForTargets } from "../deploy/wait.js";
import type { PlanStep } from "./plan.js";
import type { StepContext, StepOutcome } from "./step-context.js";

const short = (sha: string) => sha.slice(0, 8);

/** `2/3 on 1a2b3c4d: dev.main 3/3 ✓; prod.main 0/3 (not running 1a2b3c4d yet)` */
export function progressText(sha: string, ps: readonly Progress[]): string {
  const done = ps.filter((p) => p.done).length;
  const each = ps.map(
    (p) => `${p.target.cluster}.${p.target.instance} ${p.ready}/${p.expected}${p.done ? " ✓" : ` (${p.detail})`}`,
  );
  return `${done}/${ps.length} instance(s) on ${short(sha)}: ${each.join("; ")}`;
}

/** Why the instances that are not done are stuck: their status message where the API gives one. */
async function diagnose(clients: ReadonlyMap<string, ApiClient>, service: string, ps: readonly Progress[]) {
  const out: string[] = [];
  for (const p of ps.filter((x) => !x.done)) {
    let why = p.detail;
    try {
      const r = await clients
        .get(p.target.cluster)
        ?.get<{ deploy_status_message?: string | null }>(`/v1/services/${service}/${p.target.instance}/status`);
      if (r?.status === 200 && r.body.deploy_status_message) why = r.body.deploy_status_message;
    } catch {
      // the progress detail says enough
    }
    out.push(`${p.target.cluster}.${p.target.instance}: ${why}`);
  }
  return out.join("; ");
}

async function waitForGroup(step: PlanStep, ctx: StepContext): Promise<{ ok: boolean; detail: string }> {
  if (!ctx.system)
    return { ok: false, detail: "wait_for_deployment needs the system config (api_endpoints of the clusters)" };
  const targets = await longRunningTargets(ctx.record.soaDir, ctx.system, ctx.service, { deployGroup: step.name });
  if (targets.length === 0)
    return { ok: true, detail: `no long-running instance uses ${step.name}: nothing to wait for` };
  const clients = await clientsFor(ctx.system, new Set(targets.map((t) => t.cluster)));
  const started = Date.parse(ctx.record0.started_at ?? new Date().toISOString());
  const timeoutMs = Math.max(0, started + step.timeoutSeconds * 1000 - Date.now());
  let last = "";
  const r = await waitForTargets(clients, ctx.service, ctx.sha, targets, {
    timeoutMs,
    pollMs: ctx.pollMs,
    onProgress: (ps) => {
      const text = progressText(ctx.sha, ps);
      if (text !== last) ctx.progress(text);
      last = text;
    },
  });
  const n = targets.length;
  if (r.ok) return { ok: true, detail: `${n} instance(s) run ${short(ctx.sha)}` };
  const why = await diagnose(clients, ctx.service, r.last);
  return {
    ok: false,
    detail: `${step.name} did not run ${short(ctx.sha)} everywhere within ${step.timeoutSeconds}s (${why})`,
  };
}

export async function runDeployStep(step: PlanStep, ctx: StepContext): Promise<StepOutcome> {
  const m = await markOnce(ctx.record, { service: ctx.service, sha: ctx.sha, deployGroup: step.name });
  if (m.status === "superseded") {
    const how = m.rolledBack ? "rolled back since" : `moved on to ${short(m.currentSha)} since`;
    return {
      ok: false,
      detail: `${short(m.sha)} was marked for ${step.name} before (tag ${m.tag}) and was ${how}: not marking it again`,
    };
  }
  const previous = m.previousSha ?? ctx.record0.previous_sha ?? null;
  await ctx.save({ tag: m.tag, previous_sha: previous });
  if (m.status === "marked") {
    ctx.line(`marked ${short(m.sha)} for ${step.name} (tag ${m.tag})`);
    await ctx.notify(step, "mark", `tag ${m.tag}`);
  } else ctx.line(`${short(m.sha)} is already marked for ${step.name} (tag ${m.tag}): not marking again`);
  if (!step.waitForDeployment) return { ok: true, detail: `marked (tag ${m.tag})` };
  const waited = await waitForGroup(step, ctx);
  if (waited.ok) {
    ctx.line(waited.detail);
    await ctx.notify(step, "good_deploy", waited.detail);
    return waited;
  }
  ctx.line(waited.detail);
  if (!step.autoRollback) {
    await ctx.notify(step, "abort", waited.detail);
    return waited;
  }
  if (!previous || previous === ctx.sha) {
    await ctx.notify(step, "abort", waited.detail);
    return { ok: false, detail: `${waited.detail}; no previous version to roll back to` };
  }
  const [back] = await rollback(ctx.record, { service: ctx.service, deployGroups: [step.name], sha: previous });
  await ctx.save({ rolled_back_to: previous });
  const detail = `${waited.detail}; rolled ${step.name} back to ${short(previous)} (tag ${back?.tag}, marker ${back?.marker})`;
  ctx.line(`rolled ${step.name} back to ${short(previous)} (tag ${back?.tag}, marker ${back?.marker})`);
  await ctx.notify(step, "auto_rollback", detail);
  return { ok: false, detail };
}
