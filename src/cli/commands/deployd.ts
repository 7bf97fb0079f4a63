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
  const { openBackend } = await import("../../backends/open.js");
  const { ReconcileLoop } = await import("../../reconcile/loop.js");
  const { createLogWriter } = await import("../../logs/writer.js");
  const m = marks(io);
  const backend = await openBackend(system, cluster);
  const loop = new ReconcileLoop({
    soaDir,
    cluster,
    system,
    backend,
    log: createLogWriter(system.logWriter()),
    force: opts.force,
    rateLimit: opts.rateLimit === undefined ? undefined : Number(opts.rateLimit),
    onPass: (r) => {
      for (const o of r.outcomes.filter((x) => x.result !== "unchanged")) {
        const name =
          o.item.action === "apply"
            ? `${o.item.app.service}.${o.item.app.instance}`
            : `${o.item.service}.${o.item.instance}`;
        io.out(o.result === "error" ? m.fail(`${name}: ${o.error}`) : m.ok(`${name}: ${o.result} — ${o.item.reason}`));
      }
      if (r.plan.refused) io.out(m.warn(r.plan.refused));
    },
    onError: (e) => io.err(`${m.yellow("warning")} ${(e as Error).message}`),
  });
  let stopWatch: (() => void) | undefined;
  if (backend.kind === "kubernetes") {
    const kube = (backend as unknown as { kube: import("../../backends/kubernetes/client.js").Kube }).kube;
    const watch = async () => {
      try {
        stopWatch = await kube.watch(
          "/apis/apps/v1/deployments",
          "paasta.yelp.com/managed=true",
          () => loop.trigger(),
          () => setTimeout(() => void watch(), 2000),
        );
      } catch {
        setTimeout(() => void watch(), 5000);
      }
    };
    await watch();
  }
  loop.start();
  io.out(m.bold(`paasta deployd: reconciling cluster ${cluster} (${backend.kind}); Ctrl-C stops it`));
  await untilSignal(async () => {
    stopWatch?.();
    await loop.close();
    await backend.close?.();
  });
  return 0;
}
