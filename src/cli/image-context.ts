/** What the image commands share: -s/-c/--image-version, the registry, and the service's repository (cwd). */
import type { Command } from "commander";
import { type ImageTarget, imageTarget, registryFor, resolveCommit } from "../image/target.js";
import { optionalSystemConfig, resolveSoaDir, type SoaDirOptions, soaDirOptions } from "./common.js";
import type { Io } from "./io.js";

export interface ImageOptions extends SoaDirOptions {
  service: string;
  commit?: string;
  imageVersion?: string;
}

/** Adds -s, -c (optional unless `commitRequired`), --image-version and the soa-dir flags. */
export function imageOptions(cmd: Command, commitRequired: boolean): Command {
  cmd.requiredOption("-s, --service <service>", "the service (a leading services- is stripped)");
  if (commitRequired) cmd.requiredOption("-c, --commit <sha>", "the git SHA the image is built from");
  else cmd.option("-c, --commit <sha>", "the git SHA the image is built from (default: HEAD of the current directory)");
  cmd.option("--image-version <version>", "image version (tag paasta-SHA-VERSION), to rebuild the same SHA");
  return soaDirOptions(cmd);
}

/** The image the flags name: the registry from service.yaml or the system config, the full SHA. */
export async function imageTargetOf(opts: ImageOptions, io: Io): Promise<ImageTarget> {
  const service = opts.service.replace(/^services-/, "");
  const system = await optionalSystemConfig(io);
  const soaDir = await resolveSoaDir(opts, io).catch(() => undefined);
  const registry = await registryFor(service, soaDir, system);
  const sha = resolveCommit(io.cwd, opts.commit);
  return imageTarget(service, sha, opts.imageVersion ?? null, registry);
}
