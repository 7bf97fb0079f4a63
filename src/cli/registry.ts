/** Every `paasta` command, registered in one place. Each command module imports its heavy dependencies lazily. */
import type { Command } from "commander";
import * as check from "./commands/check.js";
import * as fsm from "./commands/fsm.js";
import * as info from "./commands/info.js";
import * as list from "./commands/list.js";
import * as validate from "./commands/validate.js";
import type { Io } from "./io.js";

export type Runner = (p: Promise<number>) => Promise<void>;

export function registerAll(program: Command, io: Io, run: Runner): void {
  for (const mod of [validate, list, info, check, fsm]) mod.register(program, io, run);
}
