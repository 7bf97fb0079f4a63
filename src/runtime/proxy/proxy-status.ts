/**
 * What the local proxy shows: PaaSTA's `mesh_status` of an instance (every backend of each namespace it
 * registers in, as HAProxy has it: up / draining / down, sessions), a small read interface for other
 * components (the monitor's mesh replication check), and /metrics from HAProxy's statistics.
 */
import type { MeshStatusReader } from "../../backends/backend.js";
import type { AppRef } from "../../model/app.js";
import type { MeshBackend, MeshNamespaceStatus, MeshStatus } from "../../model/mesh.js";
import { backendName } from "./haproxy-config.js";
import type { ProxyComponent } from "./proxy-component.js";
import { addressOf, type ServerState, type StatRow } from "./servers.js";

/**
 * The proxy's view for other components (the monitor's mesh replication check, reference §8.1: "available"
 * backends are those HAProxy has up): each namespace's backends, and whether the proxy serves it at all.
 */
export interface MeshView {
  served(registration: string): boolean;
  backendsOf(registration: string): Promise<MeshBackend[]>;
}

export function meshView(proxy: ProxyComponent): MeshView {
  return {
    served: (registration) => proxy.servedRegistrations().has(registration),
    async backendsOf(registration) {
      const [servers, stats] = await Promise.all([proxy.serverStates(), proxy.stats()]);
      return backendsOf(proxy, registration, servers, stats);
    },
  };
}

export function backendsOf(
  proxy: ProxyComponent,
  registration: string,
  servers: ServerState[] | null,
  stats: StatRow[] | null,
): MeshBackend[] {
  const be = backendName(registration);
  const served = proxy.servedRegistrations().has(registration);
  return proxy.membership
    .meshMembers()
    .filter((m) => m.registration === registration)
    .sort((a, b) => a.task.localeCompare(b.task))
    .map((m) => {
      // Slots are found by the task's address (a slot holds whichever task it was given).
      const address = addressOf(m);
      const srv = served ? servers?.find((s) => s.backend === be && addressOf(s) === address) : undefined;
      const row = srv ? stats?.find((r) => r.pxname === be && r.svname === srv.server) : undefined;
      return {
        task: m.task,
        service: m.service,
        instance: m.instance,
        address: `${m.host}:${m.port}`,
        // Served: HAProxy's word (a task it does not have yet is down); else what the runtime wants.
        state: served ? (srv?.state ?? "down") : m.state,
        healthy: m.healthy,
        sessions: row ? Number(row.scur || 0) : null,
        weight: srv ? srv.weight : m.weight,
      };
    });
}

export function proxyDetail(proxy: ProxyComponent): { available: boolean; detail: string } {
  return { available: proxy.serving, detail: proxy.health().detail };
}

export function meshStatusReader(proxy: ProxyComponent, cluster: string): MeshStatusReader {
  return {
    async meshStatus(ref: AppRef): Promise<MeshStatus | undefined> {
      const registrations = proxy.membership.registrationsOf(ref);
      if (!registrations) return undefined;
      const routes = new Map(proxy.membership.meshRoutes().map((r) => [r.registration, r]));
      const [servers, stats] = await Promise.all([proxy.serverStates(), proxy.stats()]);
      const served = proxy.servedRegistrations();
      const namespaces: MeshNamespaceStatus[] = [...new Set(registrations)].map((name) => {
        const port = routes.get(name)?.settings.proxy_port ?? null;
        return {
          name,
          proxy_port: port,
          address: served.has(name) && port !== null ? `127.0.0.1:${port}` : null,
          served: served.has(name),
          backends: backendsOf(proxy, name, servers, stats),
        };
      });
      return { service: ref.service, instance: ref.instance, cluster, proxy: proxyDetail(proxy), namespaces };
    },
  };
}
