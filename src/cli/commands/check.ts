/** `paasta check`: run in a service's git repository to see whether it honours PaaSTA's contract. */
import type { Command } from "commander";
import {
  examples,
  guessService,
  jsonOption,
  printJson,
  resolveSoaDir,
  type SoaDirOptions,
  soaDirOptions,
} from "../common.js";
import { type Io, marks } from "../io.js";
import type { Runner } from "../registry.js";

interface CheckOptions extends SoaDirOptions {
  service?: string;
  json?: boolean;
}

export function register(program: Command, io: Io, run: Runner): void {
  const cmd = program
    .command("check")
    .description("Check that the service repository in the current directory honours PaaSTA's contract")
    .option("-s, --service <service>", "the service (default: the current directory's name)");
  jsonOption(soaDirOptions(cmd))
    .addHelpText(
      "after",
      `${examples("cd ~/src/hello && paasta check -d ~/soa-configs", "paasta check -s hello -d ./soa-configs --json")}
Checks: Dockerfile (or a Makefile cook-image target); Makefile targets test, itest, cook-image and DOCKER_TAG;
soa-configs directory, deploy.yaml and deploy groups matching the instances; a monitoring team; git_url reachable.
Exit status: 0 when every check passes, 1 otherwise.
`,
    )
    .action((opts: CheckOptions) => run(runCheck(opts, io)));
}

export async function runCheck(opts: CheckOptions, io: Io): Promise<number> {
  const { checkRepoContract } = await import("../../image/repo-contract.js");
  const soaDir = await resolveSoaDir(opts, io);
  const service = guessService(io, opts.service);
  const checks = await checkRepoContract(io.cwd, soaDir, service);
  const failed = checks.filter((c) => !c.ok).length;
  if (opts.json) {
    printJson(io, { service, ok: failed === 0, checks });
    return failed === 0 ? 0 : 1;
  }
  const m = marks(io);
  for (const c of checks) {
    io.out(c.ok ? m.ok(c.message) : m.fail(c.message));
    for (const d of c.detail ?? []) if (!c.ok) io.out(`    ${d}`);
  }
  return failed === 0 ? 0 : 1;
}
