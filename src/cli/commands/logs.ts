/** `paasta logs`: a service's output and events from each cluster's API. */
import type { Command } from "commander";
import type { LogLine } from "../../logs/writer.js";
import {
  commaList,
  examples,
  requireSystemConfig,
  resolveSoaDir,
  type SoaDirOptions,
  soaDirOptions,
} from "../common.js";
import { type Io, marks } from "../io.js";
import { readLogStream } from "../log-stream.js";
import type { Runner } from "../registry.js";
import { clientsFor } from "../targets.js";

interface LogsOptions extends SoaDirOptions {
  service: string;
  clusters?: string;
  instances?: string;
  components?: string;
  follow?: boolean;
  lines?: string;
  from?: string;
  to?: string;
  raw?: boolean;
}

export function register(program: Command, io: Io, run: Runner): void {
  const cmd = program
    .command("logs")
    .description("Show a service's stdout/stderr and its deploy and task events")
    .requiredOption("-s, --service <service>", "the service")
    .option("-c, --clusters <clusters>", "comma-separated clusters (default: every cluster the service runs on)")
    .option("-i, --instances <instances>", "comma-separated instances")
    .option(
      "-C, --components <components>",
      "stdout, stderr, deploy, task_lifecycle (comma-separated)",
      "stdout,stderr",
    )
    .option("-f, --follow", "keep printing new lines")
    .option("-l, --lines <n>", "how many recent lines", "100")
    .option("-a, --from <time>", "only lines at or after this time (ISO 8601)")
    .option("-t, --to <time>", "only lines at or before this time (ISO 8601)")
    .option("-r, --raw", "print the JSON lines as they are");
  soaDirOptions(cmd)
    .addHelpText(
      "after",
      examples(
        "paasta logs -s hello -f",
        "paasta logs -s hello -C deploy,task_lifecycle -l 50",
        "paasta logs -s hello -i main -a 2026-11-23T10:00:00Z",
      ),
    )
    .action((opts: LogsOptions) => run(runLogs(opts, io)));
}

export async function runLogs(opts: LogsOptions, io: Io): Promise<number> {
  const { readServiceDir, serviceClusters } = await import("../../config/soa.js");
  const system = await requireSystemConfig(io);
  const soaDir = await resolveSoaDir(opts, io);
  const wanted = commaList(opts.clusters);
  const known = system.clusters();
  const clusters = serviceClusters(readServiceDir(soaDir, opts.service)).filter(
    (c) => (!wanted || wanted.includes(c)) && (known.length === 0 || known.includes(c)),
  );
  const clients = await clientsFor(system, clusters);
  const q = new URLSearchParams({ components: opts.components ?? "stdout,stderr", lines: opts.lines ?? "100" });
  if (opts.instances) q.set("instances", opts.instances);
  if (opts.from) q.set("from", new Date(opts.from).toISOString());
  if (opts.to) q.set("to", new Date(opts.to).toISOString());
  if (opts.follow) q.set("follow", "1");
  const m = marks(io);
  const print = (l: LogLine) => {
    if (opts.raw) io.out(JSON.stringify(l));
    else
      io.out(
        `${m.dim(l.timestamp)} ${m.cyan(l.cluster)} ${l.instance} ${l.component === "stderr" ? m.red(l.component) : m.dim(l.component)}: ${l.message}`,
      );
  };
  let failed = 0;
  await Promise.all(
    [...clients.values()].map(async (client) => {
      try {
        await readLogStream(client, `/v1/services/${opts.service}/logs`, q, print, {
          follow: opts.follow === true,
          onDrop: (why) => io.err(`${m.yellow("warning")} ${client.cluster}: ${why}; reconnecting…`),
          onResume: () => io.err(`${client.cluster}: reconnected`),
        });
      } catch (e) {
        failed++;
        io.err(`${m.red("error")} ${client.cluster}: ${(e as Error).message}`);
      }
    }),
  );
  return failed === 0 ? 0 : 1;
}
