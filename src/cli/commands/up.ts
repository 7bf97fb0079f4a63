/** `paasta up`: run a local cluster in the foreground: reconcile loop, supervisor, API. */
import type { Command } from "commander";
import { clusterContext, examples, type SoaDirOptions, soaDirOptions, untilSignal } from "../common.js";
import { type Io, marks } from "../io.js";
import type { Runner } from "../registry.js";

interface UpOptions extends SoaDirOptions {
  cluster?: string;
  keepRunning?: boolean;
  force?: boolean;
}

export function register(program: Command, io: Io, run: Runner): void {
  const cmd = program
    .command("up")
    .description("Run a local cluster in the foreground: deploy, health-check, bounce and restart its services")
    .option(
      "--cluster <cluster>",
      "the cluster (default: the system config's cluster); its cluster_backends entry must be local",
    )
    .option("--keep-running", "on Ctrl-C, leave the services running (the next paasta up re-adopts them)")
    .option("--force", "allow a reconcile pass to remove more than half of the running apps");
  soaDirOptions(cmd)
    .addHelpText(
      "after",
      `${examples("paasta up", "paasta up --cluster dev -d ./soa-configs", "paasta up --keep-running")}
It notices within seconds: edits to soa-configs, a new deployments.json, and new tags in the services' git
repositories (it regenerates deployments.json itself, so mark-for-deployment alone deploys).
Ctrl-C (SIGINT) or SIGTERM stops it gracefully, stopping the services unless --keep-running is given.
`,
    )
    .action((opts: UpOptions) => run(runUp(opts, io)));
}

export async function runUp(opts: UpOptions, io: Io): Promise<number> {
  const { startLocalHost } = await import("../../runtime/local-host.js");
  const { passReporter } = await import("../pass-report.js");
  const { system, soaDir, cluster } = await clusterContext(opts, io);
  const m = marks(io);
  const version = (await import("../version.js")).VERSION;
  const local = await startLocalHost({
    soaDir,
    system,
    cluster,
    version,
    env: io.env,
    force: opts.force,
    onPass: passReporter(io),
    onError: (e) => io.err(`${m.yellow("warning")} ${(e as Error).message}`),
    scheduler: { onError: (job, e) => io.err(`${m.yellow("warning")} job ${job}: ${(e as Error).message}`) },
  });
  local.backend.log.listen((l) =>
    io.out(`${m.dim(l.timestamp.slice(11, 19))} ${l.service}.${l.instance} ${l.message}`),
  );
  local.ctx.events.on("autoscaler.scaled", (e) =>
    io.out(`${m.dim(e.at.slice(11, 19))} ${e.service}.${e.instance} autoscaled ${e.from} → ${e.to}: ${e.why}`),
  );
  const spec = system.clusterBackend(cluster);
  const executor = spec.type === "local" ? spec.executor : "process";
  io.out(`Dashboard: ${local.api.url}/`);
  io.out(m.bold(`paasta up: cluster ${cluster} (local, ${executor} executor)`));
  io.out(`  API:        ${local.api.url}   (writes need the token in ${local.tokenSource})`);
  io.out(`  state:      ${spec.type === "local" ? spec.state_dir : ""}`);
  io.out(`  soa-configs: ${soaDir}`);
  const proxy = local.proxy.health();
  io.out(`  proxy:      ${local.proxy.available ? proxy.detail : m.yellow(proxy.detail)}`);
  const a = local.adopted;
  if (a.adopted + a.lost + a.orphansKilled > 0)
    io.out(`  re-adopted ${a.adopted} running task(s); ${a.lost} had exited; ${a.orphansKilled} orphan(s) stopped`);
  io.out(
    `  Try: paasta status -s SERVICE --cluster ${cluster}    Stop: Ctrl-C${opts.keepRunning ? " (services keep running)" : ""}`,
  );
  await untilSignal(
    async () => {
      io.out(opts.keepRunning ? "Stopping paasta up; services keep running." : "Stopping paasta up and its services…");
      await local.stop({ stopTasks: !opts.keepRunning });
    },
    () => io.out("Still stopping (waiting for the services to exit)…"),
  );
  return 0;
}
