/** `paasta rollback`: show a deploy group's history, or re-mark an earlier version and record the rollback. */
import type { Command } from "commander";
import { PaastaError } from "../../errors.js";
import { commaList, examples, jsonOption, printJson, type SoaDirOptions, soaDirOptions } from "../common.js";
import { recordContext } from "../deploy-context.js";
import { type Io, marks } from "../io.js";
import type { Runner } from "../registry.js";

interface RollbackOptions extends SoaDirOptions {
  service: string;
  deployGroups?: string;
  allDeployGroups?: boolean;
  commit?: string;
  imageVersion?: string;
  force?: boolean;
  json?: boolean;
}

export function register(program: Command, io: Io, run: Runner): void {
  const cmd = program
    .command("rollback")
    .description("Without -k, show each deploy group's deploy history; with -k, roll the groups back to that version")
    .requiredOption("-s, --service <service>", "the service")
    .option("-l, --deploy-groups <groups>", "comma-separated deploy groups")
    .option("-a, --all-deploy-groups", "every deploy group of deploy.yaml")
    .option("-k, --commit <sha>", "the version to go back to (full SHA or a prefix)")
    .option(
      "-i, --image-version <version>",
      "the image version to go back to (default: the one deployed with that SHA)",
    )
    .option("-f, --force", "allow a SHA that was never deployed to the group");
  jsonOption(soaDirOptions(cmd))
    .addHelpText(
      "after",
      `${examples("paasta rollback -s hello -l prod.everything -d ./soa-configs", "paasta rollback -s hello -l canary,prod.everything -k 1a2b3c4")}
Rolling back writes a new deploy tag for the old version, and a paasta-DG-TS-rollback marker on the version
rolled back from (check-rollback-status and mark-for-deployment warn about it).
`,
    )
    .action((opts: RollbackOptions) => run(runRollback(opts, io)));
}

export async function runRollback(opts: RollbackOptions, io: Io): Promise<number> {
  const { deployGroupHistory, rollback } = await import("../../deploy/record.js");
  const { readServiceDir, fileValue } = await import("../../config/soa.js");
  const { pipelineDeployGroups } = await import("../../config/rules/deploy-groups.js");
  const { normaliseService } = await import("../../deploy/remote.js");
  const ctx = await recordContext(opts, io);
  const groups = opts.allDeployGroups
    ? pipelineDeployGroups(fileValue(readServiceDir(ctx.soaDir, normaliseService(opts.service)), "deploy"))
    : (commaList(opts.deployGroups) ?? []);
  if (groups.length === 0)
    throw new PaastaError("PAASTA_USAGE", { detail: "give -l DEPLOY_GROUP[,DEPLOY_GROUP] or -a" });
  const m = marks(io);
  if (!opts.commit) {
    const history = await deployGroupHistory(ctx, opts.service, groups);
    if (opts.json) {
      printJson(io, Object.fromEntries(history));
      return 0;
    }
    const { default: Table } = await import("cli-table3");
    for (const [group, entries] of history) {
      io.out(m.bold(`${group}:`));
      if (entries.length === 0) {
        io.out("  never deployed");
        continue;
      }
      const table = new Table({
        head: ["SHA", "Image version", "Deployed (UTC)", ""],
        style: { head: [], border: [] },
      });
      for (const e of entries) {
        const when = e.timestamp.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})$/, "$1-$2-$3 $4:$5:$6");
        table.push([
          e.sha,
          e.imageVersion ?? "",
          when,
          [e.current ? "current" : "", e.rolledBack ? "rolled back" : ""].filter(Boolean).join(", "),
        ]);
      }
      io.out(table.toString());
    }
    io.out(`Roll back with: paasta rollback -s ${opts.service} -l ${groups.join(",")} -k SHA`);
    return 0;
  }
  const results = await rollback(ctx, {
    service: opts.service,
    deployGroups: groups,
    sha: opts.commit,
    imageVersion: opts.imageVersion,
    force: opts.force,
  });
  if (opts.json) printJson(io, { results });
  else
    for (const r of results)
      io.out(
        m.ok(`${r.group}: ${r.from ?? "(nothing)"} → ${r.to} (tag ${r.tag}${r.marker ? `, marker ${r.marker}` : ""})`),
      );
  return 0;
}
