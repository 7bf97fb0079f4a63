/** docs/cli.md's generated block: every command's --help, so the reference cannot drift from the code. */
import { bufferIo } from "./io.js";
import { buildProgram, runCli } from "./main.js";

export async function renderCliDoc(): Promise<Map<string, string>> {
  const visible = (c: { name(): string }) => c.name() !== "help";
  const names = buildProgram(bufferIo(), () => {})
    .commands.filter(visible)
    .flatMap((c) => [[c.name()], ...c.commands.filter(visible).map((sub) => [c.name(), sub.name()])])
    .sort((a, b) => a.join(" ").localeCompare(b.join(" ")));
  const sections: string[] = [];
  for (const words of names) {
    const io = bufferIo();
    await runCli(["node", "paasta", ...words, "--help"], io);
    sections.push(`### paasta ${words.join(" ")}\n\n\`\`\`\n${io.stdout.join("\n").trimEnd()}\n\`\`\``);
  }
  return new Map([["cli", sections.join("\n\n")]]);
}
