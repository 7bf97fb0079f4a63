/** `paasta alerts`: the active alerts of each cluster (or one service's), since when and where they were sent. */
import type { Command } from "commander";
import { PaastaError } from "../../errors.js";
import type { ActiveAlert } from "../../model/alerts.js";
import { commaList, examples, jsonOption, printJson, requireSystemConfig } from "../common.js";
import { type Io, marks } from "../io.js";
import type { Runner } from "../registry.js";
import { clientsFor } from "../targets.js";
import { humanDuration } from "./status.js";

interface AlertsOptions {
  service?: string;
  clusters?: string;
  instance?: string;
  json?: boolean;
}

export function register(program: Command, io: Io, run: Runner): void {
  const cmd = program
    .command("alerts")
    .description("Show active alerts (failing checks) per cluster: team, since when, where they were sent")
    .option("-s, --service <service>", "only this service's alerts")
    .option("-i, --instance <instance>", "only this instance's alerts (with -s)")
    .option("-c, --clusters <clusters>", "comma-separated clusters (default: every cluster of the system config)");
  jsonOption(cmd)
    .addHelpText(
      "after",
      `${examples("paasta alerts", "paasta alerts -s hello -c prod", "paasta alerts --json")}
Exit code 0 when no alert is firing, 2 when at least one is, 1 when a cluster's API could not be read.
`,
    )
    .action((opts: AlertsOptions) => run(runAlerts(opts, io)));
}

type ClusterAlerts = { cluster: string; alerts?: ActiveAlert[]; error?: string };

export async function readAlerts(io: Io, clusters: string[] | undefined, service?: string, instance?: string) {
  const system = await requireSystemConfig(io);
  const wanted = clusters ?? system.clusters();
  if (wanted.length === 0) throw new PaastaError("PAASTA_CLUSTER_UNKNOWN", { cluster: "(none given)", known: "none" });
  const clients = await clientsFor(system, wanted);
  const q = new URLSearchParams();
  if (service) q.set("service", service);
  if (instance) q.set("instance", instance);
  return Promise.all(
    wanted.map(async (cluster): Promise<ClusterAlerts> => {
      const client = clients.get(cluster);
      if (!client) return { cluster, error: `no api_endpoints entry for cluster ${cluster}` };
      try {
        const r = await client.get<{ alerts: ActiveAlert[]; message?: string }>(`/v1/alerts?${q}`);
        if (r.status !== 200) return { cluster, error: r.body?.message ?? `HTTP ${r.status}` };
        return { cluster, alerts: r.body.alerts };
      } catch (e) {
        return { cluster, error: (e as Error).message };
      }
    }),
  );
}

export async function runAlerts(opts: AlertsOptions, io: Io): Promise<number> {
  const results = await readAlerts(io, commaList(opts.clusters), opts.service, opts.instance);
  const failed = results.some((r) => r.error);
  const firing = results.some((r) => r.alerts?.some((a) => a.state === "firing"));
  if (opts.json) {
    printJson(io, results);
  } else {
    const m = marks(io);
    for (const r of results) {
      io.out(m.bold(`cluster: ${r.cluster}`));
      if (r.error) io.out(`  ${m.red(r.error)}`);
      else if (r.alerts?.length === 0) io.out(`  ${m.green("no active alerts")}`);
      for (const a of r.alerts ?? []) for (const line of alertLines(a, io)) io.out(`  ${line}`);
    }
  }
  return failed ? 1 : firing ? 2 : 0;
}

/** Lines of one alert, shared with `paasta status`. */
export function alertLines(a: ActiveAlert, io: Io, now = Date.now()): string[] {
  const m = marks(io);
  const colour = a.severity === "critical" ? m.red : m.yellow;
  const state = a.state === "pending" ? m.dim("pending (alert_after not reached)") : colour(a.severity.toUpperCase());
  const age = humanDuration(now - Date.parse(a.since));
  const lines = [`${state} ${a.check} - team ${a.team}${a.page ? " (pages)" : ""}, failing for ${age}`];
  for (const l of a.output.split("\n")) lines.push(`    ${l}`);
  if (a.state === "firing")
    lines.push(`    sent to: ${a.sent_to.length > 0 ? a.sent_to.join(", ") : m.yellow("not yet delivered")}`);
  lines.push(`    runbook: ${a.runbook}${a.tip ? `; tip: ${a.tip}` : ""}`);
  return lines;
}
