/** `paasta completion bash|zsh`: a shell completion script generated from the command definitions. */
import type { Command } from "commander";
import { PaastaError } from "../../errors.js";
import { examples } from "../common.js";
import type { Io } from "../io.js";
import type { Runner } from "../registry.js";

export function register(program: Command, io: Io, run: Runner): void {
  program
    .command("completion")
    .description("Print a bash or zsh completion script for paasta (commands, options, service names)")
    .argument("<shell>", "bash or zsh")
    .addHelpText(
      "after",
      `${examples("source <(paasta completion bash)", "paasta completion bash > /etc/bash_completion.d/paasta", "source <(paasta completion zsh)")}
Put the source line in ~/.bashrc or ~/.zshrc to have it in every shell.
`,
    )
    .action((shell: string) => run(runCompletion(program, shell, io)));
}

export async function runCompletion(program: Command, shell: string, io: Io): Promise<number> {
  const { bashCompletion, zshCompletion } = await import("../completion.js");
  if (shell !== "bash" && shell !== "zsh")
    throw new PaastaError("PAASTA_CLI_BAD_VALUE", {
      flag: "SHELL",
      detail: `no completion for "${shell}"`,
      hint: "Use `paasta completion bash` or `paasta completion zsh`.",
    });
  io.write(shell === "bash" ? bashCompletion(program) : zshCompletion(program));
  return 0;
}
