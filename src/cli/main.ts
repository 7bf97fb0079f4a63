/** The `paasta` program: parses the command line and runs one command. */
import { Command, CommanderError } from "commander";
import { isPaastaError } from "../errors.js";
import { type Io, marks, processIo } from "./io.js";
import { registerAll } from "./registry.js";
import { VERSION } from "./version.js";

export function buildProgram(io: Io, onExit: (code: number) => void): Command {
  const program = new Command("paasta");
  program
    .description("PaaSTA: build, deploy, connect, monitor and run services from soa-configs.")
    .version(VERSION, "-V, --version")
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({ writeOut: (s) => io.out(s.replace(/\n$/, "")), writeErr: (s) => io.err(s.replace(/\n$/, "")) })
    .configureHelp({ helpWidth: io.width })
    .exitOverride();
  const run = async (p: Promise<number>) => {
    onExit(await p.catch((e: unknown) => reportError(e, io)));
  };
  registerAll(program, io, run);
  program.addHelpText(
    "after",
    "\nExamples:\n  $ paasta validate --all -y ./soa-configs\n  $ paasta list -i -d ./soa-configs\n  $ paasta up\n\nEvery command has --help with its flags and an example.\n",
  );
  return program;
}

/** Prints an error with its code and how to fix it; returns the exit code. */
export function reportError(e: unknown, io: Io): number {
  const m = marks(io);
  if (isPaastaError(e)) {
    io.err(`${m.red("error")} ${e.message} [${e.code}]`);
    io.err(`  how to fix: ${e.fix}`);
    return e.exitCode;
  }
  io.err(`${m.red("error")} ${(e as Error)?.stack ?? String(e)} [PAASTA_INTERNAL]`);
  io.err("  how to fix: this is a bug in paasta; please report it with the command you ran.");
  return 1;
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
      return e.exitCode === 0 ? 0 : 2;
    }
    return reportError(e, io);
  }
  return code;
}

export async function main(argv: readonly string[]): Promise<void> {
  process.exitCode = await runCli(argv, processIo());
}
