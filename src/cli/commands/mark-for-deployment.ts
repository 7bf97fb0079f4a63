/** `paasta mark-for-deployment`: tag a commit for a deploy group in the service's git repository. */
import type { Command } from "commander";
import {
  aliasOption,
  examples,
  jsonOption,
  printJson,
  required,
  type SoaDirOptions,
  shortAlias,
  soaDirOptions,
} from "../common.js";
import { recordContext } from "../deploy-context.js";
import { type Io, marks } from "../io.js";
import type { Runner } from "../registry.js";
import { type PollingOptions, pollingMs, pollingOptions } from "./wait-for-deployment.js";

interface MarkOptions extends SoaDirOptions, PollingOptions {
  service: string;
  gitUrl?: string;
  commit?: string;
  deployGroup?: string;
  imageVersion?: string;
  json?: boolean;
  waitForDeployment?: boolean;
  timeout: string;
  autoRollback?: boolean;
  verifyImageExists?: boolean;
  warn: string;
  author: string[];
  verbose?: number;
  autoCertifyDelay?: string;
  autoAbandonDelay?: string;
  autoRollbackDelay?: string;
}

export function register(program: Command, io: Io, run: Runner): void {
  const cmd = program
    .command("mark-for-deployment")
    .description("Mark a commit for deployment to a deploy group (pushes a paasta-DG-TS-deploy tag)")
    .requiredOption("-s, --service <service>", "the service (a leading services- is stripped)")
    .option("-c, --commit <sha>", "the git SHA to deploy: full or an unambiguous prefix (required; alias -k)")
    .option("-l, --deploy-group <group>", "the deploy group: a step of deploy.yaml (required; also --clusterinstance)")
    .option("-u, --git-url <url>", "the service's git repository (default: git_url of service.yaml)")
    .option("-i, --image-version <version>", "image version, to redeploy the same SHA with a rebuilt image")
    .option("--wait-for-deployment", "then wait until every instance of the group runs the commit, showing progress")
    .option("-t, --timeout <seconds>", "with --wait-for-deployment: give up after this many seconds", "10800")
    .option("--auto-rollback", "with --wait-for-deployment: on timeout, roll the group back to the previous commit")
    .option(
      "--verify-image-exists",
      "refuse to mark unless the commit's image is in the registry (nothing is pushed then)",
    )
    .option("-w, --warn <percent>", "with --wait-for-deployment: warn once when this % of the timeout has passed", "17")
    .option(
      "--author <name>",
      "another author of the change, named in the deploy event (repeatable; PaaSTA pings them in Slack)",
      (v: string, all: string[]) => [...all, v],
      [],
    )
    .option("-v, --verbose", "accepted as in PaaSTA", (_v: string, n: number) => n + 1, 0)
    .option("--auto-certify-delay <seconds>", "accepted as in PaaSTA; no Slack certify step here")
    .option("--auto-abandon-delay <seconds>", "accepted as in PaaSTA; no Slack abandon step here")
    .option("--auto-rollback-delay <seconds>", "accepted as in PaaSTA; no SLO watcher here");
  shortAlias(cmd, "-k", "commit", "<sha>");
  aliasOption(cmd, "--clusterinstance <group>", "deployGroup");
  jsonOption(soaDirOptions(pollingOptions(cmd)))
    .addHelpText(
      "after",
      `${examples(
        "paasta mark-for-deployment -s hello -c 1a2b3c4 -l dev.everything -d ./soa-configs",
        "paasta mark-for-deployment -s hello -c $(git rev-parse HEAD) -l prod.everything -u git@git.example.org:svc/hello",
      )}
The tag points at the commit; nothing else in the repository changes. deployments.json in the soa-configs
directory is regenerated, so \`paasta up\` (or the Kubernetes deployd) picks the new version up.
`,
    )
    .action((opts: MarkOptions) => run(runMark(opts, io)));
}

export async function runMark(given: MarkOptions, io: Io): Promise<number> {
  const opts = { ...given, deployGroup: required(given.deployGroup, "-l, --deploy-group <group>") };
  const { markForDeployment } = await import("../../deploy/record.js");
  const ctx = await recordContext(opts, io);
  if (opts.verifyImageExists) await verifyImage(ctx, opts, io);
  const r = await markForDeployment(ctx, {
    service: opts.service,
    sha: required(opts.commit, "-c, --commit <sha>"),
    deployGroup: opts.deployGroup,
    imageVersion: opts.imageVersion ?? null,
    gitUrl: opts.gitUrl,
    authors: opts.author,
  });
  if (opts.json) {
    printJson(io, {
      tag: r.tag,
      git_sha: r.sha,
      previous_git_sha: r.previousSha,
      previously_rolled_back: r.previouslyRolledBack,
    });
  }
  const m = marks(io);
  if (!opts.json) {
    if (r.previouslyRolledBack)
      io.out(m.warn(`${r.sha} was rolled back from ${opts.deployGroup} before; deploying it again anyway`));
    io.out(m.ok(`Marked ${r.sha} for deployment in ${opts.deployGroup} (tag ${r.tag})`));
    if (r.previousSha && r.previousSha !== r.sha) io.out(`  previously: ${r.previousSha}`);
  }
  if (!opts.waitForDeployment) return 0;
  const { waitForDeployment, deployTimeout } = await import("../wait.js");
  const { requireSystemConfig } = await import("../common.js");
  const system = ctx.system ?? (await requireSystemConfig(io));
  const { seconds } = await import("../wait.js");
  const timeoutSeconds = seconds("-t/--timeout", opts.timeout) ?? 10800;
  const { ok } = await waitForDeployment(io, {
    soaDir: ctx.soaDir,
    system,
    service: opts.service,
    sha: r.sha,
    deployGroup: opts.deployGroup,
    timeoutSeconds,
    warnPercent: seconds("-w/--warn", opts.warn),
    json: opts.json,
    ...pollingMs(opts),
  });
  if (ok) return 0;
  if (opts.autoRollback && r.previousSha && r.previousSha !== r.sha) {
    const { rollback } = await import("../../deploy/record.js");
    const [back] = await rollback(ctx, { service: opts.service, deployGroups: [opts.deployGroup], sha: r.previousSha });
    io.out(m.warn(`Rolled ${opts.deployGroup} back to ${r.previousSha} (tag ${back?.tag}, marker ${back?.marker})`));
  } else if (opts.autoRollback) io.out(m.warn("No previous version to roll back to"));
  throw deployTimeout(opts.service, opts.deployGroup, r.sha, timeoutSeconds);
}

/** The commit's image must be in the registry before anything is tagged (reference §3.4). */
async function verifyImage(ctx: Awaited<ReturnType<typeof recordContext>>, opts: MarkOptions, io: Io): Promise<void> {
  const { openRemote } = await import("../../deploy/remote.js");
  const { ensureCommit } = await import("../../deploy/git.js");
  const { imageTarget, registryFor } = await import("../../image/target.js");
  const { RegistryClient } = await import("../../image/registry.js");
  const { PaastaError } = await import("../../errors.js");
  const remote = await openRemote(ctx.soaDir, opts.service, { gitUrl: opts.gitUrl, git: ctx.git });
  const { sha } = await ensureCommit(remote.url, required(opts.commit, "-c, --commit <sha>"), remote.git);
  const registry = await registryFor(remote.service, ctx.soaDir, ctx.system);
  const target = imageTarget(remote.service, sha, opts.imageVersion ?? null, registry);
  const info = await new RegistryClient({ env: io.env }).manifest(target.url);
  if (!info.exists)
    throw new PaastaError("PAASTA_IMAGE_NOT_FOUND", { image: target.url, service: target.service, sha });
  if (!opts.json) io.out(marks(io).ok(`${target.url} is in the registry`));
}
