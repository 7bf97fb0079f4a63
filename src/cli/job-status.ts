/** How a job and its runs print (`paasta status -s S -i JOB`, `paasta tronctl`). */
import type { ApiClient } from "../api/client.js";
import type { ActionRunWire, JobDetailWire, RunWire } from "../model/jobs/wire.js";
import { type Io, marks } from "./io.js";

type Marks = ReturnType<typeof marks>;

function stateColour(m: Marks, state: string): (s: string) => string {
  if (state === "succeeded") return m.green;
  if (state === "failed") return m.red;
  if (state === "running") return m.cyan;
  if (state === "skipped" || state === "cancelled") return m.dim;
  return m.yellow;
}

const when = (iso: string | null) => (iso ? iso.replace("T", " ").replace(/\.\d+Z$/, "Z") : "-");
const secs = (s: number | null) => (s === null ? "" : `${s}s`);

function actionLine(m: Marks, a: ActionRunWire): string {
  const parts = [
    `${a.name}${a.cleanup ? " (cleanup)" : ""}`.padEnd(16),
    stateColour(m, a.state)(a.state.padEnd(9)),
    secs(a.duration_s).padStart(7),
    a.exit_code === null ? "" : `exit ${a.exit_code}`,
    a.attempts > 1 || a.retries > 0 ? `attempt ${a.attempts}/${a.retries + 1}` : "",
    a.why && a.state !== "succeeded" ? m.dim(a.why) : "",
  ];
  return parts.filter(Boolean).join("  ");
}

export function runLines(m: Marks, r: RunWire, withActions: boolean): string[] {
  const head = [
    String(r.run).padStart(4),
    stateColour(m, r.state)(r.state.padEnd(9)),
    `${r.manual ? "started" : "scheduled"} ${when(r.scheduled_at)}`,
    r.duration_s === null ? "" : `took ${secs(r.duration_s)}`,
    r.why ? m.dim(r.why) : "",
  ]
    .filter(Boolean)
    .join("  ");
  return withActions ? [head, ...r.actions.map((a) => `       ${actionLine(m, a)}`)] : [head];
}

export function printJob(io: Io, j: JobDetailWire, verbose: number): void {
  const m = marks(io);
  const state = j.enabled
    ? m.green("enabled")
    : m.yellow(`disabled${j.control && !j.control.enabled ? ` since ${when(j.control.since)}` : ""}`);
  io.out(`    Schedule: ${j.schedule?.words ?? "-"} - ${state}`);
  if (j.config_error) io.out(`    ${m.red(`Config problem (the last good definition runs): ${j.config_error}`)}`);
  io.out(`    Next runs: ${j.next_runs.length > 0 ? j.next_runs.map(when).join(", ") : "-"}`);
  const shown = j.runs.slice(0, verbose > 0 ? 10 : 3);
  io.out(`    Runs${j.runs.length > shown.length ? ` (last ${shown.length} of ${j.runs.length})` : ""}:`);
  if (shown.length === 0) io.out("      none yet");
  for (const r of shown) for (const line of runLines(m, r, true)) io.out(`    ${line}`);
}

/** The jobs of a service on each cluster (tron-CLUSTER.yaml), filtered by -c and -i. */
export async function jobTargets(
  soaDir: string,
  known: readonly string[],
  service: string,
  filters: { clusters?: readonly string[]; instances?: readonly string[] },
): Promise<Array<{ cluster: string; job: string }>> {
  const { readServiceDir, serviceClusters } = await import("../config/soa.js");
  const { instanceNames } = await import("../config/resolve/index.js");
  const svc = readServiceDir(soaDir, service);
  const out: Array<{ cluster: string; job: string }> = [];
  for (const cluster of serviceClusters(svc)) {
    if (filters.clusters?.length && !filters.clusters.includes(cluster)) continue;
    if (known.length > 0 && !known.includes(cluster)) continue;
    for (const job of instanceNames(svc, "tron", cluster)) {
      if (filters.instances?.length && !filters.instances.includes(job)) continue;
      out.push({ cluster, job });
    }
  }
  return out;
}

export interface JobResult {
  readonly cluster: string;
  readonly job: string;
  readonly job_status?: JobDetailWire;
  readonly error?: string;
}

export async function fetchJob(
  client: ApiClient | undefined,
  service: string,
  t: { cluster: string; job: string },
): Promise<JobResult> {
  if (!client) return { ...t, error: `no api_endpoints entry for cluster ${t.cluster}` };
  try {
    const r = await client.get<JobDetailWire & { message?: string }>(`/v1/jobs/${service}/${t.job}`);
    if (r.status !== 200) return { ...t, error: r.body?.message ?? `HTTP ${r.status}` };
    return { ...t, job_status: r.body };
  } catch (e) {
    return { ...t, error: (e as Error).message };
  }
}

export function printJobs(io: Io, service: string, results: readonly JobResult[], verbose: number): void {
  const m = marks(io);
  let cluster = "";
  for (const r of results) {
    if (r.cluster !== cluster) {
      cluster = r.cluster;
      io.out(m.bold(`cluster: ${cluster}`));
    }
    io.out(`  ${service}.${r.job} (job)`);
    if (r.job_status) printJob(io, r.job_status, verbose);
    else io.out(`    ${m.red(r.error ?? "no status")}`);
  }
}
