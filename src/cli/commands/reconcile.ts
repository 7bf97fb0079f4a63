/** `paasta reconcile`: one reconcile pass for a cluster, or its plan with --dry-run. */
import type { Command } from "commander";
import { clusterContext, examples, jsonOption, printJson, type SoaDirOptions, soaDirOptions } from "../common.js";
import { type Io, marks } from "../io.js";
import type { Runner } from "../registry.js";

interface ReconcileOptions extends SoaDirOptions {
  cluster?: string;
  dryRun?: boolean;
  force?: boolean;
  rateLimit?: string;
  json?: boolean;
}

export function register(program: Command, io: Io, run: Runner): void {
  const cmd = program
    .command("reconcile")
    .description(
      "Run one reconcile pass for a cluster: create, update, bounce, scale and delete apps (or show the plan)",
    )
    .option("--cluster <cluster>", "the cluster (default: the system config's cluster)")
    .option("--dry-run", "print the plan and change nothing")
    .option("--force", "allow removing more than half of the managed apps in one pass")
    .option("--rate-limit <n>", "at most N writes in this pass (0 = unlimited)");
  jsonOption(soaDirOptions(cmd))
    .addHelpText(
      "after",
      `${examples("paasta reconcile --cluster dev --dry-run", "paasta reconcile --cluster dev --rate-limit 10")}
For a local cluster the pass records the desired apps; the running \`paasta up\` of that cluster applies them.
For a Kubernetes cluster it is PaaSTA's setup_kubernetes_job and cleanup_kubernetes_jobs in one: objects are
written with server-side apply only where they differ.
Exit status: 0 when every app was applied, 1 when any failed or deletions were refused.
`,
    )
    .action((opts: ReconcileOptions) => run(runReconcile(opts, io)));
}

export async function runReconcile(opts: ReconcileOptions, io: Io): Promise<number> {
  const { system, soaDir, cluster } = await clusterContext(opts, io);
  const { openBackend } = await import("../../backends/open.js");
  const { reconcilePass } = await import("../../reconcile/pass.js");
  const { itemName } = await import("../../reconcile/outcome.js");
  const { canDeliverSecrets, canReadUsage } = await import("../../backends/backend.js");
  const backend = await openBackend(system, cluster);
  try {
    const rateLimit = opts.rateLimit === undefined ? undefined : Number(opts.rateLimit);
    if (canDeliverSecrets(backend) && !opts.dryRun) {
      const { SecretSource } = await import("../../secrets/source.js");
      backend.useSecrets(new SecretSource(soaDir, system));
    }
    // Where the cluster's own autoscaler renders overrides (Kubernetes' HPAs), the pass needs them too.
    const { autoscalingStore } = await import("../../runtime/autoscaler/store.js");
    const autoscaling = canReadUsage(backend) ? undefined : () => autoscalingStore(backend, cluster).load();
    const r = await reconcilePass(backend, {
      soaDir,
      system,
      cluster,
      dryRun: opts.dryRun,
      force: opts.force,
      rateLimit,
      autoscaling,
    });
    const errors = r.outcomes.filter((o) => o.kind === "failed").length;
    if (opts.json) {
      printJson(io, {
        cluster,
        dry_run: Boolean(opts.dryRun),
        refused: r.plan.refused,
        frozen: Object.fromEntries([...(r.desired?.frozen ?? [])].map(([s, ps]) => [s, ps.length])),
        held: r.desired?.held ?? [],
        removed_shared: r.removedShared,
        undeployed: r.desired?.undeployed ?? [],
        items: r.outcomes.map((o) => ({
          action: o.item.action,
          change: o.item.action === "apply" ? o.item.change : undefined,
          app:
            o.item.action === "apply"
              ? `${o.item.app.service}.${o.item.app.instance}`
              : `${o.item.service}.${o.item.instance}`,
          reason: o.item.reason,
          result: o.kind,
          error: o.kind === "failed" ? o.error : undefined,
        })),
        tree_error: r.treeError,
        routes: r.routes && {
          refused: r.routes.refused,
          error: r.routes.error ?? null,
          items: r.routes.outcomes.map((o) => ({
            action: o.item.action,
            registration: o.item.route.registration,
            reason: o.item.reason,
            result: o.kind,
            error: o.error,
          })),
        },
      });
    } else {
      const m = marks(io);
      io.out(m.bold(`${opts.dryRun ? "Plan" : "Reconcile pass"} for cluster ${cluster}:`));
      if (r.treeError) io.out(m.fail(`soa-configs could not be read: ${r.treeError}`));
      for (const o of r.outcomes) {
        const what = o.item.action === "apply" ? o.item.change : o.item.action;
        const failure = o.kind === "failed" ? ` (${o.error.message}${o.error.retryable ? "; retryable" : ""})` : "";
        const line = `${what.padEnd(14)} ${itemName(o.item).padEnd(32)} ${o.item.reason}${opts.dryRun ? "" : ` → ${o.kind}`}${failure}`;
        io.out(o.kind === "failed" ? m.fail(line) : `  ${line}`);
      }
      for (const u of r.desired?.undeployed ?? [])
        io.out(
          `  ${"skip".padEnd(14)} ${`${u.service}.${u.instance}`.padEnd(32)} deploy group ${u.deploy_group} has no deployment`,
        );
      for (const [s, ps] of r.desired?.frozen ?? [])
        io.out(m.warn(`${s}: ${ps.length} config problem(s): left as it runs (paasta validate -s ${s})`));
      for (const h of r.desired?.held ?? []) io.out(m.warn(`${h.service}.${h.instance}: left as it runs: ${h.reason}`));
      for (const name of r.removedShared ?? [])
        io.out(`  ${"delete".padEnd(14)} ${name.padEnd(32)} no app uses this Secret any more`);
      if (r.plan.refused) io.out(m.warn(r.plan.refused));
      for (const o of r.routes?.outcomes ?? []) {
        const line = `${o.item.action.padEnd(14)} ${`mesh ${o.item.route.registration}`.padEnd(32)} ${o.item.reason}${opts.dryRun ? "" : ` → ${o.kind}`}`;
        io.out(o.kind === "failed" ? m.fail(`${line} (${o.error?.message})`) : `  ${line}`);
      }
      if (r.routes?.refused) io.out(m.warn(r.routes.refused));
      if (r.routes?.error) io.out(m.fail(`mesh routes could not be read: ${r.routes.error.message}`));
    }
    const routeErrors =
      (r.routes?.outcomes ?? []).filter((o) => o.kind === "failed").length + (r.routes?.error ? 1 : 0);
    return errors === 0 && routeErrors === 0 && !r.plan.refused && !r.routes?.refused ? 0 : 1;
  } finally {
    await backend.close?.();
  }
}
