/**
 * What a check pass reads: the desired apps (resolved configs with deployments, cached while files do not
 * change) and every instance's status. Statuses come in one sweep where the backend has the StatusLister
 * power (Kubernetes: three list calls, whatever the instance count, or its informer cache; the local runtime:
 * SQLite and one look at /proc), else per instance through the contract (`status(ref)`).
 */
import { type Backend, canListStatuses } from "../../backends/backend.js";
import { loadServiceDir } from "../../config/file-check.js";
import { resolveTronJob } from "../../config/resolve/index.js";
import type { SystemConfig } from "../../config/system.js";
import type { ResolvedMonitoring } from "../../config/types.js";
import type { DesiredApp } from "../../model/app.js";
import type { InstanceStatus } from "../../model/status.js";
import { desiredState } from "../../reconcile/desired.js";

export interface Snapshot {
  readonly apps: readonly DesiredApp[];
  readonly statuses: ReadonlyMap<string, InstanceStatus>;
  readonly frozen: ReadonlySet<string>;
}

export interface InstanceReader {
  read(): Promise<Snapshot>;
}

const CONCURRENCY = 16;

async function eachStatus(backend: Backend, apps: readonly DesiredApp[]): Promise<InstanceStatus[]> {
  if (canListStatuses(backend)) return backend.listStatuses();
  const out: InstanceStatus[] = [];
  let next = 0;
  const worker = async () => {
    while (next < apps.length) {
      const app = apps[next++] as DesiredApp;
      const s = await backend.status(app);
      if (s) out.push(s);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, apps.length) }, worker));
  return out;
}

export function backendReader(o: {
  soaDir: string;
  system: SystemConfig;
  cluster: string;
  backend: Backend;
}): InstanceReader {
  return {
    async read() {
      const desired = desiredState(o.soaDir, o.system, o.cluster);
      const statuses = new Map<string, InstanceStatus>();
      for (const s of await eachStatus(o.backend, desired.apps)) statuses.set(`${s.service}.${s.instance}`, s);
      return { apps: desired.apps, statuses, frozen: new Set(desired.frozen.keys()) };
    },
  };
}

/** The monitoring config of a Tron job (its `monitoring:` over monitoring.yaml), or undefined when unknown. */
export function jobMonitoring(
  soaDir: string,
  system: SystemConfig,
  cluster: string,
  service: string,
  job: string,
): ResolvedMonitoring | undefined {
  try {
    const svc = loadServiceDir(soaDir, service, `${service}/`);
    const r = resolveTronJob(svc, system, cluster, job, { bestEffort: true });
    if (r.ok) return r.config.monitoring;
    return r.partial?.monitoring;
  } catch {
    return undefined;
  }
}
