/** Every `paasta` command, registered in one place. Each command module imports its heavy dependencies lazily. */
import type { Command } from "commander";
import * as validate from "./commands/validate.js";
import type { Io } from "./io.js";

export type Runner = (p: Promise<number>) => Promise<void>;

export function registerAll(program: Command, io: Io, run: Runner): void {
  for (const mod of [validate]) mod.register(program, io, run);
}
