/** `paasta fsm`: scaffold a new service's soa-configs (files that validate, with an unused proxy_port). */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import type { Command } from "commander";
import { PaastaError } from "../../errors.js";
import { commaList, examples, jsonOption, optionalSystemConfig, printJson } from "../common.js";
import { type Io, marks } from "../io.js";
import type { Runner } from "../registry.js";

interface FsmOptions {
  service: string;
  yelpsoaConfigRoot?: string;
  soaDir?: string;
  description?: string;
  externalLink?: string;
  team?: string;
  gitUrl?: string;
  clusters?: string;
  json?: boolean;
}

export function register(program: Command, io: Io, run: Runner): void {
  const cmd = program
    .command("fsm")
    .description(
      "Scaffold a new service: service.yaml, kubernetes-CLUSTER.yaml, monitoring.yaml, deploy.yaml, smartstack.yaml",
    )
    .requiredOption("-s, --service <service>", "name of the new service")
    .option("-y, --yelpsoa-config-root <dir>", "soa-configs directory to create it in (default: the current directory)")
    .option("-d, --soa-dir <dir>", "alias of --yelpsoa-config-root")
    .option("--description <text>", "what the service does")
    .option("--external-link <url>", "link to the service's docs")
    .option("--team <team>", "team that owns the service and receives its alerts")
    .option("--git-url <url>", "the service's git repository (any git URL or path)")
    .option("-c, --clusters <clusters>", "comma-separated clusters (default: the system config's clusters, else dev)");
  jsonOption(cmd)
    .addHelpText(
      "after",
      examples("paasta fsm -s my-service --team platform -y ./soa-configs", "paasta fsm -s batch-jobs -c dev,prod"),
    )
    .action((opts: FsmOptions) => run(runFsm(opts, io)));
}

export async function runFsm(opts: FsmOptions, io: Io): Promise<number> {
  const { scaffoldService, pickProxyPort } = await import("../../config/scaffold.js");
  const { proxyPortsOfTree, validateService } = await import("../../config/validate.js");
  const soaDir = resolve(io.cwd, opts.yelpsoaConfigRoot ?? opts.soaDir ?? ".");
  const dir = join(soaDir, opts.service);
  if (existsSync(dir)) throw new PaastaError("PAASTA_SERVICE_EXISTS", { dir });
  const system = await optionalSystemConfig(io);
  const clusters = commaList(opts.clusters) ?? (system?.clusters().length ? system.clusters() : ["dev"]);
  const used = new Set([...proxyPortsOfTree(soaDir).keys(), ...etcServicesPorts()]);
  const proxyPort = pickProxyPort(used);
  if (proxyPort === undefined)
    throw new PaastaError("PAASTA_INTERNAL", { detail: "every proxy port in 19000-21000 is in use" });
  const files = scaffoldService({
    service: opts.service,
    description: opts.description ?? `${opts.service}: describe what it does`,
    externalLink: opts.externalLink ?? "https://example.org/docs",
    team: opts.team ?? "platform",
    gitUrl: opts.gitUrl ?? null,
    clusters,
    proxyPort,
  });
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of files) writeFileSync(join(dir, name), content);
  const report = validateService(soaDir, opts.service, { system, proxyPorts: proxyPortsOfTree(soaDir) });
  if (opts.json) {
    printJson(io, {
      service: opts.service,
      dir,
      files: [...files.keys()],
      proxy_port: proxyPort,
      valid: report.problems.length === 0,
    });
    return report.problems.length === 0 ? 0 : 1;
  }
  const m = marks(io);
  for (const name of files.keys()) io.out(m.ok(`Created ${relative(io.cwd, join(dir, name)) || name}`));
  io.out(
    report.problems.length === 0
      ? m.ok("The new service validates")
      : m.fail(`The new service has ${report.problems.length} problem(s): run paasta validate`),
  );
  io.out(
    `Proxy port: ${proxyPort}. Next: edit the files (cmd, resources), commit them, then mark a SHA for deployment:`,
  );
  io.out(`  paasta mark-for-deployment -s ${opts.service} -c SHA -l ${clusters[0]}.everything`);
  return report.problems.length === 0 ? 0 : 1;
}

/** Ports named in /etc/services, which PaaSTA also avoids. */
function etcServicesPorts(): number[] {
  try {
    return [...readFileSync("/etc/services", "utf8").matchAll(/^\S+\s+(\d+)\/tcp/gm)].map((m) => Number(m[1]));
  } catch {
    return [];
  }
}
