/**
 * A running local cluster: the local backend (supervisor and its store), the reconcile loop and the API
 * server, as `paasta up` runs them in one process.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildApi } from "../../api/app.js";
import { createMetrics } from "../../api/metrics.js";
import { listen, type RunningServer } from "../../api/server.js";
import { listInstances } from "../../config/instances.js";
import { readServiceDir } from "../../config/soa.js";
import type { SystemConfig } from "../../config/system.js";
import { PaastaError } from "../../errors.js";
import { createLogWriter, type LogWriterPaths, logWriterPaths } from "../../logs/writer.js";
import { ReconcileLoop } from "../../reconcile/loop.js";
import type { PassResult } from "../../reconcile/pass.js";
import type { Executor } from "./executors/executor.js";
import { ProcessExecutor } from "./executors/process.js";
import { LocalBackend } from "./index.js";

export interface LocalClusterOptions {
  readonly soaDir: string;
  readonly system: SystemConfig;
  readonly cluster: string;
  readonly version: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly force?: boolean;
  readonly onPass?: (r: PassResult) => void;
  readonly onError?: (e: unknown) => void;
  /** Test knobs: faster loops. */
  readonly tickMs?: number;
  readonly watchMs?: number;
  readonly gitPollMs?: number;
}

export interface LocalCluster {
  readonly backend: LocalBackend;
  readonly loop: ReconcileLoop;
  readonly api: RunningServer;
  readonly adopted: { adopted: number; lost: number; orphansKilled: number };
  readonly tokenSource: string;
  stop(options?: { stopTasks?: boolean }): Promise<void>;
}

/** The API token: system config, then $PAASTA_API_TOKEN, else one generated into STATE_DIR/api-token. */
function apiToken(system: SystemConfig, stateDir: string, env: NodeJS.ProcessEnv): { token: string; source: string } {
  const configured = system.get("api_auth_token") ?? env.PAASTA_API_TOKEN;
  if (configured)
    return {
      token: configured,
      source: system.get("api_auth_token") ? "system config api_auth_token" : "$PAASTA_API_TOKEN",
    };
  const file = join(stateDir, "api-token");
  if (!existsSync(file)) {
    writeFileSync(file, `${randomBytes(24).toString("hex")}\n`);
    chmodSync(file, 0o600);
  }
  return { token: readFileSync(file, "utf8").trim(), source: file };
}

export async function startLocalCluster(o: LocalClusterOptions): Promise<LocalCluster> {
  const spec = o.system.clusterBackend(o.cluster);
  if (spec.type !== "local") {
    throw new PaastaError("PAASTA_SYSTEM_CONFIG_INVALID", {
      key: `cluster_backends.${o.cluster}`,
      file: o.system.dir,
      detail: `paasta up runs local clusters; ${o.cluster} is "${spec.type}" (use paasta deployd for Kubernetes)`,
    });
  }
  const endpoint = new URL(o.system.apiEndpoint(o.cluster));
  const logWriter = createLogWriter(o.system.logWriter());
  const backend = new LocalBackend({
    cluster: o.cluster,
    stateDir: spec.state_dir,
    executor: await executorFactory(spec.executor, o.env ?? process.env),
    inheritEnv: o.env ?? process.env,
    tickMs: o.tickMs,
  });
  const adopted = await backend.start();
  const metrics = createMetrics(
    () => {
      const counts: Record<string, number> = {};
      for (const t of backend.store.liveTasks()) counts[t.state] = (counts[t.state] ?? 0) + 1;
      return counts;
    },
    () => ({ bounces: backend.supervisor.bounces, healthFailures: backend.supervisor.healthFailures }),
  );
  const loop = new ReconcileLoop({
    soaDir: o.soaDir,
    cluster: o.cluster,
    system: o.system,
    backend,
    log: logWriter,
    force: o.force,
    watchMs: o.watchMs,
    gitPollMs: o.gitPollMs,
    onPass: (r) => {
      metrics.reconcileDuration.observe(r.durationMs / 1000);
      metrics.reconcileWrites.inc(r.writes);
      o.onPass?.(r);
    },
    onError: o.onError,
  });
  const { token, source } = apiToken(o.system, spec.state_dir, o.env ?? process.env);
  const deployFiles = logWriterPaths(o.system.logWriter());
  const app = buildApi({
    cluster: o.cluster,
    backend,
    soaDir: o.soaDir,
    system: o.system,
    token,
    metrics,
    version: o.version,
    logFiles: (service) => [backend.log.pathOf(service), ...deployLogFiles(deployFiles, o.soaDir, service, o.cluster)],
  });
  let api: RunningServer;
  try {
    api = await listen(app, endpoint.hostname, Number(endpoint.port || 80));
  } catch (e) {
    await backend.close();
    throw new PaastaError("PAASTA_USAGE", {
      detail: `cannot listen on ${endpoint.host} (api_endpoints.${o.cluster}): ${(e as Error).message}`,
    });
  }
  loop.start();
  return {
    backend,
    loop,
    api,
    adopted,
    tokenSource: source,
    async stop(opts = {}) {
      await loop.close();
      await api.close();
      if (opts.stopTasks) await backend.supervisor.stopEverything();
      await backend.close();
    },
  };
}

/**
 * cluster_backends[CLUSTER].executor: `process` (default) or `docker`. The engine is reached before anything
 * starts, so an unreachable one is a clear error (PAASTA_ENGINE_UNREACHABLE) rather than failing tasks.
 */
async function executorFactory(kind: "process" | "docker", env: NodeJS.ProcessEnv): Promise<(dir: string) => Executor> {
  if (kind !== "docker") return (dir) => new ProcessExecutor(dir);
  const { connectEngine } = await import("../../image/engine.js");
  const { DockerExecutor } = await import("./executors/docker.js");
  const engine = await connectEngine(env);
  return () => new DockerExecutor(engine, env);
}

/** Files the `file` log writer may have written deploy events of `service` to. */
function deployLogFiles(paths: LogWriterPaths | undefined, soaDir: string, service: string, cluster: string): string[] {
  if (!paths) return [];
  let instances: string[] = [];
  try {
    instances = listInstances(readServiceDir(soaDir, service), [cluster]).map((i) => i.instance);
  } catch {
    instances = [];
  }
  const out = new Set<string>();
  for (const c of [cluster, "N/A"])
    for (const i of ["N/A", ...instances])
      out.add(paths({ service, component: "deploy", level: "event", cluster: c, instance: i }));
  return [...out].filter((p) => existsSync(p));
}
