/**
 * `paasta tronctl VERB ID`: Tron's tronctl verbs on scheduled jobs, through the cluster's API (writes need its
 * token). ID is SERVICE.JOB, SERVICE.JOB.RUN or SERVICE.JOB.RUN.ACTION, as tronctl names them.
 */
import type { Command } from "commander";
import { PaastaError } from "../../errors.js";
import type { JobVerb, VerbResultWire } from "../../model/jobs/wire.js";
import { examples, jsonOption, printJson, requireSystemConfig } from "../common.js";
import { type Io, marks } from "../io.js";
import { runLines } from "../job-status.js";
import type { Runner } from "../registry.js";

const VERBS: Record<JobVerb, string> = {
  start: "SERVICE.JOB: start a run now (a manual run, besides the schedule)",
  rerun: "SERVICE.JOB.RUN: run it again as a new run, with the same scheduled time",
  retry: "SERVICE.JOB.RUN.ACTION: launch a failed action again (what requires it then runs)",
  cancel: "SERVICE.JOB.RUN: cancel what has not started of a scheduled, queued or running run",
  kill: "SERVICE.JOB.RUN[.ACTION]: kill what runs (it fails; a killed action is not retried)",
  disable: "SERVICE.JOB: schedule no new runs (runs under way continue)",
  enable: "SERVICE.JOB: schedule again, from now on (times while disabled are not run)",
};

interface TronctlOptions {
  cluster?: string;
  json?: boolean;
}

export function register(program: Command, io: Io, run: Runner): void {
  const cmd = program
    .command("tronctl")
    .description("Control scheduled jobs as tronctl does: start, rerun, retry, cancel, kill, disable, enable")
    .argument("<verb>", Object.keys(VERBS).join(" | "))
    .argument("<id>", "SERVICE.JOB, SERVICE.JOB.RUN or SERVICE.JOB.RUN.ACTION")
    .option("-c, --cluster <cluster>", "the cluster (default: the system config's cluster)");
  jsonOption(cmd)
    .addHelpText(
      "after",
      `${examples(
        "paasta tronctl start reports.nightly",
        "paasta tronctl retry reports.nightly.12.load -c dev",
        "paasta tronctl disable reports.nightly",
      )}
Verbs:
${Object.entries(VERBS)
  .map(([v, h]) => `  ${v.padEnd(8)} ${h}`)
  .join("\n")}
\`paasta status -s SERVICE -i JOB\` shows a job's runs with their numbers.
`,
    )
    .action((verb: string, id: string, opts: TronctlOptions) => run(runTronctl(verb, id, opts, io)));
}

export async function runTronctl(verb: string, id: string, opts: TronctlOptions, io: Io): Promise<number> {
  if (!(verb in VERBS)) {
    throw new PaastaError("PAASTA_USAGE", {
      detail: `unknown verb "${verb}" (one of ${Object.keys(VERBS).join(", ")})`,
    });
  }
  const { parseJobId } = await import("../../model/jobs/ids.js");
  const parsed = parseJobId(id);
  if ("error" in parsed) throw new PaastaError("PAASTA_JOB_ID_INVALID", { id, detail: parsed.error });
  const t = parsed.target;
  const system = await requireSystemConfig(io);
  const cluster = opts.cluster ?? system.cluster();
  const { apiClient } = await import("../../api/client.js");
  const { writeToken } = await import("../write-token.js");
  const client = apiClient(system, cluster);
  const path = [
    "/v1/jobs",
    t.service,
    t.job,
    ...(t.run !== undefined ? ["runs", String(t.run)] : []),
    ...(t.action !== undefined ? ["actions", t.action] : []),
    verb,
  ].join("/");
  const r = await client.post<VerbResultWire & { message?: string; code?: string; fix?: string }>(
    path,
    writeToken(system, cluster, io.env),
  );
  if (r.status !== 200) {
    throw new PaastaError("PAASTA_API_ERROR", {
      cluster,
      status: r.status,
      detail: `${r.body?.message ?? "error"}${r.body?.fix ? ` (${r.body.fix})` : ""}`,
    });
  }
  if (opts.json) {
    printJson(io, r.body);
    return 0;
  }
  const m = marks(io);
  io.out(m.ok(`${verb} ${r.body.target} on ${cluster}: ${r.body.message}`));
  if (r.body.run) for (const line of runLines(m, r.body.run, true)) io.out(`  ${line}`);
  return 0;
}
