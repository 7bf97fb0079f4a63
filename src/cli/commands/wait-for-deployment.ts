/** `paasta wait-for-deployment`: block until a deploy group runs a SHA on every cluster. */
import type { Command } from "commander";
import { PaastaError } from "../../errors.js";
import {
  examples,
  required,
  requireSystemConfig,
  resolveSoaDir,
  type SoaDirOptions,
  shortAlias,
  soaDirOptions,
} from "../common.js";
import type { Io } from "../io.js";
import type { Runner } from "../registry.js";
import { deployTimeout, waitForDeployment } from "../wait.js";

interface WaitOptions extends SoaDirOptions {
  service: string;
  commit?: string;
  deployGroup: string;
  timeout: string;
}

export function register(program: Command, io: Io, run: Runner): void {
  const cmd = program
    .command("wait-for-deployment")
    .description("Wait until every instance of a deploy group runs a commit (and only it) with enough healthy tasks")
    .requiredOption("-s, --service <service>", "the service")
    .option("-c, --commit <sha>", "the commit marked for the group (required; alias -k)")
    .requiredOption("-l, --deploy-group <group>", "the deploy group")
    .option("-t, --timeout <seconds>", "give up after this many seconds", "10800");
  shortAlias(cmd, "-k", "commit", "<sha>");
  soaDirOptions(cmd)
    .addHelpText(
      "after",
      `${examples("paasta wait-for-deployment -s hello -c 1a2b3c4 -l dev.everything -t 600")}\nExit status: 0 when deployed everywhere, 1 on timeout.\n`,
    )
    .action((opts: WaitOptions) => run(runWait(opts, io)));
}

export async function runWait(opts: WaitOptions, io: Io): Promise<number> {
  const system = await requireSystemConfig(io);
  const soaDir = await resolveSoaDir(opts, io);
  const sha = required(opts.commit, "-c, --commit <sha>");
  const timeoutSeconds = Number(opts.timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0)
    throw new PaastaError("PAASTA_USAGE", {
      detail: `--timeout must be a positive number of seconds (got ${opts.timeout})`,
    });
  const { deployGroupHistory } = await import("../../deploy/record.js");
  const { createLogWriter } = await import("../../logs/writer.js");
  const history = await deployGroupHistory({ soaDir, system, log: createLogWriter(undefined) }, opts.service, [
    opts.deployGroup,
  ]);
  const latest = history.get(opts.deployGroup)?.[0];
  if (!latest?.sha.startsWith(sha)) {
    throw new PaastaError("PAASTA_USAGE", {
      detail: `${sha} is not the latest deployment of ${opts.deployGroup} (latest: ${latest?.sha ?? "none"}); mark it for deployment first`,
    });
  }
  const ok = await waitForDeployment(io, {
    soaDir,
    system,
    service: opts.service,
    sha,
    deployGroup: opts.deployGroup,
    timeoutSeconds,
  });
  if (!ok) throw deployTimeout(opts.service, opts.deployGroup, sha, timeoutSeconds);
  return 0;
}
