/** `paasta deployd`: reconcile a Kubernetes cluster continuously (PaaSTA's setup/cleanup jobs as a daemon). */
import type { Command } from "commander";
import { clusterContext, examples, type SoaDirOptions, soaDirOptions, untilSignal } from "../common.js";
import { type Io, marks } from "../io.js";
import type { Runner } from "../registry.js";

interface DeploydOptions extends SoaDirOptions {
  cluster?: string;
  force?: boolean;
  rateLimit?: string;
}

export function register(program: Command, io: Io, run: Runner): void {
  const cmd = program
    .command("deployd")
    .description(
      "Reconcile a cluster continuously: on soa-configs and deployments.json changes, new git tags and watch events",
    )
    .option("--cluster <cluster>", "the cluster (default: the system config's cluster)")
    .option("--force", "allow removing more than half of the managed apps in one pass")
    .option("--rate-limit <n>", "at most N writes per pass (0 = unlimited)");
  soaDirOptions(cmd)
    .addHelpText(
      "after",
      `${examples("paasta deployd --cluster prod", "paasta deployd --cluster prod --rate-limit 20")}
A hand edit of a managed object wakes it (watch events) and is repaired on the next pass. Stop it with Ctrl-C.
`,
    )
    .action((opts: DeploydOptions) => run(runDeployd(opts, io)));
}

export async function runDeployd(opts: DeploydOptions, io: Io): Promise<number> {
  const { system, soaDir, cluster } = await clusterContext(opts, io);
  const { startDeploydHost } = await import("../../runtime/cluster-host.js");
  const { passReporter } = await import("../pass-report.js");
  const { VERSION } = await import("../version.js");
  const m = marks(io);
  const deployd = await startDeploydHost({
    soaDir,
    system,
    cluster,
    version: VERSION,
    env: io.env,
    force: opts.force,
    rateLimit: opts.rateLimit === undefined ? undefined : Number(opts.rateLimit),
    onPass: passReporter(io),
    onError: (e) => io.err(`${m.yellow("warning")} ${(e as Error).message}`),
    scheduler: { onError: (job, e) => io.err(`${m.yellow("warning")} job ${job}: ${(e as Error).message}`) },
  });
  io.out(m.bold(`paasta deployd: reconciling cluster ${cluster} (${deployd.ctx.backend.kind}); Ctrl-C stops it`));
  await untilSignal(() => deployd.stop());
  return 0;
}
