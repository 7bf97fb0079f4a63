/**
 * PaaSTA's instance filter (status, start, stop, restart): `-s SERVICE` or the positional `SERVICE.INST1,INST2`,
 * else the service guessed from the current directory's name; `-c CLUSTERS`, `-i INSTANCES`, `-l DEPLOY_GROUP`,
 * `-o OWNER` (the monitoring team) and `-r REGISTRATION` (a mesh namespace the instance registers in).
 */
import { existsSync } from "node:fs";
import { basename, join } from "node:path";
import type { Command } from "commander";
import type { SystemConfig } from "../config/system.js";
import type { InstanceTarget } from "../deploy/targets.js";
import { PaastaError } from "../errors.js";
import { commaList, type SoaDirOptions } from "./common.js";
import type { Io } from "./io.js";

export interface InstanceFilterOptions extends SoaDirOptions {
  service?: string;
  clusters?: string;
  instances?: string;
  deployGroup?: string;
  owner?: string;
  registration?: string;
}

export interface InstanceFilters {
  readonly service: string;
  readonly clusters?: string[];
  readonly instances?: string[];
  readonly deployGroup?: string;
  readonly owner?: string;
  readonly registration?: string;
}

/** Adds PaaSTA's filter flags and the `[SERVICE.INSTANCE]` shorthand; `verb` reads "to inspect", "to stop"… */
export function instanceFilterOptions(cmd: Command, verb: string): Command {
  return cmd
    .argument("[service_instance]", `shorthand for -s and -i: SERVICE.INSTANCE[,INSTANCE…] to ${verb}`)
    .option("-s, --service <service>", "the service (default: the current directory's name, as in PaaSTA)")
    .option("-c, --clusters <clusters>", `comma-separated clusters to ${verb} (default: all)`)
    .option("-i, --instances <instances>", `comma-separated instances to ${verb} (default: all)`)
    .option("-l, --deploy-group <group>", `only instances of this deploy group`)
    .option("-o, --owner <team>", "only instances owned by this team (monitoring team)")
    .option("-r, --registration <namespace>", "only instances that register in this mesh namespace");
}

/** "hello.main,canary" → hello + [main, canary]; "hello" → hello. */
export function parseServiceInstance(text: string): { service: string; instances?: string[] } {
  const dot = text.indexOf(".");
  if (dot === -1) return { service: text };
  return { service: text.slice(0, dot), instances: commaList(text.slice(dot + 1)) };
}

/** The filters a command line asks for, with the service named or guessed (PaaSTA: the cwd's basename). */
export function resolveFilters(
  opts: InstanceFilterOptions,
  positional: string | undefined,
  io: Io,
  soaDir: string,
  system?: SystemConfig,
): InstanceFilters {
  const short = positional ? parseServiceInstance(positional) : undefined;
  if (short && opts.service && opts.service !== short.service) {
    throw new PaastaError("PAASTA_CLI_USAGE", {
      detail: `${positional} names service ${short.service} but -s says ${opts.service}: give one of them`,
      command: "paasta status",
    });
  }
  const service = short?.service ?? opts.service ?? guessService(io, soaDir);
  const clusters = commaList(opts.clusters);
  checkClusters(system, clusters);
  return {
    service,
    clusters,
    instances: short?.instances ?? commaList(opts.instances),
    deployGroup: opts.deployGroup,
    owner: opts.owner,
    registration: opts.registration,
  };
}

/** PaaSTA guesses the service from the current directory; an unknown name is an error that says so. */
export function guessService(io: Io, soaDir: string): string {
  const guess = basename(io.cwd);
  if (guess && existsSync(join(soaDir, guess))) return guess;
  throw new PaastaError("PAASTA_CLI_BAD_VALUE", {
    flag: "-s/--service",
    detail: `no service given, and the current directory's name (${guess}) is not a service in ${soaDir}`,
    hint: "Pass -s SERVICE (or SERVICE.INSTANCE), or run the command inside the service's soa-configs directory.",
  });
}

/** Clusters a user names must be clusters of the system config (when it lists any). */
export function checkClusters(system: SystemConfig | undefined, clusters: readonly string[] | undefined): void {
  const known = system?.clusters() ?? [];
  if (known.length === 0) return;
  for (const cluster of clusters ?? []) {
    if (!known.includes(cluster)) throw new PaastaError("PAASTA_CLUSTER_UNKNOWN", { cluster, known: known.join(", ") });
  }
}

/** The owner and registration filters, which need each instance's resolved config. */
export function matchesOwnerAndRegistration(t: InstanceTarget, f: InstanceFilters): boolean {
  if (f.owner && t.team !== f.owner) return false;
  if (f.registration && !(t.registrations ?? []).includes(f.registration)) return false;
  return true;
}

/** Words for "no instance matches" errors. */
export function describeFilters(f: InstanceFilters): string {
  const parts = [
    f.clusters?.length ? `clusters ${f.clusters.join(",")}` : "",
    f.instances?.length ? `instances ${f.instances.join(",")}` : "",
    f.deployGroup ? `deploy group ${f.deployGroup}` : "",
    f.owner ? `owner ${f.owner}` : "",
    f.registration ? `registration ${f.registration}` : "",
  ].filter(Boolean);
  return parts.length ? parts.join(", ") : "any filter";
}
