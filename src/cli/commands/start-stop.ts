/** `paasta start`, `paasta stop`, `paasta restart`: control tags for instances (temporary until the next deploy). */
import type { Command } from "commander";
import { PaastaError } from "../../errors.js";
import { aliasOption, commaList, examples, jsonOption, printJson, soaDirOptions } from "../common.js";
import { recordContext } from "../deploy-context.js";
import {
  type InstanceFilterOptions,
  type InstanceFilters,
  instanceFilterOptions,
  matchesOwnerAndRegistration,
  resolveFilters,
} from "../filters.js";
import { type Io, marks } from "../io.js";
import type { Runner } from "../registry.js";

interface ControlOptions extends InstanceFilterOptions {
  yes?: boolean;
  json?: boolean;
  replica?: string;
  force?: boolean;
}

type Verb = "start" | "stop" | "restart";

const HELP: Record<Verb, string> = {
  start: "Start instances that were stopped (a new paasta-CLUSTER.INSTANCE-TS-start tag)",
  stop: "Stop instances until the next deploy of another SHA (use instances: 0 to stop for good)",
  restart: "Restart instances: a new start tag changes force_bounce, so every task is replaced",
};

export function register(program: Command, io: Io, run: Runner): void {
  for (const verb of ["start", "stop", "restart"] as const) {
    const cmd = instanceFilterOptions(program.command(verb).description(HELP[verb]), verb).option(
      "--yes",
      "do not ask for confirmation",
    );
    aliasOption(cmd, "--deploy-groups <groups>", "deployGroup");
    if (verb === "restart") {
      cmd
        .option("--replica <name>", "replace only this replica (a task id from `paasta status -v`), through the API")
        .option("--force", "with --replica: accepted as in PaaSTA; the replica is still replaced gracefully here");
    }
    jsonOption(soaDirOptions(cmd))
      .addHelpText(
        "after",
        `${examples(
          `paasta ${verb} -s hello -c dev -i main -d ./soa-configs`,
          `paasta ${verb} hello.main -c dev`,
          `paasta ${verb} -s hello -l canary --yes`,
          ...(verb === "restart" ? ["paasta restart -s hello -c dev -i main --replica main-1a2b3c4d"] : []),
        )}
Without both -c and -i, paasta lists the instances and asks for confirmation on a terminal.
${verb === "stop" ? "Not on a terminal, stop then refuses unless --yes is given." : "Not on a terminal, it proceeds (as PaaSTA does)."}
Control tags live in the service's git repository: when other services deploy from the same repository, the
same CLUSTER.INSTANCE of each of them is reached too; paasta lists them and, off a terminal, needs --yes.
`,
      )
      .action((positional: string | undefined, opts: ControlOptions) =>
        run(opts.replica ? runReplicaRestart(opts, io, positional) : runControl(verb, opts, io, positional)),
      );
  }
}

/** The filters, with -o/-r turned into the exact (cluster, instance) pairs they select. */
async function pairsOf(f: InstanceFilters, soaDir: string, system: Parameters<typeof resolveFilters>[4]) {
  if (!f.owner && !f.registration) return undefined;
  const { longRunningTargets } = await import("../targets.js");
  const targets = await longRunningTargets(soaDir, system, f.service, {
    clusters: f.clusters,
    instances: f.instances,
    deployGroup: f.deployGroup,
  });
  return targets.filter((t) => matchesOwnerAndRegistration(t, f));
}

export async function runControl(verb: Verb, opts: ControlOptions, io: Io, positional?: string): Promise<number> {
  const { setDesiredState, selectBranches } = await import("../../deploy/record.js");
  const { controlBranches } = await import("../../deploy/branches.js");
  const { readServiceDir } = await import("../../config/soa.js");
  const { normaliseService } = await import("../../deploy/remote.js");
  const { sharedControlTargets } = await import("../../deploy/shared-repo.js");
  const ctx = await recordContext(opts, io);
  const f = resolveFilters(opts, positional, io, ctx.soaDir, ctx.system);
  const pairs = await pairsOf(f, ctx.soaDir, ctx.system);
  // -o/-r select exact (cluster, instance) pairs: one request per cluster keeps other clusters' instances out.
  const requests = pairs
    ? [...new Set(pairs.map((p) => p.cluster))].map((c) => ({
        clusters: [c],
        instances: pairs.filter((p) => p.cluster === c).map((p) => p.instance),
        deployGroups: commaList(f.deployGroup),
      }))
    : [{ clusters: f.clusters, instances: f.instances, deployGroups: commaList(f.deployGroup) }];
  if (requests.length === 0)
    throw new PaastaError("PAASTA_NO_INSTANCES_MATCH", {
      service: f.service,
      filters: "the owner/registration filter",
    });
  const m = marks(io);
  const say = (line: string) => (opts.json ? io.err(line) : io.out(line));
  const svc = readServiceDir(ctx.soaDir, normaliseService(f.service));
  const selected = requests.flatMap((r) => selectBranches(controlBranches(svc, ctx.system).branches, r));
  // Control tags live in the repository: other services deployed from it are reached too (say so first).
  const shared = sharedControlTargets(ctx.soaDir, ctx.system, svc.name, selected);
  const ask = !(f.clusters && f.instances) || shared.length > 0;
  if (!(f.clusters && f.instances)) {
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
  const changed = [];
  const notDeployed = [];
  for (const req of requests) {
    const r = await setDesiredState(ctx, { service: f.service, state: verb === "stop" ? "stop" : "start", ...req });
    changed.push(...r.changed);
    notDeployed.push(...r.notDeployed);
  }
  if (opts.json) printJson(io, { changed, not_deployed: notDeployed.map((b) => `${b.cluster}.${b.instance}`) });
  else {
    const done = verb === "restart" ? "Restart" : verb === "stop" ? "Stop" : "Start";
    for (const c of changed) io.out(m.ok(`${done} requested for ${c.cluster}.${c.instance} (tag ${c.tag})`));
    for (const b of notDeployed) {
      io.out(
        m.warn(`${b.cluster}.${b.instance}: deploy group ${b.deployGroup} has no deployment yet; nothing to ${verb}`),
      );
    }
    if (verb === "stop" && changed.length > 0) {
      io.out(
        "The instances stay stopped until a different SHA is deployed to their deploy group. Set instances: 0 to stop for good.",
      );
    }
  }
  return changed.length > 0 ? 0 : 1;
}

/** `paasta restart --replica NAME`: one replica replaced through the cluster's API (a write: needs the token). */
export async function runReplicaRestart(opts: ControlOptions, io: Io, positional?: string): Promise<number> {
  const { requireSystemConfig, resolveSoaDir } = await import("../common.js");
  const { clientsFor } = await import("../targets.js");
  const system = await requireSystemConfig(io);
  const soaDir = await resolveSoaDir(opts, io);
  const f = resolveFilters(opts, positional, io, soaDir, system);
  if (f.clusters?.length !== 1 || f.instances?.length !== 1)
    throw new PaastaError("PAASTA_CLI_BAD_VALUE", {
      flag: "--replica",
      detail: "names one replica, so it needs exactly one cluster (-c) and one instance (-i)",
      hint: "Run `paasta status -s SERVICE -v` to see each replica's name, cluster and instance.",
    });
  const [cluster, instance] = [f.clusters[0] as string, f.instances[0] as string];
  const client = (await clientsFor(system, [cluster])).get(cluster);
  if (!client)
    throw new PaastaError("PAASTA_SYSTEM_CONFIG_KEY_MISSING", { key: `api_endpoints.${cluster}`, dir: system.dir });
  const token = system.get("api_auth_token") ?? io.env.PAASTA_API_TOKEN;
  const path = `/v1/services/${f.service}/${instance}/replicas/${encodeURIComponent(opts.replica as string)}/restart`;
  const r = await client.post<{ message?: string; code?: string; fix?: string }>(path, token);
  if (r.status !== 202) {
    throw new PaastaError("PAASTA_API_ERROR", {
      cluster,
      status: r.status,
      detail: `${r.body?.message ?? ""}${r.body?.fix ? ` (${r.body.fix})` : ""}`,
    });
  }
  if (opts.json) printJson(io, r.body);
  else io.out(marks(io).ok(r.body?.message ?? `Replica ${opts.replica} is being replaced`));
  return 0;
}
