/**
 * The hosts of a cluster that runs elsewhere (Kubernetes): `paasta deployd` (the reconcile loop, woken by the
 * backend's change watch) and `paasta api` (the HTTP API). Same components as the `paasta up` host; the
 * backend is whatever cluster_backends names, reached only through its contract and powers.
 */
import { createMetrics } from "../api/metrics.js";
import { type Backend, canCacheState, canDeliverSecrets, canReadMeshStatus, canRunBatch } from "../backends/backend.js";
import { openBackend } from "../backends/open.js";
import type { SystemConfig } from "../config/system.js";
import { eventLogFiles } from "../logs/event-files.js";
import { createLogWriter } from "../logs/writer.js";
import { SecretSource } from "../secrets/source.js";
import { ApiComponent } from "./api-component.js";
import { apiToken } from "./api-token.js";
import { AutoscalingService } from "./autoscaler/api.js";
import { AutoscalerComponent } from "./autoscaler/index.js";
import { autoscalingStore } from "./autoscaler/store.js";
import { type Component, type ComponentHealth, Host } from "./component.js";
import type { RuntimeContext } from "./context.js";
import { EventBus } from "./events.js";
import { MonitorComponent } from "./monitor/index.js";
import { activeAlerts, emptyRecord, stateStore } from "./monitor/state.js";
import { ReconcileComponent, type ReconcileOptions } from "./reconcile-component.js";
import { SchedulerComponent, type SchedulerOptions } from "./scheduler/component.js";
import { JobConfigs } from "./scheduler/configs.js";
import { jobsApi } from "./scheduler/jobs-api.js";
import { publishTaskExits } from "./task-exits.js";

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

/**
 * The backend connection as a component, closed last. Where the backend can keep a watched copy of what it
 * manages (StateCache), it is started here, in the background: passes and status read the cluster until the
 * copy is complete, and memory after.
 */
class BackendComponent implements Component {
  readonly name = "backend";
  private cacheError: string | undefined;
  constructor(private readonly backend: Backend) {}
  async start(): Promise<void> {
    const b = this.backend;
    if (canCacheState(b))
      b.startCache().catch((e: unknown) => {
        this.cacheError = (e as Error).message;
      });
  }
  async stop(): Promise<void> {
    await this.backend.close?.();
  }
  health(): ComponentHealth {
    const b = this.backend;
    if (!canCacheState(b)) return { ok: true, detail: b.kind };
    if (this.cacheError) return { ok: false, detail: `${b.kind}: watched copy failed: ${this.cacheError}` };
    return { ok: true, detail: `${b.kind}, watched copy ${b.cacheReady ? "ready" : "syncing"}` };
  }
}

async function context(o: ClusterHostOptions): Promise<RuntimeContext> {
  const ctx: RuntimeContext = {
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
  publishTaskExits(ctx);
  return ctx;
}

async function started(ctx: RuntimeContext, ...components: Component[]): Promise<ClusterHost> {
  const host = new Host().add(new BackendComponent(ctx.backend));
  for (const c of components) host.add(c);
  await host.start();
  return { ctx, host, stop: () => host.stop(), health: () => host.health() };
}

/**
 * `paasta deployd`: reconcile continuously (with the Secrets of SECRET() values, and the autoscaling overrides
 * rendered into the HPAs: a change or an expiry wakes a pass), monitor, and run the cluster's jobs where the
 * backend runs batch work.
 */
export async function startDeploydHost(
  o: ClusterHostOptions &
    ReconcileOptions & { readonly scheduler?: SchedulerOptions; readonly autoscalerIntervalSeconds?: number },
): Promise<ClusterHost & { readonly autoscaler: AutoscalerComponent }> {
  const ctx = await context(o);
  if (canDeliverSecrets(ctx.backend)) ctx.backend.useSecrets(new SecretSource(o.soaDir, o.system).preload());
  let reconcile: ReconcileComponent | undefined;
  const autoscaler = new AutoscalerComponent(ctx, {
    intervalSeconds: o.autoscalerIntervalSeconds,
    onControlsChanged: () => reconcile?.loop.trigger(),
    onError: o.onError,
  });
  reconcile = new ReconcileComponent(ctx, { ...o, autoscaling: async () => autoscaler.record() });
  // Verbs are recorded by `paasta api` (another process): a full pass every few seconds notices them.
  const scheduler = new SchedulerComponent(ctx, { resyncMs: 3000, ...o.scheduler });
  // The autoscaler before the reconcile: the first pass renders the overrides it has loaded.
  const monitor = new MonitorComponent(ctx, { onError: o.onError });
  const h = await started(ctx, autoscaler, reconcile, monitor, scheduler);
  return { ...h, autoscaler };
}

/** `paasta monitor`: only the monitor (when deployd runs elsewhere, or to watch a cluster from outside). */
export async function startMonitorHost(
  o: ClusterHostOptions & { readonly onError?: (e: unknown) => void; readonly intervalSeconds?: number },
): Promise<ClusterHost & { readonly monitor: MonitorComponent }> {
  const ctx = await context(o);
  const monitor = new MonitorComponent(ctx, { onError: o.onError, intervalSeconds: o.intervalSeconds });
  return { ...(await started(ctx, monitor)), monitor };
}

export interface ApiHostOptions extends ClusterHostOptions {
  /** Listen here instead of api_endpoints' port. */
  readonly port?: number;
  readonly maxRequestSeconds?: number;
  readonly requestLog?: (line: string) => void;
}

/** `paasta api`: serve the cluster's HTTP API. */
export async function startApiHost(o: ApiHostOptions): Promise<ClusterHost & { readonly url: string }> {
  const ctx = await context(o);
  // The monitor runs in deployd (or `paasta monitor`); its record is where the API reads the alerts.
  const store = stateStore(ctx.backend, ctx.cluster);
  const api = new ApiComponent(ctx, {
    token: apiToken(o.system, o.env).token,
    eventLogFiles: eventLogFiles(o.system, o.soaDir, o.cluster),
    mesh: canReadMeshStatus(ctx.backend) ? ctx.backend : undefined,
    port: o.port,
    maxRequestSeconds: o.maxRequestSeconds,
    requestLog: o.requestLog,
    alerts: async () => activeAlerts((await store.load()) ?? emptyRecord()),
    // Jobs are read from (and verbs recorded in) the cluster itself; deployd's scheduler acts on them.
    jobs: canRunBatch(ctx.backend)
      ? jobsApi({ ...ctx, configs: new JobConfigs(o.soaDir, o.system, o.cluster), store: ctx.backend.batch() })
      : undefined,
    // Overrides and the pause go to the cluster's record; deployd renders them into the HPAs.
    autoscaling: new AutoscalingService(ctx, autoscalingStore(ctx.backend, ctx.cluster)),
  });
  const h = await started(ctx, api);
  return { ...h, url: api.url ?? "" };
}
