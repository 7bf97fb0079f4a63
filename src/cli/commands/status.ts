/** `paasta status`: what runs, per cluster and instance, through each cluster's API. */
import type { Command } from "commander";
import type { ApiClient } from "../../api/client.js";
import type { InstanceStatus } from "../../backends/backend.js";
import { isPaastaError, PaastaError } from "../../errors.js";
import type { ActiveAlert } from "../../model/alerts.js";
import type { AutoscalerStatus } from "../../model/autoscaling.js";
import type { MeshStatus } from "../../model/mesh.js";
import { examples, jsonOption, printJson, requireSystemConfig, resolveSoaDir, soaDirOptions } from "../common.js";
import {
  describeFilters,
  type InstanceFilterOptions,
  instanceFilterOptions,
  matchesOwnerAndRegistration,
  resolveFilters,
} from "../filters.js";
import { type Io, marks } from "../io.js";
import { fetchJob, jobTargets, printJobs } from "../job-status.js";
import { membershipByTask, meshSummary } from "../mesh-lines.js";
import type { Runner } from "../registry.js";
import { instanceLines } from "../status-view.js";
import { clientsFor, longRunningTargets, reportedTargets } from "../targets.js";
import { alertLines } from "./alerts.js";
import { autoscalerLines } from "./autoscale.js";

export { humanDuration } from "../time-words.js";

interface StatusOptions extends InstanceFilterOptions {
  verbose?: number;
  json?: boolean;
  allNamespaces?: boolean;
  new?: boolean;
  old?: boolean;
}

export function register(program: Command, io: Io, run: Runner): void {
  const cmd = instanceFilterOptions(
    program
      .command("status")
      .description(
        "Show versions, tasks, health and bounce progress of a service's instances, and its jobs' runs, on each cluster",
      ),
    "inspect",
  )
    .option("-v, --verbose", "list the tasks with absolute times (-vv: also pids)", (_v: string, n: number) => n + 1, 0)
    .option("-A, --all-namespaces", "look for running versions in every namespace (this platform always does)")
    .option("--new", "PaaSTA's newer status format (the only format here)")
    .option("--old", "PaaSTA's older status format (accepted; the same output here)");
  jsonOption(soaDirOptions(cmd))
    .addHelpText(
      "after",
      examples(
        "paasta status -s hello",
        "paasta status hello.main,canary -v",
        "paasta status -s reports -i nightly",
        "cd soa-configs/hello && paasta status -c dev -vv",
        "paasta status -s hello -o platform --json",
      ),
    )
    .action((positional: string | undefined, opts: StatusOptions) => run(runStatus(opts, io, positional)));
}

interface Result {
  target: { cluster: string; instance: string };
  status?: InstanceStatus;
  /** The instance's mesh namespaces, where the cluster has a mesh data plane. */
  mesh?: MeshStatus;
  error?: PaastaError | Error;
}

export async function runStatus(opts: StatusOptions, io: Io, positional?: string): Promise<number> {
  if (opts.new && opts.old)
    throw new PaastaError("PAASTA_CLI_USAGE", {
      detail: "--new and --old exclude each other",
      command: "paasta status",
    });
  const system = await requireSystemConfig(io);
  const soaDir = await resolveSoaDir(opts, io);
  const f = resolveFilters(opts, positional, io, soaDir, system);
  const targets = (
    await longRunningTargets(soaDir, system, f.service, {
      clusters: f.clusters,
      instances: f.instances,
      deployGroup: f.deployGroup,
    })
  ).filter((t) => matchesOwnerAndRegistration(t, f));
  // A service whose config is broken is left running (frozen): what its clusters still run stays visible.
  if (!f.deployGroup && !f.owner && !f.registration)
    targets.push(
      ...(await reportedTargets(soaDir, system, f.service, targets, { clusters: f.clusters, instances: f.instances })),
    );
  // Tron jobs are shown too (`-i` may name them); a deploy-group filter is about long-running instances.
  const jobs = f.deployGroup
    ? []
    : await jobTargets(soaDir, system.clusters(), f.service, { clusters: f.clusters, instances: f.instances });
  if (targets.length === 0 && jobs.length === 0) {
    throw new PaastaError("PAASTA_NO_INSTANCES_MATCH", {
      service: f.service,
      filters: `${describeFilters(f)} (long-running instances and jobs)`,
    });
  }
  const clients = await clientsFor(system, new Set([...targets, ...jobs].map((t) => t.cluster)));
  const jobResults = await Promise.all(jobs.map((j) => fetchJob(clients.get(j.cluster), f.service, j)));
  const query = `?verbose=${opts.verbose ?? 0}${opts.allNamespaces ? "&all_namespaces=true" : ""}`;
  const results: Result[] = await Promise.all(
    targets.map(async (t): Promise<Result> => {
      const client = clients.get(t.cluster);
      if (!client)
        return {
          target: t,
          error: new PaastaError("PAASTA_SYSTEM_CONFIG_KEY_MISSING", {
            key: `api_endpoints.${t.cluster}`,
            dir: system.dir,
          }),
        };
      try {
        const r = await client.get<InstanceStatus & { message?: string }>(
          `/v1/services/${f.service}/${t.instance}/status${query}`,
        );
        if (r.status !== 200)
          return {
            target: t,
            error: new PaastaError("PAASTA_API_ERROR", {
              cluster: t.cluster,
              status: r.status,
              detail: r.body?.message ?? "",
            }),
          };
        const mesh = await client
          .get<MeshStatus>(`/v1/services/${f.service}/${t.instance}/mesh_status`)
          .then((x) => (x.status === 200 ? x.body : undefined))
          .catch(() => undefined);
        return { target: t, status: r.body, mesh };
      } catch (e) {
        const error = isPaastaError(e)
          ? e
          : new PaastaError("PAASTA_API_CONNECTION_LOST", {
              cluster: t.cluster,
              url: client.url,
              detail: (e as Error).message,
            });
        return { target: t, error };
      }
    }),
  );
  const code = Math.max(
    0,
    ...results.map((r) => (r.error ? (isPaastaError(r.error) ? r.error.exitCode : 1) : 0)),
    ...jobResults.map((r) => (r.error ? 1 : 0)),
  );
  const alerts = await activeAlerts(clients, f.service);
  const alertsOf = (cluster: string, instance: string) =>
    (alerts.get(cluster) ?? []).filter((a) => a.instance === instance);
  const scaling = (opts.verbose ?? 0) > 0 ? await autoscalers(clients, f.service, results) : new Map();
  const scalerOf = (cluster: string, instance: string) => scaling.get(`${cluster}/${instance}`);
  if (opts.json) {
    printJson(io, [
      ...results.map((r) => ({
        cluster: r.target.cluster,
        instance: r.target.instance,
        ...(r.status ? { status: r.status } : { error: errorJson(r.error) }),
        alerts: alertsOf(r.target.cluster, r.target.instance),
        ...(scalerOf(r.target.cluster, r.target.instance)
          ? { autoscaler: scalerOf(r.target.cluster, r.target.instance) }
          : {}),
      })),
      ...jobResults.map((r) => ({
        cluster: r.cluster,
        job: r.job,
        ...(r.job_status ? { job_status: r.job_status } : { error: { code: "PAASTA_API_ERROR", message: r.error } }),
        alerts: alertsOf(r.cluster, r.job),
      })),
    ]);
    return code;
  }
  printResults(io, f.service, results, opts.verbose ?? 0, alertsOf, scalerOf);
  printJobs(io, f.service, jobResults, opts.verbose ?? 0);
  return code;
}

function errorJson(e: Error | undefined): { code: string; message: string; fix?: string } {
  if (isPaastaError(e)) return e.toJSON();
  return { code: "PAASTA_INTERNAL", message: e?.message ?? "no status" };
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

function printResults(
  io: Io,
  service: string,
  results: readonly Result[],
  verbose: number,
  alertsOf: (cluster: string, instance: string) => ActiveAlert[],
  scalerOf: (cluster: string, instance: string) => AutoscalerStatus | undefined,
): void {
  const m = marks(io);
  let cluster = "";
  const fixes = new Set<string>();
  for (const r of results) {
    if (r.target.cluster !== cluster) {
      cluster = r.target.cluster;
      io.out(m.bold(`cluster: ${cluster}`));
    }
    io.out(`  ${service}.${r.target.instance}`);
    if (!r.status) {
      const e = r.error;
      io.out(`    ${m.red(e?.message ?? "no status")}${isPaastaError(e) ? ` [${e.code}]` : ""}`);
      if (isPaastaError(e)) fixes.add(e.fix);
      continue;
    }
    const membership = membershipByTask(r.mesh);
    const note = (task: string) => (membership.has(task) ? `mesh: ${membership.get(task)}` : undefined);
    for (const line of instanceLines(r.status, m, verbose, Date.now(), note)) io.out(`    ${line}`);
    const meshLine = meshSummary(io, r.mesh);
    if (meshLine) io.out(`    ${meshLine}`);
    const autoscaler = scalerOf(r.target.cluster, r.target.instance);
    if (autoscaler) for (const line of autoscalerLines(autoscaler, io)) io.out(`    ${line}`);
    for (const a of alertsOf(r.target.cluster, r.target.instance))
      for (const [i, line] of alertLines(a, io).entries()) io.out(`    ${i === 0 ? "Alert: " : ""}${line}`);
  }
  for (const fix of fixes) io.err(`  how to fix: ${fix}`);
}
