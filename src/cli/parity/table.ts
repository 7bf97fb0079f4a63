/**
 * The option-parity table of docs/compatibility.md, generated from our command definitions (every spelling
 * commander accepts, hidden aliases included) held against PaaSTA's parsers (paasta-options.ts).
 */
import type { Command } from "commander";
import { bufferIo } from "../io.js";
import { buildProgram } from "../main.js";
import { PAASTA_OPTIONS, type PaastaOption } from "./paasta-options.js";

export interface OptionParity {
  readonly command: string;
  readonly option: PaastaOption;
  /** The spellings accepted here. */
  readonly accepted: readonly string[];
  /** The spellings refused here. */
  readonly refused: readonly string[];
}

/** Every spelling a command accepts (`-s`, `--service`, hidden aliases). */
export function spellings(cmd: Command): Set<string> {
  const out = new Set<string>();
  for (const o of cmd.options) {
    if (o.short) out.add(o.short);
    if (o.long) out.add(o.long);
  }
  return out;
}

export function optionParity(program: Command = buildProgram(bufferIo(), () => {})): OptionParity[] {
  const rows: OptionParity[] = [];
  for (const [name, options] of Object.entries(PAASTA_OPTIONS)) {
    const cmd = program.commands.find((c) => c.name() === name);
    const ours = cmd ? spellings(cmd) : new Set<string>();
    const positionals = cmd?.registeredArguments.length ?? 0;
    for (const option of options) {
      const accepted = option.positional
        ? positionals > 0
          ? [...option.flags]
          : []
        : option.flags.filter((f) => ours.has(f));
      rows.push({
        command: name,
        option,
        accepted,
        refused: option.flags.filter((f) => !accepted.includes(f)),
      });
    }
  }
  return rows;
}

function cell(r: OptionParity): string {
  if (r.refused.length === 0) return "✓";
  if (r.accepted.length === 0) return "✗";
  return `✓ ${r.accepted.join(", ")} (not ${r.refused.join(", ")})`;
}

export function renderParityDoc(): Map<string, string> {
  const rows = optionParity();
  const full = rows.filter((r) => r.refused.length === 0).length;
  const lines = [
    `${rows.length} options of ${Object.keys(PAASTA_OPTIONS).length} PaaSTA commands; ${full} accepted in every spelling PaaSTA has.`,
    "",
    "| Command | PaaSTA option | Here | Note |",
    "|---|---|---|---|",
  ];
  for (const r of rows) {
    const flags = r.option.positional
      ? `\`${r.option.flags[0]}\` (positional)`
      : r.option.flags.map((f) => `\`${f}\``).join(", ");
    const note = [r.option.note, r.option.missing].filter(Boolean).join("; ").replace(/\|/g, "\\|");
    lines.push(`| ${r.command} | ${flags} | ${cell(r)} | ${note} |`);
  }
  return new Map([["cli-parity", lines.join("\n")]]);
}
