/** Which long-running instances a status/logs/wait/pipeline command is about, and the API clients of their clusters. */
import type { ApiClient } from "../api/client.js";
import type { SystemConfig } from "../config/system.js";

export interface InstanceTarget {
  readonly cluster: string;
  readonly instance: string;
  readonly deployGroup: string;
  readonly marginFactor: number;
  /** The owning team (monitoring `team`), for `-o/--owner`. */
  readonly team?: string | null;
  /** The mesh namespaces it registers in, for `-r/--registration`. */
  readonly registrations?: readonly string[];
}

export async function longRunningTargets(
  soaDir: string,
  system: SystemConfig | undefined,
  service: string,
  filters: { clusters?: readonly string[]; instances?: readonly string[]; deployGroup?: string },
): Promise<InstanceTarget[]> {
  const { readServiceDir, serviceClusters } = await import("../config/soa.js");
  const { instanceNames, resolveInstance } = await import("../config/resolve/index.js");
  const { LONG_RUNNING_TYPES } = await import("../config/kinds.js");
  const { normaliseService } = await import("./remote.js");
  const svc = readServiceDir(soaDir, normaliseService(service));
  const out: InstanceTarget[] = [];
  const known = system?.clusters() ?? [];
  for (const cluster of serviceClusters(svc)) {
    if (filters.clusters?.length && !filters.clusters.includes(cluster)) continue;
    // Files of clusters the system config does not list are never deployed.
    if (known.length > 0 && !known.includes(cluster)) continue;
    for (const kind of LONG_RUNNING_TYPES) {
      for (const instance of instanceNames(svc, kind, cluster)) {
        if (filters.instances?.length && !filters.instances.includes(instance)) continue;
        const r = resolveInstance(svc, system, cluster, instance, kind, { bestEffort: true });
        const cfg = r.ok ? r.config : r.partial;
        if (!cfg) continue;
        if (filters.deployGroup && cfg.deploy_group !== filters.deployGroup) continue;
        out.push({
          cluster,
          instance,
          deployGroup: cfg.deploy_group,
          marginFactor: cfg.bounce_margin_factor,
          team: cfg.monitoring.team,
          registrations: cfg.registrations,
        });
      }
    }
  }
  return out;
}

/**
 * Instances that clusters' APIs report for a service whose config lists fewer than run there: a service whose
 * files are broken is left running (frozen) and must stay visible. Asks only clusters that have a file of the
 * service with problems and whose targets came out empty, and adds instances `known` does not have.
 */
export async function reportedTargets(
  soaDir: string,
  system: SystemConfig,
  service: string,
  known: readonly InstanceTarget[],
  filters: { clusters?: readonly string[]; instances?: readonly string[] },
): Promise<InstanceTarget[]> {
  const { readServiceDir, serviceClusters, serviceProblems } = await import("../config/soa.js");
  const { normaliseService } = await import("./remote.js");
  const svc = readServiceDir(soaDir, normaliseService(service));
  if (serviceProblems(svc).length === 0) return [];
  const listed = system.clusters();
  const clusters = serviceClusters(svc).filter(
    (c) =>
      (!filters.clusters?.length || filters.clusters.includes(c)) &&
      (listed.length === 0 || listed.includes(c)) &&
      !known.some((t) => t.cluster === c),
  );
  const clients = await clientsFor(system, clusters);
  const out: InstanceTarget[] = [];
  for (const [cluster, client] of clients) {
    const r = await client.get<{ instances?: string[] }>(`/v1/services/${svc.name}`).catch(() => undefined);
    for (const instance of r?.status === 200 ? (r.body.instances ?? []) : []) {
      if (filters.instances?.length && !filters.instances.includes(instance)) continue;
      out.push({ cluster, instance, deployGroup: "", marginFactor: 1 });
    }
  }
  return out;
}

/** One API client per cluster that has an api_endpoints entry. */
export async function clientsFor(system: SystemConfig, clusters: Iterable<string>): Promise<Map<string, ApiClient>> {
  const { apiClient } = await import("../api/client.js");
  const out = new Map<string, ApiClient>();
  const endpoints = system.get("api_endpoints") ?? {};
  for (const c of clusters) if (endpoints[c]) out.set(c, apiClient(system, c));
  return out;
}
