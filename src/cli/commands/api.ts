/** `paasta api`: serve a cluster's HTTP API (PaaSTA's /v1) on api_endpoints[cluster]. */
import type { Command } from "commander";
import { clusterContext, examples, type SoaDirOptions, soaDirOptions, untilSignal } from "../common.js";
import { type Io, marks } from "../io.js";
import type { Runner } from "../registry.js";

interface ApiOptions extends SoaDirOptions {
  cluster?: string;
}

export function register(program: Command, io: Io, run: Runner): void {
  const cmd = program
    .command("api")
    .description(
      "Serve a cluster's HTTP API (status, bounce_status, replica restarts, /openapi.json, /metrics) and its web dashboard (/)",
    )
    .option("--cluster <cluster>", "the cluster (default: the system config's cluster)");
  soaDirOptions(cmd)
    .addHelpText(
      "after",
      `${examples("paasta api --cluster prod")}
It listens where api_endpoints[cluster] says; the dashboard is at its root URL (docs/dashboard.md).
For local clusters \`paasta up\` serves the API and the dashboard itself.
`,
    )
    .action((opts: ApiOptions) => run(runApi(opts, io)));
}

export async function runApi(opts: ApiOptions, io: Io): Promise<number> {
  const { system, soaDir, cluster } = await clusterContext(opts, io);
  const { startApiHost } = await import("../../runtime/cluster-host.js");
  const { VERSION } = await import("../version.js");
  const api = await startApiHost({ soaDir, system, cluster, version: VERSION, env: io.env });
  io.out(`Dashboard: ${api.url}/`);
  io.out(marks(io).bold(`paasta api: cluster ${cluster} (${api.ctx.backend.kind}) on ${api.url}; Ctrl-C stops it`));
  await untilSignal(() => api.stop());
  return 0;
}
