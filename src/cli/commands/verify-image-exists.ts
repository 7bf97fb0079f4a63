/** `paasta verify-image-exists`: is the commit's image in the registry (optionally waiting for it)? */
import type { Command } from "commander";
import { examples, jsonOption, printJson } from "../common.js";
import { type ImageOptions, imageOptions, imageTargetOf } from "../image-context.js";
import { type Io, marks } from "../io.js";
import type { Runner } from "../registry.js";

interface VerifyOptions extends ImageOptions {
  wait?: boolean;
  timeout: string;
  pollPeriod: string;
  json?: boolean;
}

export function register(program: Command, io: Io, run: Runner): void {
  const cmd = program
    .command("verify-image-exists")
    .description("Check that the commit's image is in the registry (exit 1 when it is not)");
  jsonOption(imageOptions(cmd, true))
    .option("--wait", "poll until the image appears (or --timeout passes)")
    .option("--timeout <seconds>", "with --wait: give up after this many seconds", "3600")
    .option("--poll-period <seconds>", "with --wait: seconds between checks", "10")
    .addHelpText(
      "after",
      examples(
        "paasta verify-image-exists -s hello -c $(git rev-parse HEAD)",
        "paasta verify-image-exists -s hello -c 1a2b3c4d... --wait --timeout 600 --poll-period 5",
        "paasta verify-image-exists -s hello -c 1a2b3c4d... --json",
      ),
    )
    .action((opts: VerifyOptions) => run(runVerify(opts, io)));
}

export async function runVerify(opts: VerifyOptions, io: Io): Promise<number> {
  const { RegistryClient } = await import("../../image/registry.js");
  const { PaastaError } = await import("../../errors.js");
  const target = await imageTargetOf(opts, io);
  const client = new RegistryClient({ env: io.env });
  const deadline = Date.now() + Number(opts.timeout) * 1000;
  const started = Date.now();
  let info = await client.manifest(target.url);
  while (!info.exists && opts.wait && Date.now() < deadline) {
    if (!opts.json) io.out(`Waiting for ${target.url} …`);
    await new Promise((r) =>
      setTimeout(r, Math.min(Number(opts.pollPeriod) * 1000, Math.max(0, deadline - Date.now()))),
    );
    info = await client.manifest(target.url);
  }
  if (opts.json) {
    printJson(io, {
      image: target.url,
      exists: info.exists,
      digest: info.digest,
      media_type: info.mediaType,
      waited_seconds: Math.round((Date.now() - started) / 100) / 10,
    });
    return info.exists ? 0 : 1;
  }
  if (!info.exists)
    throw new PaastaError("PAASTA_IMAGE_NOT_FOUND", { image: target.url, service: target.service, sha: target.sha });
  io.out(marks(io).ok(`${target.url} exists (${info.digest})`));
  return 0;
}
