/** `paasta api`: serve a cluster's HTTP API (PaaSTA's /v1) on api_endpoints[cluster]. */
import type { Command } from "commander";
import { PaastaError } from "../../errors.js";
import { clusterContext, examples, type SoaDirOptions, soaDirOptions, untilSignal } from "../common.js";
import { type Io, marks } from "../io.js";
import type { Runner } from "../registry.js";
import { seconds } from "../wait.js";

interface ApiOptions extends SoaDirOptions {
  cluster?: string;
  debug?: boolean;
  maxRequestSeconds: string;
  workers?: string;
}

export function register(program: Command, io: Io, run: Runner): void {
  const cmd = program
    .command("api")
    .description(
      "Serve a cluster's HTTP API (status, bounce_status, replica restarts, /openapi.json, /metrics) and its web dashboard (/)",
    )
    .argument("[port]", "listen on this port (default: the port of api_endpoints[cluster])")
    .option("-c, --cluster <cluster>", "the cluster (default: the system config's cluster)")
    .option("-D, --debug", "log every request (method, path, status, time) on stderr")
    .option("--max-request-seconds <seconds>", "answer 504 when a request takes longer", "120")
    .option("-w, --workers <n>", "accepted as in PaaSTA; one Node process serves every request here");
  soaDirOptions(cmd)
    .addHelpText(
      "after",
      `${examples("paasta api --cluster prod", "paasta api -c prod -D 5054")}
It listens where api_endpoints[cluster] says (host and port; PORT overrides the port); the dashboard is at its
root URL (docs/dashboard.md). For local clusters \`paasta up\` serves the API and the dashboard itself.
`,
    )
    .action((port: string | undefined, opts: ApiOptions) => run(runApi(opts, io, port)));
}

export async function runApi(opts: ApiOptions, io: Io, portText?: string): Promise<number> {
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535))
    throw new PaastaError("PAASTA_CLI_BAD_VALUE", {
      flag: "PORT",
      detail: `"${portText}" is not a TCP port`,
      hint: "Give a port between 1 and 65535, or none to use api_endpoints[cluster].",
    });
  const maxRequestSeconds = seconds("--max-request-seconds", opts.maxRequestSeconds);
  const { system, soaDir, cluster } = await clusterContext(opts, io);
  const { startApiHost } = await import("../../runtime/cluster-host.js");
  const { VERSION } = await import("../version.js");
  const api = await startApiHost({
    soaDir,
    system,
    cluster,
    version: VERSION,
    env: io.env,
    port,
    maxRequestSeconds: maxRequestSeconds || undefined,
    requestLog: opts.debug ? (line) => io.err(line) : undefined,
  });
  io.out(`Dashboard: ${api.url}/`);
  io.out(marks(io).bold(`paasta api: cluster ${cluster} (${api.ctx.backend.kind}) on ${api.url}; Ctrl-C stops it`));
  await untilSignal(() => api.stop());
  return 0;
}
