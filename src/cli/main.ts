/** The `paasta` program: parses the command line and runs one command. */
import { Command, CommanderError } from "commander";
import { isPaastaError, PaastaError } from "../errors.js";
import { type Io, marks, processIo } from "./io.js";
import { registerAll } from "./registry.js";
import { VERSION } from "./version.js";

export function buildProgram(given: Io, onExit: (code: number) => void): Command {
  const program = new Command("paasta");
  // `json`: the command was asked for JSON; `printed`: it wrote stdout (then its own JSON is the document).
  const seen = { json: false, printed: false };
  const io: Io = {
    ...given,
    out: (line) => {
      seen.printed = true;
      given.out(line);
    },
    write: (data) => {
      seen.printed = true;
      given.write(data);
    },
  };
  program
    .description("PaaSTA: build, deploy, connect, monitor and run services from soa-configs.")
    .version(VERSION, "-V, --version")
    .configureOutput({
      writeOut: (s) => io.out(s.replace(/\n$/, "")),
      writeErr: (s) => io.err(s.replace(/\n$/, "")),
      // Parse errors are reported by runCli in the catalogue's format (code, message, how to fix).
      outputError: () => {},
    })
    .configureHelp({ helpWidth: io.width })
    .exitOverride()
    .hook("preAction", (_parent, action) => {
      const o = action.opts() as { json?: unknown; jsonDict?: unknown };
      seen.json = Boolean(o.json || o.jsonDict);
    });
  const run = async (p: Promise<number>) => {
    onExit(await p.catch((e: unknown) => reportError(e, given, { json: seen.json && !seen.printed })));
  };
  registerAll(program, io, run);
  program.addHelpText(
    "after",
    "\nExamples:\n  $ paasta validate --all -y ./soa-configs\n  $ paasta list -i -d ./soa-configs\n  $ paasta up\n\nEvery command has --help with its flags and an example.\n",
  );
  return program;
}

/**
 * Prints an error with its code and how to fix it (on stderr; also as JSON on stdout when `--json` was asked
 * and the command printed nothing: stdout then holds one JSON document either way); returns the exit code.
 */
export function reportError(e: unknown, io: Io, o: { json?: boolean } = {}): number {
  const m = marks(io);
  if (isPaastaError(e)) {
    if (o.json) io.out(JSON.stringify({ error: e.toJSON() }, null, 2));
    io.err(`${m.red("error")} ${e.message} [${e.code}]`);
    io.err(`  how to fix: ${e.fix}`);
    return e.exitCode;
  }
  if (o.json) {
    const message = (e as Error)?.message ?? String(e);
    io.out(JSON.stringify({ error: { code: "PAASTA_INTERNAL", message, fix: "this is a bug in paasta" } }, null, 2));
  }
  io.err(`${m.red("error")} ${(e as Error)?.stack ?? String(e)} [PAASTA_INTERNAL]`);
  io.err("  how to fix: this is a bug in paasta; please report it with the command you ran.");
  return 1;
}

/** `paasta pipeline run …` → "paasta pipeline run": the command a parse error is about, for its how-to-fix. */
function commandPath(program: Command, args: readonly string[]): string {
  const words = ["paasta"];
  let cmd: Command | undefined = program;
  for (const a of args) {
    if (a.startsWith("-")) break;
    cmd = cmd?.commands.find((c) => c.name() === a || c.aliases().includes(a));
    if (!cmd) break;
    words.push(cmd.name());
  }
  return words.join(" ");
}

/** A parser error as a catalogue error: commander's text without its "error: " prefix. */
export function usageError(e: CommanderError, program: Command, args: readonly string[]): PaastaError {
  const detail = e.message.replace(/^error:\s*/, "").replace(/\n+/g, " ");
  return new PaastaError("PAASTA_CLI_USAGE", { detail, command: commandPath(program, args) });
}

/** Runs `argv` (process.argv shape) and returns the exit code. */
export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  let code = 0;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync([...argv]);
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help")
        return 0;
      if (e.exitCode === 0) return 0;
      const args = argv.slice(2);
      return reportError(usageError(e, program, args), io, { json: args.includes("--json") });
    }
    return reportError(e, io, { json: argv.includes("--json") });
  }
  return code;
}

/** Output to a reader that went away (`paasta list | head -1`) ends the program quietly, as Unix tools do. */
function quietOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "EPIPE") process.exit(0);
      throw e;
    });
  }
}

export async function main(argv: readonly string[]): Promise<void> {
  quietOnClosedPipe();
  process.exitCode = await runCli(argv, processIo());
}
