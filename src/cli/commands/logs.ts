/** `paasta logs`: a service's output and events from each cluster's API. */
import type { Command } from "commander";
import { isPaastaError, PaastaError } from "../../errors.js";
import type { LogLine } from "../../logs/writer.js";
import {
  aliasOption,
  commaList,
  examples,
  requireSystemConfig,
  resolveSoaDir,
  type SoaDirOptions,
  soaDirOptions,
} from "../common.js";
import { checkClusters, guessService } from "../filters.js";
import { type Io, marks } from "../io.js";
import { readLogStream } from "../log-stream.js";
import { DEFAULT_COMPONENTS, LOG_COMPONENTS, lineWindow, parseComponents, parseLogTime } from "../logs-args.js";
import { formatLogLine, fromTasks } from "../logs-format.js";
import type { Runner } from "../registry.js";
import { clientsFor } from "../targets.js";

interface LogsOptions extends SoaDirOptions {
  service?: string;
  clusters?: string;
  instances?: string;
  pods?: string;
  components: string;
  tail?: boolean;
  lines?: string;
  lineOffset?: string;
  from?: string;
  to?: string;
  rawMode?: boolean;
  stripHeaders?: boolean;
  verbose?: boolean;
  json?: boolean;
}

export function register(program: Command, io: Io, run: Runner): void {
  const cmd = program
    .command("logs")
    .description("Show a service's stdout/stderr and its deploy and task events")
    .option("-s, --service <service>", "the service (default: the current directory's name)")
    .option(
      "-c, --clusters <clusters>",
      "comma-separated clusters (default: every cluster the service runs on; also --cluster)",
    )
    .option("-i, --instances <instances>", "comma-separated instances (also --instance)")
    .option("-p, --pods <tasks>", "only lines of these tasks (ids from `paasta status -v`, full or the short part)")
    .option(
      "-C, --components <components>",
      `comma-separated, of: ${Object.keys(LOG_COMPONENTS).join(", ")}`,
      DEFAULT_COMPONENTS,
    )
    .option("-f, --tail", "keep printing new lines (also -F, --follow)")
    .option(
      "-a, --from <time>",
      'only lines at or after this time: ISO 8601 or a duration ago, "10m", "1d3h" (also --after)',
    )
    .option("-t, --to <time>", "only lines at or before this time (same forms as --from)")
    .option("-l, --lines <n>", "the last N lines (-N), or +N lines from --line-offset (also -n; default -100)")
    .option("-o, --line-offset <n>", "the line to count --lines from (1 is the first; default the latest)")
    .option("-r, --raw-mode", "print each line as the JSON it is stored as (also --raw)")
    .option("-S, --strip-headers", "print only the messages, without time, component, cluster and instance")
    .option("-v, --verbose", "accepted as in PaaSTA (nothing more to show)")
    .option("--json", "print one JSON object per line (JSON Lines)");
  aliasOption(cmd, "--cluster <clusters>", "clusters");
  aliasOption(cmd, "--instance <instances>", "instances");
  aliasOption(cmd, "-F", "tail");
  aliasOption(cmd, "--follow", "tail");
  aliasOption(cmd, "--after <time>", "from");
  aliasOption(cmd, "-n <n>", "lines");
  aliasOption(cmd, "--raw", "rawMode");
  soaDirOptions(cmd)
    .addHelpText(
      "after",
      `${examples(
        "paasta logs -s hello -f",
        "paasta logs -s hello -C deploy,task_lifecycle -l 50",
        "paasta logs -s hello -i main -a 10m",
        "paasta logs -s hello -a yesterday -t 2h --json",
      )}
Time (--from/--to) and line (--lines/--line-offset) selections exclude each other, as in PaaSTA.
`,
    )
    .action((opts: LogsOptions) => run(runLogs(opts, io)));
}

/** The request for each cluster's API and what to print from it, from the flags. */
function plan(opts: LogsOptions) {
  const timed = opts.from !== undefined || opts.to !== undefined;
  if (timed && (opts.lines !== undefined || opts.lineOffset !== undefined))
    throw new PaastaError("PAASTA_CLI_USAGE", {
      detail: "--from/--to and --lines/--line-offset exclude each other (as in PaaSTA)",
      command: "paasta logs",
    });
  const window = lineWindow(opts.lines, opts.lineOffset);
  if (opts.tail && (opts.lineOffset !== undefined || opts.lines?.startsWith("+")))
    throw new PaastaError("PAASTA_CLI_USAGE", {
      detail: "--tail prints the latest lines as they come; it cannot start at a --line-offset or +N",
      command: "paasta logs",
    });
  const q = new URLSearchParams({
    components: parseComponents(opts.components).join(","),
    lines: String(timed ? 0 : window.fetch),
  });
  if (opts.instances) q.set("instances", opts.instances);
  if (opts.from) q.set("from", parseLogTime("-a/--from", opts.from).toISOString());
  if (opts.to) q.set("to", parseLogTime("-t/--to", opts.to).toISOString());
  if (opts.tail) q.set("follow", "1");
  return { q, window: timed ? undefined : window };
}

export async function runLogs(opts: LogsOptions, io: Io): Promise<number> {
  const { readServiceDir, serviceClusters } = await import("../../config/soa.js");
  const system = await requireSystemConfig(io);
  const soaDir = await resolveSoaDir(opts, io);
  const service = opts.service ?? guessService(io, soaDir);
  const wanted = commaList(opts.clusters);
  checkClusters(system, wanted);
  const { q, window } = plan(opts);
  const known = system.clusters();
  const clusters = serviceClusters(readServiceDir(soaDir, service)).filter(
    (c) => (!wanted || wanted.includes(c)) && (known.length === 0 || known.includes(c)),
  );
  const clients = await clientsFor(system, clusters);
  const m = marks(io);
  const tasks = commaList(opts.pods);
  const print = (l: LogLine) => {
    if (!fromTasks(l, tasks)) return;
    if (opts.rawMode || opts.json) io.out(JSON.stringify(l));
    else io.out(formatLogLine(l, m, { stripHeaders: opts.stripHeaders }));
  };
  // Without follow and with an offset or +N, the whole answer is needed before choosing what to print.
  const buffered = window && q.get("lines") === "0";
  let code = 0;
  await Promise.all(
    [...clients.values()].map(async (client) => {
      const got: LogLine[] = [];
      try {
        await readLogStream(client, `/v1/services/${service}/logs`, q, buffered ? (l) => got.push(l) : print, {
          follow: opts.tail === true,
          onDrop: (why) => io.err(`${m.yellow("warning")} ${client.cluster}: ${why}; reconnecting…`),
          onResume: () => io.err(`${client.cluster}: reconnected`),
        });
      } catch (e) {
        const err = isPaastaError(e)
          ? e
          : new PaastaError("PAASTA_API_CONNECTION_LOST", {
              cluster: client.cluster,
              url: client.url,
              detail: (e as Error).message,
            });
        code = Math.max(code, err.exitCode);
        io.err(`${m.red("error")} ${err.message} [${err.code}]`);
        io.err(`  how to fix: ${err.fix}`);
      }
      if (buffered && window) for (const l of window.select(got)) print(l);
    }),
  );
  return code;
}
