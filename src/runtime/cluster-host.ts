/**
 * The hosts of a cluster that runs elsewhere (Kubernetes): `paasta deployd` (the reconcile loop, woken by the
 * backend's change watch) and `paasta api` (the HTTP API). Same components as the `paasta up` host; the
 * backend is whatever cluster_backends names, reached only through its contract and powers.
 */
import { createMetrics } from "../api/metrics.js";
import { type Backend, canRunBatch } from "../backends/backend.js";
import { openBackend } from "../backends/open.js";
import type { SystemConfig } from "../config/system.js";
import { eventLogFiles } from "../logs/event-files.js";
import { createLogWriter } from "../logs/writer.js";
import { ApiComponent } from "./api-component.js";
import { apiToken } from "./api-token.js";
import { type Component, type ComponentHealth, Host } from "./component.js";
import type { RuntimeContext } from "./context.js";
import { EventBus } from "./events.js";
import { ReconcileComponent, type ReconcileOptions } from "./reconcile-component.js";
import { SchedulerComponent, type SchedulerOptions } from "./scheduler/component.js";
import { JobConfigs } from "./scheduler/configs.js";
import { jobsApi } from "./scheduler/jobs-api.js";

export interface ClusterHostOptions {
  readonly soaDir: string;
  readonly system: SystemConfig;
  readonly cluster: string;
  readonly version: string;
  readonly env: NodeJS.ProcessEnv;
}

export interface ClusterHost {
  readonly ctx: RuntimeContext;
  readonly host: Host;
  stop(): Promise<void>;
  health(): Record<string, ComponentHealth>;
}

/** The backend connection as a component: closed last. */
class BackendComponent implements Component {
  readonly name = "backend";
  constructor(private readonly backend: Backend) {}
  async start(): Promise<void> {}
  async stop(): Promise<void> {
    await this.backend.close?.();
  }
  health(): ComponentHealth {
    return { ok: true, detail: this.backend.kind };
  }
}

async function context(o: ClusterHostOptions): Promise<RuntimeContext> {
  return {
    cluster: o.cluster,
    soaDir: o.soaDir,
    system: o.system,
    backend: await openBackend(o.system, o.cluster),
    log: createLogWriter(o.system.logWriter()),
    events: new EventBus(),
    metrics: createMetrics(),
    version: o.version,
    env: o.env,
  };
}

async function started(ctx: RuntimeContext, ...components: Component[]): Promise<ClusterHost> {
  const host = new Host().add(new BackendComponent(ctx.backend));
  for (const c of components) host.add(c);
  await host.start();
  return { ctx, host, stop: () => host.stop(), health: () => host.health() };
}

/** `paasta deployd`: reconcile continuously, and run the cluster's jobs where the backend runs batch work. */
export async function startDeploydHost(
  o: ClusterHostOptions & ReconcileOptions & { readonly scheduler?: SchedulerOptions },
): Promise<ClusterHost> {
  const ctx = await context(o);
  // Verbs are recorded by `paasta api` (another process): a full pass every few seconds notices them.
  const scheduler = new SchedulerComponent(ctx, { resyncMs: 3000, ...o.scheduler });
  return started(ctx, scheduler, new ReconcileComponent(ctx, o));
}

/** `paasta api`: serve the cluster's HTTP API. */
export async function startApiHost(o: ClusterHostOptions): Promise<ClusterHost & { readonly url: string }> {
  const ctx = await context(o);
  const api = new ApiComponent(ctx, {
    token: apiToken(o.system, o.env).token,
    eventLogFiles: eventLogFiles(o.system, o.soaDir, o.cluster),
    // Jobs are read from (and verbs recorded in) the cluster itself; deployd's scheduler acts on them.
    jobs: canRunBatch(ctx.backend)
      ? jobsApi({ ...ctx, configs: new JobConfigs(o.soaDir, o.system, o.cluster), store: ctx.backend.batch() })
      : undefined,
  });
  const h = await started(ctx, api);
  return { ...h, url: api.url ?? "" };
}
