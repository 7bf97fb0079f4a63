/** `paasta status`: what runs, per cluster and instance, through each cluster's API. */
import type { Command } from "commander";
import type { ApiClient } from "../../api/client.js";
import type { InstanceStatus, VersionStatus } from "../../backends/backend.js";
import { PaastaError } from "../../errors.js";
import type { ActiveAlert } from "../../model/alerts.js";
import type { AutoscalerStatus } from "../../model/autoscaling.js";
import {
  commaList,
  examples,
  jsonOption,
  printJson,
  requireSystemConfig,
  resolveSoaDir,
  type SoaDirOptions,
  soaDirOptions,
} from "../common.js";
import { type Io, marks } from "../io.js";
import type { Runner } from "../registry.js";
import { clientsFor, longRunningTargets } from "../targets.js";
import { alertLines } from "./alerts.js";
import { autoscalerLines } from "./autoscale.js";

interface StatusOptions extends SoaDirOptions {
  service: string;
  clusters?: string;
  instances?: string;
  deployGroup?: string;
  verbose?: number;
  json?: boolean;
}

export function register(program: Command, io: Io, run: Runner): void {
  const cmd = program
    .command("status")
    .description("Show versions, tasks, health and bounce progress of a service's instances on each cluster")
    .requiredOption("-s, --service <service>", "the service")
    .option("-c, --clusters <clusters>", "comma-separated clusters (default: every cluster the service runs on)")
    .option("-i, --instances <instances>", "comma-separated instances")
    .option("-l, --deploy-group <group>", "only instances of this deploy group")
    .option("-v, --verbose", "show tasks (-vv: also pids and exit codes)", (_v: string, n: number) => n + 1, 0);
  jsonOption(soaDirOptions(cmd))
    .addHelpText(
      "after",
      examples("paasta status -s hello", "paasta status -s hello -c dev -i main -vv", "paasta status -s hello --json"),
    )
    .action((opts: StatusOptions) => run(runStatus(opts, io)));
}

export async function runStatus(opts: StatusOptions, io: Io): Promise<number> {
  const system = await requireSystemConfig(io);
  const soaDir = await resolveSoaDir(opts, io);
  const targets = await longRunningTargets(soaDir, system, opts.service, {
    clusters: commaList(opts.clusters),
    instances: commaList(opts.instances),
    deployGroup: opts.deployGroup,
  });
  if (targets.length === 0) {
    throw new PaastaError("PAASTA_NO_INSTANCES_MATCH", {
      service: opts.service,
      filters: "the given filters (long-running instances only)",
    });
  }
  const clients = await clientsFor(system, new Set(targets.map((t) => t.cluster)));
  const results = await Promise.all(
    targets.map(async (t) => {
      const client = clients.get(t.cluster);
      if (!client) return { target: t, error: `no api_endpoints entry for cluster ${t.cluster}` };
      try {
        const r = await client.get<InstanceStatus & { message?: string }>(
          `/v1/services/${opts.service}/${t.instance}/status`,
        );
        if (r.status !== 200) return { target: t, error: r.body?.message ?? `HTTP ${r.status}` };
        return { target: t, status: r.body };
      } catch (e) {
        return { target: t, error: e instanceof PaastaError ? e.message : (e as Error).message };
      }
    }),
  );
  const failed = results.filter((r) => r.error).length;
  const alerts = await activeAlerts(clients, opts.service);
  const scaling = (opts.verbose ?? 0) > 0 ? await autoscalers(clients, opts.service, results) : new Map();
  const alertsOf = (cluster: string, instance: string) =>
    (alerts.get(cluster) ?? []).filter((a) => a.instance === instance);
  if (opts.json) {
    printJson(
      io,
      results.map((r) => ({
        cluster: r.target.cluster,
        instance: r.target.instance,
        ...(r.status ? { status: r.status } : { error: r.error }),
        alerts: alertsOf(r.target.cluster, r.target.instance),
        ...(scaling.has(`${r.target.cluster}/${r.target.instance}`)
          ? { autoscaler: scaling.get(`${r.target.cluster}/${r.target.instance}`) }
          : {}),
      })),
    );
    return failed === 0 ? 0 : 1;
  }
  const m = marks(io);
  let cluster = "";
  for (const r of results) {
    if (r.target.cluster !== cluster) {
      cluster = r.target.cluster;
      io.out(m.bold(`cluster: ${cluster}`));
    }
    io.out(`  ${opts.service}.${r.target.instance}`);
    if (r.error || !r.status) {
      io.out(`    ${m.red(r.error ?? "no status")}`);
      continue;
    }
    printInstance(io, r.status, opts.verbose ?? 0);
    const autoscaler = scaling.get(`${r.target.cluster}/${r.target.instance}`);
    if (autoscaler) for (const line of autoscalerLines(autoscaler, io)) io.out(`    ${line}`);
    for (const a of alertsOf(r.target.cluster, r.target.instance))
      for (const [i, line] of alertLines(a, io).entries()) io.out(`    ${i === 0 ? "Alert: " : ""}${line}`);
  }
  return failed === 0 ? 0 : 1;
}

/** With -v: the autoscaler of each autoscaled instance that answered (`cluster/instance` → status). */
async function autoscalers(
  clients: Map<string, ApiClient>,
  service: string,
  results: ReadonlyArray<{ target: { cluster: string; instance: string }; status?: unknown }>,
): Promise<Map<string, AutoscalerStatus>> {
  const out = new Map<string, AutoscalerStatus>();
  await Promise.all(
    results.map(async ({ target: t, status }) => {
      const client = clients.get(t.cluster);
      if (!status || !client) return;
      try {
        const r = await client.get<AutoscalerStatus>(`/v1/services/${service}/${t.instance}/autoscaler`);
        if (r.status === 200) out.set(`${t.cluster}/${t.instance}`, r.body);
      } catch {
        // not autoscaled, or an API without the route: no table
      }
    }),
  );
  return out;
}

/** Each cluster's active alerts of the service (one API call per cluster; none when the API has no monitor). */
async function activeAlerts(clients: Map<string, ApiClient>, service: string): Promise<Map<string, ActiveAlert[]>> {
  const out = new Map<string, ActiveAlert[]>();
  await Promise.all(
    [...clients].map(async ([cluster, client]) => {
      try {
        const r = await client.get<{ alerts?: ActiveAlert[] }>(`/v1/alerts?service=${encodeURIComponent(service)}`);
        if (r.status === 200 && Array.isArray(r.body.alerts)) out.set(cluster, r.body.alerts);
      } catch {
        // the status lines already say when a cluster's API is unreachable
      }
    }),
  );
  return out;
}

function printInstance(io: Io, s: InstanceStatus, verbose: number): void {
  const m = marks(io);
  const colour = s.deploy_status === "Running" ? m.green : s.deploy_status === "Stopped" ? m.dim : m.yellow;
  io.out(
    `    State: ${colour(s.deploy_status)} - Desired state: ${s.desired_state}, ${s.desired_instances} instance(s), ${s.bounce_method}`,
  );
  if (s.deploy_status_message) io.out(`    ${m.yellow(s.deploy_status_message)}`);
  for (const v of s.versions) {
    io.out(
      `    ${v.desired ? "Version" : "Old version"}: ${v.git_sha.slice(0, 8)}${v.image_version ? `+${v.image_version}` : ""} (${v.config_hash}) - ${readyText(v, m)}`,
    );
    if (verbose > 0) for (const line of taskLines(v, verbose)) io.out(`      ${line}`);
  }
}

function readyText(v: VersionStatus, m: ReturnType<typeof marks>): string {
  const text = `${v.ready_replicas}/${v.replicas} healthy`;
  return v.ready_replicas === v.replicas ? m.green(text) : m.yellow(text);
}

function taskLines(v: VersionStatus, verbose: number): string[] {
  const now = Date.now();
  return v.tasks.map((t) => {
    const up = t.started_at ? humanDuration(now - Date.parse(t.started_at)) : "-";
    const extra = verbose > 1 ? ` pid ${t.pid ?? "-"} last exit ${t.last_exit_code ?? "-"}` : "";
    return `${t.id}  ${t.host}:${t.port ?? "-"}  ${t.state}  up ${up}  restarts ${t.restarts}${extra}${t.reason ? `  ${t.reason}` : ""}`;
  });
}

export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d${Math.floor((s % 86400) / 3600)}h`;
}
