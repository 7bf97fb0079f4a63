/** `paasta get-latest-deployment`, `get-docker-image`, `check-rollback-status`: read the deployment record. */
import type { Command } from "commander";
import { PaastaError } from "../../errors.js";
import {
  aliasOption,
  examples,
  jsonOption,
  printJson,
  required,
  resolveSoaDir,
  type SoaDirOptions,
  soaDirOptions,
} from "../common.js";
import { recordContext } from "../deploy-context.js";
import { type Io, marks } from "../io.js";
import type { Runner } from "../registry.js";

interface DeploymentOptions extends SoaDirOptions {
  service: string;
  deployGroup: string;
  shaOnly?: boolean;
  json?: boolean;
  commit?: string;
}

export function register(program: Command, io: Io, run: Runner): void {
  const latest = program
    .command("get-latest-deployment")
    .description("Print the git SHA deployed to a deploy group (from deployments.json)")
    .requiredOption("-s, --service <service>", "the service")
    .option("-l, --deploy-group <group>", "the deploy group (required; also -i)")
    .option("--sha-only", "print only the SHA")
    .option("-j, --json", "print JSON");
  aliasOption(latest, "-i <group>", "deployGroup");
  soaDirOptions(latest)
    .addHelpText("after", examples("paasta get-latest-deployment -s hello -l prod.everything -d ./soa-configs"))
    .action((opts: DeploymentOptions) => run(runLatest(opts, io)));

  const image = program
    .command("get-docker-image")
    .description("Print the image URL deployed to a deploy group")
    .requiredOption("-s, --service <service>", "the service")
    .option("-l, --deploy-group <group>", "the deploy group (required; also -i)");
  aliasOption(image, "-i <group>", "deployGroup");
  jsonOption(soaDirOptions(image))
    .addHelpText("after", examples("paasta get-docker-image -s hello -l prod.everything -d ./soa-configs"))
    .action((opts: DeploymentOptions) => run(runImage(opts, io)));

  const rb = program
    .command("check-rollback-status")
    .description("Was this commit rolled back from the deploy group? Exit 1 if it was, 0 if not")
    .requiredOption("-s, --service <service>", "the service")
    .requiredOption("-k, --commit <sha>", "the commit")
    .requiredOption("-l, --deploy-group <group>", "the deploy group");
  jsonOption(soaDirOptions(rb))
    .addHelpText("after", examples("paasta check-rollback-status -s hello -k 1a2b3c4 -l prod.everything"))
    .action((opts: DeploymentOptions) => run(runRollbackStatus(opts, io)));
}

async function deployment(opts: DeploymentOptions, io: Io) {
  const { readDeployments, deploymentFor } = await import("../../deploy/deployments-file.js");
  const { readServiceDir } = await import("../../config/soa.js");
  const { normaliseService } = await import("../../deploy/remote.js");
  const soaDir = await resolveSoaDir(opts, io);
  const svc = readServiceDir(soaDir, normaliseService(opts.service));
  const group = required(opts.deployGroup as string | undefined, "-l, --deploy-group <group>");
  const d = deploymentFor(readDeployments(soaDir, svc.name), group);
  if (!d)
    throw new PaastaError("PAASTA_NOT_DEPLOYED", {
      what: `${svc.name} in ${opts.deployGroup}`,
      group: opts.deployGroup,
    });
  return { svc, d };
}

export async function runLatest(opts: DeploymentOptions, io: Io): Promise<number> {
  const { d } = await deployment(opts, io);
  if (opts.json) printJson(io, { git_sha: d.git_sha, image_version: d.image_version });
  else if (opts.shaOnly || !d.image_version) io.out(d.git_sha);
  else io.out(`${d.git_sha} (image version ${d.image_version})`);
  return 0;
}

export async function runImage(opts: DeploymentOptions, io: Io): Promise<number> {
  const { fileValue } = await import("../../config/soa.js");
  const { svc, d } = await deployment(opts, io);
  const system = await (await import("../common.js")).optionalSystemConfig(io);
  const own = fileValue(svc, "service").docker_registry;
  const registry = typeof own === "string" ? own : system?.dockerRegistry();
  if (!registry)
    throw new PaastaError("PAASTA_SYSTEM_CONFIG_KEY_MISSING", {
      key: "docker_registry",
      dir: system?.dir ?? "PAASTA_SYSTEM_CONFIG_DIR",
    });
  const url = `${registry.replace(/\/+$/, "")}/${d.docker_image}`;
  if (opts.json) printJson(io, { docker_image: d.docker_image, image_url: url });
  else io.out(url);
  return 0;
}

export async function runRollbackStatus(opts: DeploymentOptions, io: Io): Promise<number> {
  const { rollbacksOf } = await import("../../deploy/record.js");
  const ctx = await recordContext(opts, io);
  const at = await rollbacksOf(ctx, opts.service, opts.commit as string, opts.deployGroup);
  if (opts.json) printJson(io, { rolled_back: at.length > 0, rolled_back_at: at });
  else if (at.length === 0) io.out(`OK: Commit ${opts.commit} has not been rolled back for ${opts.deployGroup}`);
  else {
    io.out(marks(io).red(`ROLLED BACK: Commit ${opts.commit} was rolled back for ${opts.deployGroup}`));
    for (const t of at) io.out(`  Rolled back at: ${t}`);
  }
  return at.length === 0 ? 0 : 1;
}
