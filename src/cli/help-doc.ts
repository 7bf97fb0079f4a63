/** docs/cli.md's generated block: every command's --help, so the reference cannot drift from the code. */
import { bufferIo } from "./io.js";
import { buildProgram, runCli } from "./main.js";

export async function renderCliDoc(): Promise<Map<string, string>> {
  // A command with subcommands (`pipeline run`) gets a section for itself and one per subcommand.
  const names = buildProgram(bufferIo(), () => {})
    .commands.flatMap((c) => [[c.name()], ...c.commands.map((sub) => [c.name(), sub.name()])])
    .filter((n) => n[0] !== "help" && n[1] !== "help")
    .map((n) => n.join(" "))
    .sort()
    .map((n) => n.split(" "));
  const sections: string[] = [];
  for (const name of names) {
    const io = bufferIo();
    await runCli(["node", "paasta", ...name, "--help"], io);
    sections.push(`### paasta ${name.join(" ")}\n\n\`\`\`\n${io.stdout.join("\n").trimEnd()}\n\`\`\``);
  }
  return new Map([["cli", sections.join("\n\n")]]);
}
