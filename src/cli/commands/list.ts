/** `paasta list` and `paasta list-clusters`: what the soa-configs tree declares. */
import type { Command } from "commander";
import { examples, jsonOption, printJson, resolveSoaDir, type SoaDirOptions, soaDirOptions } from "../common.js";
import type { Io } from "../io.js";
import type { Runner } from "../registry.js";

interface ListOptions extends SoaDirOptions {
  all?: boolean;
  printInstances?: boolean;
  json?: boolean;
}

export function register(program: Command, io: Io, run: Runner): void {
  const list = program
    .command("list")
    .description("List the PaaSTA services of the soa-configs tree (services with at least one instance)")
    .option("-a, --all", "list every service directory, even without instances")
    .option("-i, --print-instances", "print service.instance lines (Tron actions as service.job.action)");
  jsonOption(soaDirOptions(list))
    .addHelpText(
      "after",
      examples(
        "paasta list -d ./soa-configs",
        "paasta list -i -d ./soa-configs",
        "paasta list --json -d ./soa-configs",
      ),
    )
    .action((opts: ListOptions) => run(runList(opts, io)));

  const clusters = program
    .command("list-clusters")
    .description("List the clusters that any service of the soa-configs tree is configured for");
  jsonOption(soaDirOptions(clusters))
    .addHelpText("after", examples("paasta list-clusters -d ./soa-configs"))
    .action((opts: ListOptions) => run(runListClusters(opts, io)));
}

async function loadAll(opts: SoaDirOptions, io: Io) {
  const { listServiceNames, readServiceDir } = await import("../../config/soa.js");
  const soaDir = await resolveSoaDir(opts, io);
  return listServiceNames(soaDir).map((name) => readServiceDir(soaDir, name));
}

export async function runList(opts: ListOptions, io: Io): Promise<number> {
  const { listInstances } = await import("../../config/instances.js");
  const services = await loadAll(opts, io);
  let lines: string[];
  if (opts.printInstances) {
    lines = [...new Set(services.flatMap((svc) => listInstances(svc).map((i) => `${i.service}.${i.instance}`)))].sort();
  } else {
    lines = services.filter((svc) => opts.all || listInstances(svc).length > 0).map((svc) => svc.name);
  }
  if (opts.json) printJson(io, opts.printInstances ? { instances: lines } : { services: lines });
  else for (const l of lines) io.out(l);
  return 0;
}

export async function runListClusters(opts: ListOptions, io: Io): Promise<number> {
  const { serviceClusters } = await import("../../config/soa.js");
  const services = await loadAll(opts, io);
  const clusters = [...new Set(services.flatMap((svc) => serviceClusters(svc)))].sort();
  if (opts.json) printJson(io, { clusters });
  else for (const c of clusters) io.out(c);
  return 0;
}
