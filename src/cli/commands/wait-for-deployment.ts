/** `paasta wait-for-deployment`: block until a deploy group runs a SHA on every cluster. */
import type { Command } from "commander";
import { PaastaError } from "../../errors.js";
import {
  examples,
  printJson,
  required,
  requireSystemConfig,
  resolveSoaDir,
  type SoaDirOptions,
  shortAlias,
  soaDirOptions,
} from "../common.js";
import type { Io } from "../io.js";
import type { Runner } from "../registry.js";
import { deployTimeout, seconds, waitForDeployment } from "../wait.js";

export interface PollingOptions {
  pollingInterval?: string;
  diagnosisInterval?: string;
  timeBeforeFirstDiagnosis?: string;
}

interface WaitOptions extends SoaDirOptions, PollingOptions {
  service: string;
  commit?: string;
  deployGroup: string;
  gitUrl?: string;
  imageVersion?: string;
  timeout: string;
  verbose?: number;
  json?: boolean;
}

/** PaaSTA's polling flags of mark-for-deployment and wait-for-deployment. */
export function pollingOptions(cmd: Command): Command {
  return cmd
    .option("--polling-interval <seconds>", "seconds between checks of each instance (default 1)")
    .option("--diagnosis-interval <seconds>", "seconds between asks of why an instance is not done (default 5)")
    .option("--time-before-first-diagnosis <seconds>", "wait this long before the first ask (default 0)");
}

export function pollingMs(o: PollingOptions) {
  const ms = (flag: string, v: string | undefined) => {
    const s = seconds(flag, v);
    return s === undefined ? undefined : s * 1000;
  };
  return {
    pollMs: ms("--polling-interval", o.pollingInterval),
    diagnosisMs: ms("--diagnosis-interval", o.diagnosisInterval),
    firstDiagnosisMs: ms("--time-before-first-diagnosis", o.timeBeforeFirstDiagnosis),
  };
}

export function register(program: Command, io: Io, run: Runner): void {
  const cmd = program
    .command("wait-for-deployment")
    .description("Wait until every instance of a deploy group runs a commit (and only it) with enough healthy tasks")
    .requiredOption("-s, --service <service>", "the service (a leading services- is stripped)")
    .option("-c, --commit <sha>", "the commit marked for the group (required; alias -k)")
    .requiredOption("-l, --deploy-group <group>", "the deploy group")
    .option("-u, --git-url <url>", "the service's git repository (default: git_url of service.yaml)")
    .option("-i, --image-version <version>", "the image version marked with the commit")
    .option("-t, --timeout <seconds>", "give up after this many seconds", "3600")
    .option("-v, --verbose", "accepted as in PaaSTA", (_v: string, n: number) => n + 1, 0)
    .option("--json", "print the result as JSON on stdout (progress goes to stderr)");
  shortAlias(cmd, "-k", "commit", "<sha>");
  soaDirOptions(pollingOptions(cmd))
    .addHelpText(
      "after",
      `${examples(
        "paasta wait-for-deployment -s hello -c 1a2b3c4 -l dev.everything -t 600",
        "paasta wait-for-deployment -s hello -k 1a2b3c4 -l dev.everything --json",
      )}\nExit status: 0 when deployed everywhere, 1 on timeout.\n`,
    )
    .action((opts: WaitOptions) => run(runWait(opts, io)));
}

export async function runWait(opts: WaitOptions, io: Io): Promise<number> {
  const system = await requireSystemConfig(io);
  const soaDir = await resolveSoaDir(opts, io);
  const sha = required(opts.commit, "-c, --commit <sha>");
  const timeoutSeconds = seconds("-t/--timeout", opts.timeout) ?? 0;
  if (timeoutSeconds <= 0)
    throw new PaastaError("PAASTA_CLI_BAD_VALUE", {
      flag: "-t/--timeout",
      detail: `must be a positive number of seconds (got ${opts.timeout})`,
      hint: "Give the seconds to wait, e.g. -t 600.",
    });
  const service = opts.service.replace(/^services-/, "");
  const { deployGroupHistory } = await import("../../deploy/record.js");
  const { createLogWriter } = await import("../../logs/writer.js");
  const history = await deployGroupHistory(
    { soaDir, system, log: createLogWriter(undefined) },
    service,
    [opts.deployGroup],
    opts.gitUrl,
  );
  const latest = history.get(opts.deployGroup)?.[0];
  const versionMatches =
    latest?.sha.startsWith(sha) && (!opts.imageVersion || latest.imageVersion === opts.imageVersion);
  if (!versionMatches) {
    throw new PaastaError("PAASTA_USAGE", {
      detail: `${sha}${opts.imageVersion ? `+${opts.imageVersion}` : ""} is not the latest deployment of ${opts.deployGroup} (latest: ${latest?.sha ?? "none"}${latest?.imageVersion ? `+${latest.imageVersion}` : ""}); mark it for deployment first`,
    });
  }
  const r = await waitForDeployment(io, {
    soaDir,
    system,
    service,
    sha,
    deployGroup: opts.deployGroup,
    timeoutSeconds,
    json: opts.json,
    ...pollingMs(opts),
  });
  if (opts.json) printJson(io, { service, deploy_group: opts.deployGroup, git_sha: latest?.sha ?? sha, ...r });
  if (!r.ok) {
    const e = deployTimeout(service, opts.deployGroup, sha, timeoutSeconds);
    if (!opts.json) throw e;
    // The JSON result is the one document on stdout; the error goes to stderr only.
    io.err(`error ${e.message} [${e.code}]`);
    io.err(`  how to fix: ${e.fix}`);
    return e.exitCode;
  }
  return 0;
}
