/**
 * The `paasta up` host: one local cluster in one process — the supervisor (the local backend), the monitor,
 * the job scheduler, the API, the reconcile loop and the autoscaler, as components of a Host. Wave 2's other
 * subsystems (the proxy) are added here as siblings; each receives the RuntimeContext.
 */
import { createMetrics, registerDiskMetrics, registerTaskMetrics } from "../api/metrics.js";
import { executorFactory } from "../backends/local/executors/factory.js";
import { LocalBackend } from "../backends/local/index.js";
import type { SystemConfig } from "../config/system.js";
import { PaastaError } from "../errors.js";
import { eventLogFiles } from "../logs/event-files.js";
import { createLogWriter } from "../logs/writer.js";
import { SecretSource } from "../secrets/source.js";
import { ApiComponent } from "./api-component.js";
import { apiToken } from "./api-token.js";
import { AutoscalingService } from "./autoscaler/api.js";
import { AutoscalerComponent } from "./autoscaler/index.js";
import type { ActiveRequestsSource } from "./autoscaler/metrics.js";
import { proxySessions } from "./autoscaler/sessions.js";
import { type Component, type ComponentHealth, Host } from "./component.js";
import type { RuntimeContext } from "./context.js";
import { EventBus } from "./events.js";
import { MonitorComponent } from "./monitor/index.js";
import { ProxyComponent } from "./proxy/proxy-component.js";
import { proxyDrainer } from "./proxy/proxy-drain.js";
import { registerProxyMetrics } from "./proxy/proxy-metrics.js";
import { type MeshView, meshStatusReader, meshView } from "./proxy/proxy-status.js";
import { ReconcileComponent, type ReconcileOptions } from "./reconcile-component.js";
import { SchedulerComponent, type SchedulerOptions } from "./scheduler/component.js";
import { publishTaskExits } from "./task-exits.js";

export interface LocalHostOptions extends ReconcileOptions {
  readonly soaDir: string;
  readonly system: SystemConfig;
  readonly cluster: string;
  readonly version: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Test knob: a faster supervisor tick. */
  readonly tickMs?: number;
  /** Sessions per instance for active-requests autoscaling (default: the local proxy's). */
  readonly activeRequests?: ActiveRequestsSource;
  readonly scheduler?: SchedulerOptions;
}

export interface LocalHost {
  readonly ctx: RuntimeContext;
  readonly backend: LocalBackend;
  readonly host: Host;
  readonly reconcile: ReconcileComponent;
  readonly api: ApiComponent;
  readonly proxy: ProxyComponent;
  /** The proxy's view of each mesh namespace (for the monitor). */
  readonly meshView: MeshView;
  readonly scheduler: SchedulerComponent;
  readonly monitor: MonitorComponent;
  readonly autoscaler: AutoscalerComponent;
  readonly adopted: { adopted: number; lost: number; orphansKilled: number };
  readonly tokenSource: string;
  /** Stops every component; the services too unless `keepTasks`. */
  stop(options?: { stopTasks?: boolean }): Promise<void>;
  health(): Record<string, ComponentHealth>;
}

/** The supervisor as a component: re-adopts running tasks on start; on stop, optionally stops every task. */
class SupervisorComponent implements Component {
  readonly name = "supervisor";
  adopted = { adopted: 0, lost: 0, orphansKilled: 0 };
  stopTasks = false;

  constructor(private readonly backend: LocalBackend) {}

  async start(): Promise<void> {
    try {
      this.adopted = await this.backend.start();
    } catch (e) {
      await this.backend.close().catch(() => {});
      throw e;
    }
  }

  async stop(): Promise<void> {
    if (this.stopTasks) await this.backend.supervisor.stopEverything();
    await this.backend.close();
  }

  health(): ComponentHealth {
    const disk = this.backend.diskUse;
    const size = disk ? `; state dir ${(disk.total / 1024 / 1024).toFixed(1)} MB` : "";
    return { ok: true, detail: `${this.backend.store.liveTasks().length} live task(s)${size}` };
  }
}

export async function startLocalHost(o: LocalHostOptions): Promise<LocalHost> {
  const spec = o.system.clusterBackend(o.cluster);
  if (spec.type !== "local") {
    throw new PaastaError("PAASTA_SYSTEM_CONFIG_INVALID", {
      key: `cluster_backends.${o.cluster}`,
      file: o.system.dir,
      detail: `paasta up runs local clusters; ${o.cluster} is "${spec.type}" (use paasta deployd for Kubernetes)`,
    });
  }
  const env = o.env ?? process.env;
  const backend = new LocalBackend({
    cluster: o.cluster,
    stateDir: spec.state_dir,
    executor: await executorFactory(spec.executor, env),
    inheritEnv: env,
    tickMs: o.tickMs,
    // The proxy is created below; tasks are drained through it once it runs.
    meshDrainer: (config) => proxyDrainer(proxy, config),
    retention: { historyDays: spec.history_days, keepVersions: spec.keep_versions },
    // Test and bench knob: housekeeping more often than once a minute.
    housekeepingMs: Number(env.PAASTA_HOUSEKEEPING_MS) || undefined,
  });
  const ctx: RuntimeContext = {
    cluster: o.cluster,
    soaDir: o.soaDir,
    system: o.system,
    backend,
    log: createLogWriter(o.system.logWriter()),
    events: new EventBus(),
    metrics: createMetrics(),
    version: o.version,
    env,
  };
  publishTaskExits(ctx);
  registerTaskMetrics(
    ctx.metrics.registry,
    () => {
      const counts: Record<string, number> = {};
      for (const t of backend.store.liveTasks()) counts[t.state] = (counts[t.state] ?? 0) + 1;
      return counts;
    },
    () => ({ bounces: backend.supervisor.bounces, healthFailures: backend.supervisor.healthFailures }),
  );
  registerDiskMetrics(ctx.metrics.registry, () => backend.diskUse);
  const token = apiToken(o.system, env, spec.state_dir);
  // Secrets are decrypted at task start; the provider's library loads now, in the background.
  backend.useSecrets(new SecretSource(o.soaDir, o.system).preload());
  const supervisor = new SupervisorComponent(backend);
  const proxy = new ProxyComponent({
    stateDir: spec.state_dir,
    haproxyPath: spec.haproxy_path,
    membership: backend,
    env,
    report: (message) => backend.log.write({ service: "paasta", instance: "proxy", component: "proxy", message }),
  });
  registerProxyMetrics(ctx.metrics.registry, proxy);
  const reconcile = new ReconcileComponent(ctx, o);
  const scheduler = new SchedulerComponent(ctx, o.scheduler);
  const monitor = new MonitorComponent(ctx);
  const mesh = meshStatusReader(proxy, o.cluster);
  const autoscaler = new AutoscalerComponent(ctx, {
    desiredApps: () => reconcile.lastResult?.desired?.apps,
    // active-requests: the proxy's sessions to each instance's tasks
    activeRequests: o.activeRequests ?? proxySessions(mesh),
    onError: o.onError,
  });
  const api = new ApiComponent(ctx, {
    token: token.token,
    eventLogFiles: eventLogFiles(o.system, o.soaDir, o.cluster),
    mesh,
    deployQueue: () => reconcile.deployQueue(),
    alerts: async () => monitor.alerts(),
    jobs: scheduler.jobs,
    autoscaling: new AutoscalingService(ctx, autoscaler.store, autoscaler),
  });
  // The monitor before the scheduler: it hears the scheduler's first events.
  const host = new Host()
    .add(supervisor)
    .add(proxy)
    .add(monitor)
    .add(scheduler)
    .add(api)
    .add(reconcile)
    .add(autoscaler);
  await host.start();
  return {
    ctx,
    backend,
    host,
    reconcile,
    api,
    proxy,
    meshView: meshView(proxy),
    scheduler,
    monitor,
    autoscaler,
    adopted: supervisor.adopted,
    tokenSource: token.source,
    async stop(opts = {}) {
      supervisor.stopTasks = opts.stopTasks === true;
      scheduler.stopAttempts = opts.stopTasks === true;
      await host.stop();
    },
    health: () => host.health(),
  };
}
