/** Options and helpers shared by commands: the soa-configs directory, the service name, JSON output. */
import { basename, dirname, resolve } from "node:path";
import { type Command, Option } from "commander";
import { PaastaError } from "../errors.js";
import type { Io } from "./io.js";

export interface SoaDirOptions {
  soaDir?: string;
  yelpsoaConfigRoot?: string;
}

/** Adds `-d/--soa-dir DIR` and PaaSTA's alias `-y/--yelpsoa-config-root DIR`. */
export function soaDirOptions(cmd: Command): Command {
  return cmd
    .option("-d, --soa-dir <dir>", "soa-configs directory (default: $PAASTA_SOA_DIR, then system config soa_dir)")
    .option("-y, --yelpsoa-config-root <dir>", "alias of --soa-dir");
}

/** Adds `--json`. */
export function jsonOption(cmd: Command): Command {
  return cmd.option("--json", "print machine-readable JSON instead of text");
}

/** The soa dir from the flags, PAASTA_SOA_DIR, the system config key `soa_dir`, or `fallback`. */
export async function resolveSoaDir(opts: SoaDirOptions, io: Io, fallback?: string): Promise<string> {
  const flag = opts.soaDir ?? opts.yelpsoaConfigRoot;
  if (flag) return resolve(io.cwd, flag);
  if (io.env.PAASTA_SOA_DIR) return resolve(io.cwd, io.env.PAASTA_SOA_DIR);
  const system = await optionalSystemConfig(io);
  const fromSystem = system?.get("soa_dir");
  if (system && fromSystem) return resolve(system.dir, fromSystem);
  if (fallback) return fallback;
  throw new PaastaError("PAASTA_USAGE", {
    detail: "no soa-configs directory: pass -d/--soa-dir DIR, set PAASTA_SOA_DIR, or set soa_dir in the system config",
  });
}

/** The system config if its directory exists, else undefined (commands that work without it). */
export async function optionalSystemConfig(io: Io) {
  const { loadSystemConfig, systemConfigDir } = await import("../config/system.js");
  const cfg = loadSystemConfig(systemConfigDir(io.env), { optional: true });
  return Object.keys(cfg.data).length > 0 ? cfg : undefined;
}

export async function requireSystemConfig(io: Io) {
  const { loadSystemConfig, systemConfigDir } = await import("../config/system.js");
  return loadSystemConfig(systemConfigDir(io.env));
}

/** PaaSTA guesses the service from the current directory's name. */
export function guessService(io: Io, given?: string): string {
  return given ?? basename(io.cwd);
}

/** When run inside a service's soa-configs directory: that directory's parent. */
export function parentDir(io: Io): string {
  return dirname(io.cwd);
}

export function printJson(io: Io, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}

/** Help text: examples under the flags, as `paasta CMD --help` shows them. */
export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join("\n")}\n`;
}

/** Splits a comma-separated list flag (`-c a,b`). */
export function commaList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * Another spelling of an option (PaaSTA's parsers give several: `-f, -F, --tail`; commander shows one short and
 * one long). The alias is hidden from --help (the option's description should mention it); when given, it sets
 * `target` unless `target` was given too.
 */
export function aliasOption(cmd: Command, flags: string, target: string): Command {
  const alias = new Option(flags).hideHelp();
  cmd.addOption(alias);
  const key = alias.attributeName();
  cmd.hook("preAction", (_parent, action) => {
    const opts = action.opts() as Record<string, unknown>;
    const source = action.getOptionValueSource(target);
    if (opts[key] !== undefined && (source === undefined || source === "default"))
      action.setOptionValue(target, opts[key]);
  });
  return cmd;
}

/** A second short flag for an option (commander allows one): PaaSTA accepts both `-c` and `-k` for the commit. */
export function shortAlias(cmd: Command, short: string, target: string, valueName = "<value>"): Command {
  return aliasOption(cmd, `${short} ${valueName}`, target);
}

/** Fails like a missing required option when `value` is undefined (for options that have a short alias). */
export function required<T>(value: T | undefined, flag: string): T {
  if (value === undefined) throw new PaastaError("PAASTA_USAGE", { detail: `required option '${flag}' not specified` });
  return value;
}

/**
 * Runs until SIGINT (Ctrl-C) or SIGTERM, then awaits `stop` once: the shape of every foreground daemon. Signals
 * that arrive while stopping (a second Ctrl-C, or a wrapper such as `npm start` forwarding the one the terminal
 * already delivered) are handed to `onRepeat` and otherwise ignored: dying then would leave the services running.
 */
export function untilSignal(stop: () => Promise<void>, onRepeat?: (signal: NodeJS.Signals) => void): Promise<void> {
  return new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) return onRepeat?.(signal);
      stopping = true;
      void stop()
        .then(resolve, resolve)
        .finally(() => {
          process.off("SIGINT", onSignal);
          process.off("SIGTERM", onSignal);
        });
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}

/** The system config, soa dir and cluster of a cluster command (`--cluster`, default the system's `cluster`). */
export async function clusterContext(opts: SoaDirOptions & { cluster?: string }, io: Io) {
  const system = await requireSystemConfig(io);
  const soaDir = await resolveSoaDir(opts, io);
  const cluster = opts.cluster ?? system.cluster();
  if (!system.clusters().includes(cluster)) {
    throw new PaastaError("PAASTA_CLUSTER_UNKNOWN", { cluster, known: system.clusters().join(", ") || "none" });
  }
  return { system, soaDir, cluster };
}
