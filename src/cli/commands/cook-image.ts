/** `paasta cook-image`: build the service's image from the current directory, named after the commit. */
import type { Command } from "commander";
import { examples, jsonOption, printJson } from "../common.js";
import { type ImageOptions, imageOptions, imageTargetOf } from "../image-context.js";
import { type Io, marks } from "../io.js";
import type { Runner } from "../registry.js";

interface CookCliOptions extends ImageOptions {
  json?: boolean;
}

export function register(program: Command, io: Io, run: Runner): void {
  const cmd = program
    .command("cook-image")
    .description(
      "Build the service's image in the current directory: `make cook-image` with DOCKER_TAG, else its Dockerfile",
    );
  jsonOption(imageOptions(cmd, false))
    .addHelpText(
      "after",
      `${examples(
        "cd ~/src/hello && paasta cook-image -s hello",
        "paasta cook-image -s hello -c $(git rev-parse HEAD) --image-version 20240101T000000",
      )}
The image is named REGISTRY/services-SERVICE:paasta-SHA[-IMAGEVERSION] (docker_registry of service.yaml or of the
system config). When the Makefile has a cook-image target, \`make cook-image\` runs with DOCKER_TAG set to that
name (PaaSTA's contract); otherwise the Dockerfile is built through the engine API (DOCKER_HOST).
`,
    )
    .action((opts: CookCliOptions) => run(runCook(opts, io)));
}

export async function runCook(opts: CookCliOptions, io: Io): Promise<number> {
  const { cookImage } = await import("../../image/cook.js");
  const target = await imageTargetOf(opts, io);
  const started = Date.now();
  const log = opts.json ? io.err : io.out;
  const method = await cookImage({
    dir: io.cwd,
    image: target.url,
    env: io.env,
    out: log,
    err: io.err,
    labels: { "paasta.yelp.com/service": target.service, "paasta.yelp.com/git_sha": target.sha },
  });
  const seconds = Math.round((Date.now() - started) / 100) / 10;
  if (opts.json) printJson(io, { image: target.url, git_sha: target.sha, method, seconds });
  else
    io.out(
      marks(io).ok(`Built ${target.url} in ${seconds}s (${method === "make" ? "make cook-image" : "Dockerfile"})`),
    );
  return 0;
}
