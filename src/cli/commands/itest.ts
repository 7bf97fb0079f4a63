/** `paasta itest`: PaaSTA's `make itest` with DOCKER_TAG set to the commit's image. */
import type { Command } from "commander";
import { examples } from "../common.js";
import { type ImageOptions, imageOptions, imageTargetOf } from "../image-context.js";
import { type Io, marks } from "../io.js";
import type { Runner } from "../registry.js";

interface ItestOptions extends ImageOptions {
  timeout: string;
}

export function register(program: Command, io: Io, run: Runner): void {
  const cmd = program
    .command("itest")
    .description("Run the service's integration tests: `make itest` with DOCKER_TAG set to the commit's image");
  imageOptions(cmd, true)
    .option("--timeout <seconds>", "stop make after this many seconds", "3600")
    .addHelpText(
      "after",
      `${examples("cd ~/src/hello && paasta itest -s hello -c $(git rev-parse HEAD)", "paasta itest -s hello -c 1a2b3c4 --timeout 600")}
Runs in the current directory (the service's repository). Its exit code is 0 when make succeeded.
`,
    )
    .action((opts: ItestOptions) => run(runItest(opts, io)));
}

export async function runItest(opts: ItestOptions, io: Io): Promise<number> {
  const { runMake } = await import("../../image/make.js");
  const target = await imageTargetOf(opts, io);
  const started = Date.now();
  await runMake({
    dir: io.cwd,
    target: "itest",
    image: target.url,
    env: io.env,
    timeoutSeconds: Number(opts.timeout),
    out: io.out,
    err: io.err,
  });
  io.out(marks(io).ok(`make itest passed for ${target.url} in ${((Date.now() - started) / 1000).toFixed(1)}s`));
  return 0;
}
