/** `paasta validate`: check a service's soa-configs (or a whole tree with --all). */
import type { Command } from "commander";
import type { Problem } from "../../config/problem.js";
import type { ReportLine, ServiceReport } from "../../config/validate.js";
import {
  examples,
  jsonOption,
  optionalSystemConfig,
  parentDir,
  printJson,
  resolveSoaDir,
  soaDirOptions,
} from "../common.js";
import { type Io, marks } from "../io.js";

export interface ValidateOptions {
  service?: string;
  soaDir?: string;
  yelpsoaConfigRoot?: string;
  all?: boolean;
  verbose?: boolean;
  json?: boolean;
}

export function register(program: Command, io: Io, run: (p: Promise<number>) => Promise<void>): void {
  const cmd = program
    .command("validate")
    .description("Validate a service's soa-configs: schemas, deploy groups, names, Tron schedules, secrets …")
    .option("-s, --service <service>", "service to validate (default: the current directory's name)")
    .option("-a, --all", "validate every service of the soa-configs directory")
    .option("-v, --verbose", "print every check (also with --all) and the next five runs of each Tron job");
  soaDirOptions(cmd);
  jsonOption(cmd)
    .addHelpText(
      "after",
      `${examples(
        "cd soa-configs/hello && paasta validate",
        "paasta validate -s hello -y ./soa-configs",
        "paasta validate --all -y ./soa-configs",
      )}\nExit status: 0 when everything is valid, 1 when any problem was found.\n`,
    )
    .action((opts: ValidateOptions) => run(runValidate(opts, io)));
}

export async function runValidate(opts: ValidateOptions, io: Io): Promise<number> {
  const { validateService, validateTree, proxyPortsOfTree } = await import("../../config/validate.js");
  const { formatProblem } = await import("../../config/problem.js");
  const system = await optionalSystemConfig(io);
  let reports: readonly ServiceReport[];
  if (opts.all) {
    const soaDir = await resolveSoaDir(opts, io, io.cwd);
    reports = validateTree(soaDir, { system, verbose: opts.verbose }).reports;
  } else {
    const explicit = opts.soaDir ?? opts.yelpsoaConfigRoot;
    // Without -s the current directory is the service (PaaSTA's behaviour); its parent is the tree.
    const service = opts.service ?? io.cwd.split("/").pop() ?? "";
    const soaDir = opts.service || explicit ? await resolveSoaDir(opts, io, io.cwd) : parentDir(io);
    const proxyPorts = proxyPortsOfTree(soaDir);
    reports = [validateService(soaDir, service, { system, verbose: opts.verbose, proxyPorts })];
  }
  const problems = reports.flatMap((r) => r.problems);
  if (opts.json) {
    printJson(io, {
      valid: problems.length === 0,
      services: reports.map((r) => ({
        service: r.service,
        valid: r.problems.length === 0,
        problems: r.problems.map((p: Problem) => ({ ...p, text: formatProblem(p) })),
      })),
    });
    return problems.length === 0 ? 0 : 1;
  }
  const m = marks(io);
  const collapse = opts.all && !opts.verbose;
  for (const report of reports) {
    if (collapse && report.problems.length === 0) {
      const checks = report.lines.filter((l) => l.kind === "ok").length;
      io.out(m.ok(`${report.service}: ${checks} checks passed`));
      for (const line of report.lines) if (line.kind === "warn") io.out(renderLine(line, m, formatProblem));
      continue;
    }
    for (const line of report.lines) {
      if (collapse && line.kind === "ok") continue;
      io.out(renderLine(line, m, formatProblem));
    }
  }
  if (problems.length > 0) {
    const services = reports.filter((r) => r.problems.length > 0).length;
    io.out(m.red(`${problems.length} problem(s) in ${services} service(s). Fix them and run paasta validate again.`));
    return 1;
  }
  if (reports.length > 1) io.out(m.green(`All ${reports.length} services are valid.`));
  return 0;
}

function renderLine(line: ReportLine, m: ReturnType<typeof marks>, format: (p: Problem) => string): string {
  switch (line.kind) {
    case "ok":
      return m.ok(line.text);
    case "fail":
      return m.fail(format(line.problem));
    case "warn":
      return m.warn(line.text);
    case "info":
      return line.text;
  }
}
