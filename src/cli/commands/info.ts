/** `paasta info -s SERVICE`: a human summary of a service — what it is, who owns it, where it runs. */
import type { Command } from "commander";
import {
  examples,
  guessService,
  jsonOption,
  optionalSystemConfig,
  printJson,
  resolveSoaDir,
  type SoaDirOptions,
  soaDirOptions,
} from "../common.js";
import { type Io, marks } from "../io.js";
import type { Runner } from "../registry.js";

interface InfoOptions extends SoaDirOptions {
  service?: string;
  json?: boolean;
}

export function register(program: Command, io: Io, run: Runner): void {
  const cmd = program
    .command("info")
    .description("Show a service's description, owners, git repo, clusters, proxy endpoints and dashboards")
    .option("-s, --service <service>", "the service (default: the current directory's name)");
  jsonOption(soaDirOptions(cmd))
    .addHelpText("after", examples("paasta info -s hello -d ./soa-configs", "paasta info -s hello --json"))
    .action((opts: InfoOptions) => run(runInfo(opts, io)));
}

export interface ServiceInfo {
  service: string;
  description: string | null;
  external_link: string | null;
  team: string | null;
  runbook: string | null;
  git_url: string | null;
  clusters: Array<{ cluster: string; instances: string[]; dashboards: Record<string, string> }>;
  proxy_endpoints: Array<{ registration: string; url: string }>;
}

export async function runInfo(opts: InfoOptions, io: Io): Promise<number> {
  const { readServiceDir, fileValue } = await import("../../config/soa.js");
  const { listInstances } = await import("../../config/instances.js");
  const { resolveMonitoring } = await import("../../config/resolve/index.js");
  const soaDir = await resolveSoaDir(opts, io);
  const system = await optionalSystemConfig(io);
  const svc = readServiceDir(soaDir, guessService(io, opts.service));
  const serviceYaml = fileValue(svc, "service");
  const monitoring = resolveMonitoring(fileValue(svc, "monitoring"), serviceYaml);
  const byCluster = new Map<string, string[]>();
  for (const i of listInstances(svc)) byCluster.set(i.cluster, [...(byCluster.get(i.cluster) ?? []), i.instance]);
  const info: ServiceInfo = {
    service: svc.name,
    description: typeof serviceYaml.description === "string" ? serviceYaml.description : null,
    external_link: typeof serviceYaml.external_link === "string" ? serviceYaml.external_link : null,
    team: monitoring.team,
    runbook: monitoring.runbook,
    git_url: typeof serviceYaml.git_url === "string" ? serviceYaml.git_url : null,
    clusters: [...byCluster].map(([cluster, instances]) => ({
      cluster,
      instances,
      dashboards: system?.dashboardLinks(cluster) ?? {},
    })),
    proxy_endpoints: Object.entries(fileValue(svc, "smartstack"))
      .filter(([ns, v]) => !ns.startsWith("_") && typeof (v as { proxy_port?: unknown })?.proxy_port === "number")
      .map(([ns, v]) => ({
        registration: `${svc.name}.${ns}`,
        url: `http://127.0.0.1:${(v as { proxy_port: number }).proxy_port}`,
      })),
  };
  if (opts.json) {
    printJson(io, info);
    return 0;
  }
  const m = marks(io);
  io.out(`Service Name: ${info.service}`);
  io.out(`Description: ${info.description ?? "(no description in service.yaml)"}`);
  io.out(`External Link: ${m.cyan(info.external_link ?? "(no external_link in service.yaml)")}`);
  io.out(`Monitored By: team ${info.team ?? "(none: set team in monitoring.yaml)"}`);
  io.out(`Runbook: ${m.cyan(info.runbook ?? "(none: set runbook in monitoring.yaml)")}`);
  io.out(`Git Repo: ${info.git_url ?? "(none)"}`);
  io.out("Deployed to the following clusters:");
  if (info.clusters.length === 0) io.out("  (no instances configured)");
  for (const c of info.clusters) io.out(`  - ${c.cluster}: ${c.instances.join(", ")}`);
  if (info.proxy_endpoints.length > 0) {
    io.out("Proxy endpoint(s):");
    for (const e of info.proxy_endpoints) io.out(`  - ${e.url} (${e.registration})`);
  }
  const dashboards = info.clusters.flatMap((c) =>
    Object.entries(c.dashboards).map(([label, url]) => `${c.cluster} ${label}: ${url}`),
  );
  io.out("Dashboard(s):");
  if (dashboards.length === 0) io.out("  (none: set dashboard_links in the system config)");
  for (const d of dashboards) io.out(`  - ${d}`);
  return 0;
}
