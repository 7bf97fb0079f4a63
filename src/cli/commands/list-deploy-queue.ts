/** `paasta list-deploy-queue`: what a cluster's reconcile loop still has to do (GET /v1/deploy_queue). */
import type { Command } from "commander";
import { PaastaError } from "../../errors.js";
import type { DeployQueue, QueueEntry } from "../../reconcile/queue.js";
import { examples, printJson, requireSystemConfig, type SoaDirOptions, soaDirOptions } from "../common.js";
import { checkClusters } from "../filters.js";
import { type Io, marks } from "../io.js";
import type { Runner } from "../registry.js";
import { clientsFor } from "../targets.js";

interface QueueOptions extends SoaDirOptions {
  cluster?: string;
  json?: boolean;
}

export function register(program: Command, io: Io, run: Runner): void {
  const cmd = program
    .command("list-deploy-queue")
    .description("Show what a cluster's reconcile loop still has to deploy (deferred, retrying, refused, frozen)")
    .option("-c, --cluster <cluster>", "the cluster (default: the system config's cluster)")
    .option("--json", "print the API's answer as JSON");
  soaDirOptions(cmd)
    .addHelpText(
      "after",
      `${examples("paasta list-deploy-queue -c dev", "paasta list-deploy-queue -c dev --json")}
Available: the next pass takes them (write budget spent, or a failure that may pass). Unavailable: they wait
for their config to change (refused by the cluster, or the service's config has problems).
`,
    )
    .action((opts: QueueOptions) => run(runListDeployQueue(opts, io)));
}

export function formatQueue(q: DeployQueue, m: ReturnType<typeof marks>): string[] {
  const table = (entries: readonly QueueEntry[]) =>
    entries.length === 0
      ? [`    ${m.dim("Empty")}`]
      : entries.map((e) => `    ${`${e.service}.${e.instance}`.padEnd(32)} ${e.action.padEnd(14)} ${e.reason}`);
  return [
    `Deploy Queue for Cluster ${q.cluster}${q.last_pass_at ? ` (last pass ${q.last_pass_at}${q.pass_pending ? ", another pending" : ""})` : " (no pass yet)"}`,
    "  Available Service Instances:",
    ...table(q.available_service_instances),
    "  Unavailable Service Instances:",
    ...table(q.unavailable_service_instances),
  ];
}

export async function runListDeployQueue(opts: QueueOptions, io: Io): Promise<number> {
  const system = await requireSystemConfig(io);
  const cluster = opts.cluster ?? system.cluster();
  checkClusters(system, [cluster]);
  const client = (await clientsFor(system, [cluster])).get(cluster);
  if (!client)
    throw new PaastaError("PAASTA_SYSTEM_CONFIG_KEY_MISSING", { key: `api_endpoints.${cluster}`, dir: system.dir });
  const r = await client.get<DeployQueue & { code?: string; message?: string; fix?: string }>("/v1/deploy_queue");
  if (r.status === 501)
    throw new PaastaError("PAASTA_API_NOT_HERE", { what: "the deploy queue", detail: r.body.message ?? "" });
  if (r.status !== 200)
    throw new PaastaError("PAASTA_API_ERROR", { cluster, status: r.status, detail: r.body?.message ?? "" });
  if (opts.json) printJson(io, r.body);
  else for (const line of formatQueue(r.body, marks(io))) io.out(line);
  return 0;
}
