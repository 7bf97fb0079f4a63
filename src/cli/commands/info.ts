/** `paasta info -s SERVICE`: a human summary of a service — what it is, who owns it, where it runs. */
import type { Command } from "commander";
import type { MeshStatus } from "../../model/mesh.js";
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
  /** Namespaces with a proxy_port; `served` lists the clusters whose mesh serves them now (asked through their APIs). */
  proxy_endpoints: Array<{
    registration: string;
    proxy_port: number;
    served: Array<{ cluster: string; url: string }>;
    not_served: Array<{ cluster: string; why: string }>;
  }>;
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
    proxy_endpoints: [],
  };
  const ports = Object.entries(fileValue(svc, "smartstack"))
    .filter(([ns, v]) => !ns.startsWith("_") && typeof (v as { proxy_port?: unknown })?.proxy_port === "number")
    .map(([ns, v]) => ({ registration: `${svc.name}.${ns}`, proxy_port: (v as { proxy_port: number }).proxy_port }));
  if (ports.length > 0) info.proxy_endpoints = await servedEndpoints(system, svc.name, byCluster, ports);
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
    for (const e of info.proxy_endpoints) {
      for (const s of e.served) io.out(`  - ${m.cyan(s.url)} (${e.registration} on ${s.cluster})`);
      for (const n of e.not_served)
        io.out(`  - ${e.registration} (port ${e.proxy_port}) not served on ${n.cluster}: ${n.why}`);
      if (e.served.length + e.not_served.length === 0)
        io.out(`  - ${e.registration} (port ${e.proxy_port}): no cluster to ask (no instance, or no system config)`);
    }
  }
  const dashboards = info.clusters.flatMap((c) =>
    Object.entries(c.dashboards).map(([label, url]) => `${c.cluster} ${label}: ${url}`),
  );
  io.out("Dashboard(s):");
  if (dashboards.length === 0) io.out("  (none: set dashboard_links in the system config)");
  for (const d of dashboards) io.out(`  - ${d}`);
  return 0;
}

/** Asks each cluster's API (mesh_status of the service's instances there) which namespaces its mesh serves. */
async function servedEndpoints(
  system: Awaited<ReturnType<typeof optionalSystemConfig>>,
  service: string,
  byCluster: Map<string, string[]>,
  ports: Array<{ registration: string; proxy_port: number }>,
): Promise<ServiceInfo["proxy_endpoints"]> {
  const out = ports.map((p) => ({
    ...p,
    served: [] as Array<{ cluster: string; url: string }>,
    not_served: [] as Array<{ cluster: string; why: string }>,
  }));
  if (!system) return out;
  const { clientsFor } = await import("../targets.js");
  const clients = await clientsFor(system, byCluster.keys());
  await Promise.all(
    [...clients].map(async ([cluster, client]) => {
      const seen = new Map<string, { url: string | null; why: string }>();
      for (const instance of byCluster.get(cluster) ?? []) {
        try {
          const r = await client.get<MeshStatus & { message?: string }>(
            `/v1/services/${service}/${instance}/mesh_status`,
          );
          if (r.status !== 200) continue;
          for (const ns of r.body.namespaces)
            if (!seen.get(ns.name)?.url)
              seen.set(ns.name, {
                url: ns.served && ns.address ? `http://${ns.address}` : null,
                why: r.body.proxy.detail,
              });
        } catch (e) {
          for (const p of ports)
            if (!seen.has(p.registration))
              seen.set(p.registration, { url: null, why: `API unreachable: ${(e as Error).message}` });
          break;
        }
      }
      for (const e of out) {
        const s = seen.get(e.registration);
        if (s?.url) e.served.push({ cluster, url: s.url });
        else if (s) e.not_served.push({ cluster, why: s.why });
      }
    }),
  );
  return out;
}
