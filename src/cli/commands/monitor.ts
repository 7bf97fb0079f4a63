/** `paasta monitor`: run only the monitor of a cluster in the foreground (deployd and paasta up include it). */
import type { Command } from "commander";
import { clusterContext, examples, type SoaDirOptions, soaDirOptions, untilSignal } from "../common.js";
import { type Io, marks } from "../io.js";
import type { Runner } from "../registry.js";

interface MonitorOptions extends SoaDirOptions {
  cluster?: string;
}

export function register(program: Command, io: Io, run: Runner): void {
  const cmd = program
    .command("monitor")
    .description("Check every instance of a cluster and send team-routed alerts (without deploying anything)")
    .option("--cluster <cluster>", "the cluster (default: the system config's cluster)");
  soaDirOptions(cmd)
    .addHelpText(
      "after",
      `${examples("paasta monitor --cluster prod")}
Runs the checks every monitoring_check_interval_seconds (default 60) and sends to monitoring_sinks (see
docs/monitoring.md). paasta up and paasta deployd already run the monitor: run this one only where they do
not. Stop it with Ctrl-C.
`,
    )
    .action((opts: MonitorOptions) => run(runMonitor(opts, io)));
}

export async function runMonitor(opts: MonitorOptions, io: Io): Promise<number> {
  const { system, soaDir, cluster } = await clusterContext(opts, io);
  const { startMonitorHost } = await import("../../runtime/cluster-host.js");
  const { VERSION } = await import("../version.js");
  const m = marks(io);
  const host = await startMonitorHost({
    soaDir,
    system,
    cluster,
    version: VERSION,
    env: io.env,
    onError: (e) => io.err(`${m.yellow("warning")} monitor pass failed: ${(e as Error).message}`),
  });
  io.out(m.bold(`paasta monitor: cluster ${cluster} (${host.ctx.backend.kind}); ${host.monitor.health().detail}`));
  await untilSignal(() => host.stop());
  return 0;
}
