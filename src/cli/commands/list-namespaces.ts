/** `paasta list-namespaces`: the Kubernetes namespaces a service's instances use (for IAM roles, as in PaaSTA). */
import type { Command } from "commander";
import {
  aliasOption,
  commaList,
  examples,
  jsonOption,
  printJson,
  resolveSoaDir,
  type SoaDirOptions,
} from "../common.js";
import type { Io } from "../io.js";
import type { Runner } from "../registry.js";

interface NamespacesOptions extends SoaDirOptions {
  service: string;
  instance?: string;
  cluster?: string;
  json?: boolean;
}

/** Spark executors of Tron actions run in this namespace besides their action's (PaaSTA's SPARK_EXECUTOR_NAMESPACE). */
const SPARK_EXECUTOR_NAMESPACE = "paasta-spark";

export function register(program: Command, io: Io, run: Runner): void {
  const cmd = program
    .command("list-namespaces")
    .description("List the Kubernetes namespaces used by a service's instances (kubernetes, eks and Tron; not adhoc)")
    .requiredOption("-s, --service <service>", "the service")
    .option("-i, --instance <instances>", "only these instances (comma-separated; Tron: JOB.ACTION or JOB)")
    .option("-c, --cluster <clusters>", "only these clusters (comma-separated)")
    .option(
      "-y, --soa-dir <dir>",
      "soa-configs directory (also -d; default: $PAASTA_SOA_DIR, then system config soa_dir)",
    );
  aliasOption(cmd, "-d <dir>", "soaDir");
  jsonOption(cmd)
    .addHelpText("after", examples("paasta list-namespaces -s hello", "paasta list-namespaces -s hello -c prod --json"))
    .action((opts: NamespacesOptions) => run(runListNamespaces(opts, io)));
}

export async function runListNamespaces(opts: NamespacesOptions, io: Io): Promise<number> {
  const { readServiceDir, serviceClusters } = await import("../../config/soa.js");
  const { instanceNames, resolveInstance, resolveTronJob } = await import("../../config/resolve/index.js");
  const { DEFAULTS } = await import("../../config/resolve/defaults.js");
  const { optionalSystemConfig } = await import("../common.js");
  const soaDir = await resolveSoaDir(opts, io);
  const system = await optionalSystemConfig(io);
  const svc = readServiceDir(soaDir, opts.service);
  const clusters = commaList(opts.cluster);
  const instances = commaList(opts.instance);
  const wanted = (name: string) => !instances?.length || instances.includes(name);
  const namespaces = new Set<string>();
  for (const cluster of serviceClusters(svc)) {
    if (clusters?.length && !clusters.includes(cluster)) continue;
    for (const kind of ["kubernetes", "eks"] as const) {
      for (const instance of instanceNames(svc, kind, cluster).filter(wanted)) {
        const r = resolveInstance(svc, system, cluster, instance, kind, { bestEffort: true });
        const cfg = r.ok ? r.config : r.partial;
        if (cfg) namespaces.add(cfg.namespace);
      }
    }
    for (const job of instanceNames(svc, "tron", cluster)) {
      const r = resolveTronJob(svc, system, cluster, job, { bestEffort: true });
      const cfg = r.ok ? r.config : r.partial;
      for (const a of cfg?.actions ?? []) {
        if (!wanted(job) && !wanted(`${job}.${a.name}`)) continue;
        namespaces.add(DEFAULTS.tron_namespace);
        if (a.executor === "spark") namespaces.add(SPARK_EXECUTOR_NAMESPACE);
      }
    }
  }
  const list = [...namespaces].sort();
  // PaaSTA prints Python's list repr, ready to paste into an iam_roles definition.
  if (opts.json) printJson(io, { namespaces: list });
  else io.out(`[${list.map((n) => `'${n}'`).join(", ")}]`);
  return 0;
}
