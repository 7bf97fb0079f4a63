/** `paasta generate-deployments`: write SERVICE/deployments.json from the deploy and control tags. */
import type { Command } from "commander";
import { PaastaError } from "../../errors.js";
import { examples, jsonOption, printJson, type SoaDirOptions, soaDirOptions } from "../common.js";
import { recordContext } from "../deploy-context.js";
import { type Io, marks } from "../io.js";
import type { Runner } from "../registry.js";

interface GenerateOptions extends SoaDirOptions {
  service?: string;
  all?: boolean;
  json?: boolean;
}

export function register(program: Command, io: Io, run: Runner): void {
  const cmd = program
    .command("generate-deployments")
    .description("Generate SERVICE/deployments.json from the service repository's deploy and start/stop tags")
    .option("-s, --service <service>", "the service")
    .option("-a, --all", "every service of the soa-configs directory (4 at a time)");
  jsonOption(soaDirOptions(cmd))
    .addHelpText(
      "after",
      `${examples("paasta generate-deployments -s hello -d ./soa-configs", "paasta generate-deployments --all -d ./soa-configs")}
The file is written atomically, and only when its content changes. Exit 1 if any service failed.
`,
    )
    .action((opts: GenerateOptions) => run(runGenerate(opts, io)));
}

export async function runGenerate(opts: GenerateOptions, io: Io): Promise<number> {
  const { generateDeployments } = await import("../../deploy/record.js");
  const { listServiceNames } = await import("../../config/soa.js");
  if (!opts.service && !opts.all) throw new PaastaError("PAASTA_USAGE", { detail: "give -s SERVICE or --all" });
  const ctx = await recordContext(opts, io);
  const services = opts.all ? listServiceNames(ctx.soaDir) : [opts.service as string];
  const results: Array<{ service: string; changed?: boolean; error?: string }> = [];
  const queue = [...services];
  const worker = async () => {
    for (let s = queue.shift(); s !== undefined; s = queue.shift()) {
      try {
        const r = await generateDeployments(ctx, s);
        results.push({ service: r.service, changed: r.changed });
      } catch (e) {
        if (!opts.all) throw e;
        results.push({ service: s, error: e instanceof PaastaError ? `${e.message} [${e.code}]` : String(e) });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, services.length) }, worker));
  results.sort((a, b) => a.service.localeCompare(b.service));
  const failed = results.filter((r) => r.error).length;
  if (opts.json) printJson(io, { results });
  else {
    const m = marks(io);
    for (const r of results) {
      if (r.error) io.out(m.fail(`${r.service}: ${r.error}`));
      else io.out(m.ok(`${r.service}: deployments.json ${r.changed ? "updated" : "unchanged"}`));
    }
  }
  return failed === 0 ? 0 : 1;
}
