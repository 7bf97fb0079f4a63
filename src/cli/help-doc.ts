/** docs/cli.md's generated block: every command's --help, so the reference cannot drift from the code. */
import { bufferIo } from "./io.js";
import { buildProgram, runCli } from "./main.js";

export async function renderCliDoc(): Promise<Map<string, string>> {
  const names = buildProgram(bufferIo(), () => {})
    .commands.map((c) => c.name())
    .filter((n) => n !== "help")
    .sort();
  const sections: string[] = [];
  for (const name of names) {
    const io = bufferIo();
    await runCli(["node", "paasta", name, "--help"], io);
    sections.push(`### paasta ${name}\n\n\`\`\`\n${io.stdout.join("\n").trimEnd()}\n\`\`\``);
  }
  return new Map([["cli", sections.join("\n\n")]]);
}
