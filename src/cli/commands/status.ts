/** `paasta status`: what runs, per cluster and instance, through each cluster's API. */
import type { Command } from "commander";
import type { ApiClient } from "../../api/client.js";
import type { InstanceStatus, VersionStatus } from "../../backends/backend.js";
import { PaastaError } from "../../errors.js";
import type { JobDetailWire } from "../../model/jobs/wire.js";
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
import { jobTargets, printJob } from "../job-status.js";
import type { Runner } from "../registry.js";
import { clientsFor, longRunningTargets } from "../targets.js";

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
    .description(
      "Show versions, tasks, health and bounce progress of a service's instances, and its jobs' runs, on each cluster",
    )
    .requiredOption("-s, --service <service>", "the service")
    .option("-c, --clusters <clusters>", "comma-separated clusters (default: every cluster the service runs on)")
    .option("-i, --instances <instances>", "comma-separated instances (or Tron job names)")
    .option("-l, --deploy-group <group>", "only instances of this deploy group")
    .option("-v, --verbose", "show tasks (-vv: also pids and exit codes)", (_v: string, n: number) => n + 1, 0);
  jsonOption(soaDirOptions(cmd))
    .addHelpText(
      "after",
      examples(
        "paasta status -s hello",
        "paasta status -s hello -c dev -i main -vv",
        "paasta status -s reports -i nightly",
        "paasta status -s hello --json",
      ),
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
  const jobs = opts.deployGroup
    ? []
    : await jobTargets(soaDir, system.clusters(), opts.service, {
        clusters: commaList(opts.clusters),
        instances: commaList(opts.instances),
      });
  if (targets.length === 0 && jobs.length === 0) {
    throw new PaastaError("PAASTA_NO_INSTANCES_MATCH", {
      service: opts.service,
      filters: "the given filters (long-running instances and jobs)",
    });
  }
  const clients = await clientsFor(system, new Set([...targets, ...jobs].map((t) => t.cluster)));
  const jobResults = await Promise.all(jobs.map((j) => fetchJob(clients.get(j.cluster), opts.service, j)));
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
  const failed = results.filter((r) => r.error).length + jobResults.filter((r) => r.error).length;
  if (opts.json) {
    printJson(io, [
      ...results.map((r) => ({
        cluster: r.target.cluster,
        instance: r.target.instance,
        ...(r.status ? { status: r.status } : { error: r.error }),
      })),
      ...jobResults.map((r) => ({
        cluster: r.cluster,
        job: r.job,
        ...(r.job_status ? { job_status: r.job_status } : { error: r.error }),
      })),
    ]);
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
  }
  for (const r of jobResults) {
    if (r.cluster !== cluster) {
      cluster = r.cluster;
      io.out(m.bold(`cluster: ${cluster}`));
    }
    io.out(`  ${opts.service}.${r.job} (job)`);
    if (r.job_status) printJob(io, r.job_status, opts.verbose ?? 0);
    else io.out(`    ${m.red(r.error ?? "no status")}`);
  }
  return failed === 0 ? 0 : 1;
}

async function fetchJob(
  client: ApiClient | undefined,
  service: string,
  t: { cluster: string; job: string },
): Promise<{ cluster: string; job: string; job_status?: JobDetailWire; error?: string }> {
  if (!client) return { ...t, error: `no api_endpoints entry for cluster ${t.cluster}` };
  try {
    const r = await client.get<JobDetailWire & { message?: string }>(`/v1/jobs/${service}/${t.job}`);
    if (r.status !== 200) return { ...t, error: r.body?.message ?? `HTTP ${r.status}` };
    return { ...t, job_status: r.body };
  } catch (e) {
    return { ...t, error: (e as Error).message };
  }
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
