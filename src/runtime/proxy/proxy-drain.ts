/**
 * The `hacheck` drain method on the local runtime (reference §6.3, docs/mesh.md): the task is taken out of
 * rotation in HAProxy (no new requests; in-flight ones finish), and it is safe to kill once HAProxy has no
 * request on it in any of its registrations, or once `drain_method_params.delay` seconds have passed.
 * Without HAProxy running there is no traffic to wait for: safe at once.
 */
import type { ResolvedInstanceConfig } from "../../config/types.js";
import { backendName } from "./haproxy-config.js";
import type { ProxyComponent } from "./proxy-component.js";

export interface ProxyDrainTarget {
  readonly host: string;
  readonly port: number | null;
}

export interface ProxyDrainer {
  drain(task: ProxyDrainTarget): Promise<void>;
  isSafeToKill(task: ProxyDrainTarget): Promise<boolean>;
}

/** Requests in flight or queued on the task's servers; null when HAProxy does not answer. */
export async function inFlight(
  proxy: ProxyComponent,
  registrations: readonly string[],
  address: string,
): Promise<number | null> {
  const rows = await proxy.stats();
  if (!rows) return null;
  const backends = new Set(registrations.map(backendName));
  return rows
    .filter((r) => backends.has(r.pxname ?? "") && r.addr === address)
    .reduce((n, r) => n + Number(r.scur || 0) + Number(r.qcur || 0), 0);
}

/** When each task's drain began, per proxy (the supervisor asks for a drainer on every tick). */
const drains = new WeakMap<ProxyComponent, Map<string, number>>();

export function proxyDrainer(proxy: ProxyComponent, config: ResolvedInstanceConfig): ProxyDrainer {
  const since = drains.get(proxy) ?? new Map<string, number>();
  drains.set(proxy, since);
  const address = (t: ProxyDrainTarget) => `${t.host}:${t.port ?? ""}`;
  return {
    async drain(task) {
      if (!since.has(address(task))) since.set(address(task), Date.now());
      // The task is already `draining` in the runtime's state: applying the membership now puts new tasks in
      // rotation and this one out of it before the supervisor goes on.
      await proxy.sync();
    },
    async isSafeToKill(task) {
      const served = proxy.servedRegistrations();
      const registrations = config.registrations.filter((r) => served.has(r));
      const started = since.get(address(task)) ?? Date.now();
      let safe = registrations.length === 0 || Date.now() - started >= config.drain_method_params.delay * 1000;
      if (!safe) {
        const n = await inFlight(proxy, registrations, address(task));
        safe = n === null || n === 0;
      }
      if (safe) since.delete(address(task));
      return safe;
    },
  };
}
