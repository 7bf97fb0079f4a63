/** `paasta push-to-registry`: push the commit's image, unless the registry already has it. */
import type { Command } from "commander";
import { examples, jsonOption, printJson } from "../common.js";
import { type ImageOptions, imageOptions, imageTargetOf } from "../image-context.js";
import { type Io, marks } from "../io.js";
import type { Runner } from "../registry.js";

interface PushOptions extends ImageOptions {
  force?: boolean;
  json?: boolean;
}

export function register(program: Command, io: Io, run: Runner): void {
  const cmd = program
    .command("push-to-registry")
    .description("Push the commit's image (built by cook-image) to the registry; skipped when it is already there");
  jsonOption(imageOptions(cmd, true))
    .option("-f, --force", "push even when the registry already has the image")
    .addHelpText(
      "after",
      `${examples("paasta push-to-registry -s hello -c $(git rev-parse HEAD)", "paasta push-to-registry -s hello -c 1a2b3c4 --force")}
Credentials for the registry are read from the Docker config file ($DOCKER_CONFIG/config.json or
~/.docker/config.json, as \`docker login\` writes it).
`,
    )
    .action((opts: PushOptions) => run(runPush(opts, io)));
}

export async function runPush(opts: PushOptions, io: Io): Promise<number> {
  const { RegistryClient } = await import("../../image/registry.js");
  const { connectEngine } = await import("../../image/engine.js");
  const { imageExists, pushImage } = await import("../../image/images.js");
  const { PaastaError } = await import("../../errors.js");
  const target = await imageTargetOf(opts, io);
  const m = marks(io);
  const registry = new RegistryClient({ env: io.env });
  if (!opts.force) {
    const before = await registry.manifest(target.url);
    if (before.exists) {
      if (opts.json) printJson(io, { image: target.url, pushed: false, digest: before.digest });
      else io.out(m.ok(`${target.url} is already in the registry (${before.digest}); not pushing (-f pushes anyway)`));
      return 0;
    }
  }
  const engine = await connectEngine(io.env);
  if (!(await imageExists(engine, target.url))) {
    throw new PaastaError("PAASTA_IMAGE_NOT_BUILT", {
      image: target.url,
      where: engine.where,
      service: target.service,
      sha: target.sha,
    });
  }
  const started = Date.now();
  await pushImage(engine, target.url, io.env, opts.json ? io.err : io.out);
  const after = await registry.manifest(target.url);
  const seconds = Math.round((Date.now() - started) / 100) / 10;
  if (opts.json) printJson(io, { image: target.url, pushed: true, digest: after.digest, seconds });
  else io.out(m.ok(`Pushed ${target.url} in ${seconds}s (${after.digest ?? "digest unknown"})`));
  return 0;
}
