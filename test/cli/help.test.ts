import { describe, expect, it } from "vitest";
import { bufferIo } from "../../src/cli/io.js";
import { buildProgram } from "../../src/cli/main.js";
import { paasta, paastaBin } from "../helpers/cli.js";

const commands = buildProgram(bufferIo(), () => {})
  .commands.map((c) => c.name())
  .filter((n) => n !== "help");

describe("paasta --help", () => {
  it("works from the installed binary and lists the commands", () => {
    const r = paastaBin(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Usage: paasta [options] [command]");
    for (const name of ["validate", "list", "list-clusters", "info", "check", "fsm"]) expect(r.stdout).toContain(name);
    expect(r.stdout).toContain("Examples:");
  });

  it.each(commands)("paasta %s --help shows usage and an example", async (name) => {
    const r = await paasta([name, "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Usage: paasta ${name}`);
    expect(r.stdout).toMatch(/Examples:\n {2}\$ .*paasta /);
  });

  it("an unknown flag is a usage error (exit 2)", async () => {
    const r = await paasta(["list", "--no-such-flag"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--no-such-flag'");
  });
});
