/** Running the real `paasta` program: in-process (fast) or as a child process (what users run). */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { bufferIo } from "../../src/cli/io.js";
import { runCli } from "../../src/cli/main.js";
import { BIN, REPO } from "./paths.js";

export { BIN, EXAMPLES, REPO, tempDir } from "./paths.js";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `paasta ARGS` in this process with a recording Io. */
export async function paasta(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  const io = bufferIo({
    cwd: opts.cwd ?? REPO,
    env: { PAASTA_SYSTEM_CONFIG_DIR: join(REPO, "test/fixtures/no-system-config"), ...opts.env },
  });
  const code = await runCli(["node", "paasta", ...args], io);
  return { code, stdout: io.stdout.join("\n"), stderr: io.stderr.join("\n") };
}

/** Runs the installed `bin/paasta.js` as a child process (uses the compiled dist/: `npm test` builds it first). */
export function paastaBin(
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string | Uint8Array } = {},
): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? REPO,
    encoding: "utf8",
    input: opts.input,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: "1", ...opts.env },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
