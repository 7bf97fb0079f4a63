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
    .description("Serve a cluster's HTTP API (status, bounce_status, replica restarts, /openapi.json, /metrics)")
    .option("--cluster <cluster>", "the cluster (default: the system config's cluster)");
  soaDirOptions(cmd)
    .addHelpText(
      "after",
      `${examples("paasta api --cluster prod")}
It listens where api_endpoints[cluster] says. For local clusters \`paasta up\` serves the API itself.
`,
    )
    .action((opts: ApiOptions) => run(runApi(opts, io)));
}

export async function runApi(opts: ApiOptions, io: Io): Promise<number> {
  const { system, soaDir, cluster } = await clusterContext(opts, io);
  const { openBackend } = await import("../../backends/open.js");
  const { buildApi } = await import("../../api/app.js");
  const { listen } = await import("../../api/server.js");
  const { VERSION } = await import("../version.js");
  const backend = await openBackend(system, cluster);
  const endpoint = new URL(system.apiEndpoint(cluster));
  const app = buildApi({
    cluster,
    backend,
    soaDir,
    system,
    token: system.get("api_auth_token") ?? io.env.PAASTA_API_TOKEN,
    version: VERSION,
  });
  const server = await listen(app, endpoint.hostname, Number(endpoint.port || 80));
  io.out(marks(io).bold(`paasta api: cluster ${cluster} (${backend.kind}) on ${server.url}; Ctrl-C stops it`));
  await untilSignal(async () => {
    await server.close();
    await backend.close?.();
  });
  return 0;
}
