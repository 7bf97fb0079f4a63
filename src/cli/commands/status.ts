/** `paasta status`: what runs, per cluster and instance, through each cluster's API. */
import type { Command } from "commander";
import type { InstanceStatus } from "../../backends/backend.js";
import { isPaastaError, PaastaError } from "../../errors.js";
import { examples, jsonOption, printJson, requireSystemConfig, resolveSoaDir, soaDirOptions } from "../common.js";
import {
  describeFilters,
  type InstanceFilterOptions,
  instanceFilterOptions,
  matchesOwnerAndRegistration,
  resolveFilters,
} from "../filters.js";
import { type Io, marks } from "../io.js";
import type { Runner } from "../registry.js";
import { instanceLines } from "../status-view.js";
import { clientsFor, longRunningTargets } from "../targets.js";

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
      .description("Show versions, tasks, health and bounce progress of a service's instances on each cluster"),
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
        "cd soa-configs/hello && paasta status -c dev -vv",
        "paasta status -s hello -o platform --json",
      ),
    )
    .action((positional: string | undefined, opts: StatusOptions) => run(runStatus(opts, io, positional)));
}

interface Result {
  target: { cluster: string; instance: string };
  status?: InstanceStatus;
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
  if (targets.length === 0) {
    throw new PaastaError("PAASTA_NO_INSTANCES_MATCH", {
      service: f.service,
      filters: `${describeFilters(f)} (long-running instances only)`,
    });
  }
  const clients = await clientsFor(system, new Set(targets.map((t) => t.cluster)));
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
        return { target: t, status: r.body };
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
  const code = Math.max(0, ...results.map((r) => (r.error ? (isPaastaError(r.error) ? r.error.exitCode : 1) : 0)));
  if (opts.json) {
    printJson(
      io,
      results.map((r) => ({
        cluster: r.target.cluster,
        instance: r.target.instance,
        ...(r.status ? { status: r.status } : { error: errorJson(r.error) }),
      })),
    );
    return code;
  }
  printResults(io, f.service, results, opts.verbose ?? 0);
  return code;
}

function errorJson(e: Error | undefined): { code: string; message: string; fix?: string } {
  if (isPaastaError(e)) return e.toJSON();
  return { code: "PAASTA_INTERNAL", message: e?.message ?? "no status" };
}

function printResults(io: Io, service: string, results: readonly Result[], verbose: number): void {
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
    for (const line of instanceLines(r.status, m, verbose)) io.out(`    ${line}`);
  }
  for (const fix of fixes) io.err(`  how to fix: ${fix}`);
}
