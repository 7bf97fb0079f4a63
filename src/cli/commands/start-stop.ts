/** `paasta start`, `paasta stop`, `paasta restart`: control tags for instances (temporary until the next deploy). */
import type { Command } from "commander";
import { PaastaError } from "../../errors.js";
import { commaList, examples, jsonOption, printJson, type SoaDirOptions, soaDirOptions } from "../common.js";
import { recordContext } from "../deploy-context.js";
import { type Io, marks } from "../io.js";
import type { Runner } from "../registry.js";

interface ControlOptions extends SoaDirOptions {
  service: string;
  clusters?: string;
  instances?: string;
  deployGroups?: string;
  yes?: boolean;
  json?: boolean;
}

type Verb = "start" | "stop" | "restart";

const HELP: Record<Verb, string> = {
  start: "Start instances that were stopped (a new paasta-CLUSTER.INSTANCE-TS-start tag)",
  stop: "Stop instances until the next deploy of another SHA (use instances: 0 to stop for good)",
  restart: "Restart instances: a new start tag changes force_bounce, so every task is replaced",
};

export function register(program: Command, io: Io, run: Runner): void {
  for (const verb of ["start", "stop", "restart"] as const) {
    const cmd = program
      .command(verb)
      .description(HELP[verb])
      .requiredOption("-s, --service <service>", "the service")
      .option("-c, --clusters <clusters>", "comma-separated clusters (default: all)")
      .option("-i, --instances <instances>", "comma-separated instances (default: all)")
      .option("-l, --deploy-groups <groups>", "only instances of these comma-separated deploy groups")
      .option("--yes", "do not ask for confirmation");
    jsonOption(soaDirOptions(cmd))
      .addHelpText(
        "after",
        `${examples(`paasta ${verb} -s hello -c dev -i main -d ./soa-configs`, `paasta ${verb} -s hello -l canary --yes`)}
Without both -c and -i, paasta lists the instances and asks for confirmation on a terminal.
${verb === "stop" ? "Not on a terminal, stop then refuses unless --yes is given." : "Not on a terminal, it proceeds (as PaaSTA does)."}
Control tags live in the service's git repository: when other services deploy from the same repository, the
same CLUSTER.INSTANCE of each of them is reached too; paasta lists them and, off a terminal, needs --yes.
`,
      )
      .action((opts: ControlOptions) => run(runControl(verb, opts, io)));
  }
}

export async function runControl(verb: Verb, opts: ControlOptions, io: Io): Promise<number> {
  const { setDesiredState, selectBranches } = await import("../../deploy/record.js");
  const { controlBranches } = await import("../../deploy/branches.js");
  const { readServiceDir } = await import("../../config/soa.js");
  const { normaliseService } = await import("../../deploy/remote.js");
  const { sharedControlTargets } = await import("../../deploy/shared-repo.js");
  const ctx = await recordContext(opts, io);
  const filters = {
    clusters: commaList(opts.clusters),
    instances: commaList(opts.instances),
    deployGroups: commaList(opts.deployGroups),
  };
  const m = marks(io);
  const say = (line: string) => (opts.json ? io.err(line) : io.out(line));
  const svc = readServiceDir(ctx.soaDir, normaliseService(opts.service));
  const selected = selectBranches(controlBranches(svc, ctx.system).branches, filters);
  const shared = sharedControlTargets(ctx.soaDir, ctx.system, svc.name, selected);
  const ask = !(filters.clusters && filters.instances) || shared.length > 0;
  if (!(filters.clusters && filters.instances)) {
    say(`You are about to ${verb} the following instances (-c and -i were not both given):`);
    for (const b of selected) say(`  cluster = ${b.cluster}, instance = ${b.instance}`);
  }
  if (shared.length > 0) {
    say(
      m.warn(`${svc.name}'s git repository also deploys other services: its ${verb} tags ${verb} these instances too:`),
    );
    for (const o of shared) say(`  ${o.service}: cluster = ${o.cluster}, instance = ${o.instance}`);
  }
  if (ask && !opts.yes) {
    const count = selected.length + shared.length;
    const confirmed = io.interactive
      ? await io.confirm(`Are you sure you want to ${verb} these ${count} instances?`)
      : verb !== "stop" && shared.length === 0;
    if (!confirmed) {
      throw new PaastaError("PAASTA_ABORTED", {
        detail: io.interactive
          ? "not confirmed"
          : shared.length > 0
            ? `paasta ${verb} reaches other services of the same repository; pass --yes when not on a terminal`
            : `paasta ${verb} without both -c and -i needs --yes when not on a terminal`,
      });
    }
  }
  const r = await setDesiredState(ctx, {
    service: opts.service,
    state: verb === "stop" ? "stop" : "start",
    ...filters,
  });
  if (opts.json)
    printJson(io, { changed: r.changed, not_deployed: r.notDeployed.map((b) => `${b.cluster}.${b.instance}`) });
  else {
    for (const c of r.changed)
      io.out(
        m.ok(
          `${verb === "restart" ? "Restart" : verb === "stop" ? "Stop" : "Start"} requested for ${c.cluster}.${c.instance} (tag ${c.tag})`,
        ),
      );
    for (const b of r.notDeployed) {
      io.out(
        m.warn(`${b.cluster}.${b.instance}: deploy group ${b.deployGroup} has no deployment yet; nothing to ${verb}`),
      );
    }
    if (verb === "stop" && r.changed.length > 0) {
      io.out(
        "The instances stay stopped until a different SHA is deployed to their deploy group. Set instances: 0 to stop for good.",
      );
    }
  }
  return r.changed.length > 0 ? 0 : 1;
}
