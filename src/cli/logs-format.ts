/**
 * One `paasta logs` line on the terminal (pure: tested by value), PaaSTA's layout plus the task the line came
 * from: `2026-11-23 10:04:05 [stdout] [dev] main[a1b2c3] - message`. The time is local, as PaaSTA prints it.
 */
import type { LogLine } from "../logs/writer.js";
import type { marks } from "./io.js";
import { localTime } from "./time-words.js";

type Marks = ReturnType<typeof marks>;

/** The last part of a task id or pod name (`main-1a2b3c4d-9f8e7d` → `9f8e7d`), enough to tell tasks apart. */
export function shortTask(id: string): string {
  const parts = id.split("-");
  return parts.length > 1 ? (parts.at(-1) as string) : id;
}

/** Whether a line comes from one of the tasks asked for with `-p/--pods` (full ids or short ones). */
export function fromTasks(line: LogLine, tasks: readonly string[] | undefined): boolean {
  if (!tasks?.length) return true;
  if (!line.task) return false;
  return tasks.some((t) => line.task === t || shortTask(line.task as string) === t);
}

export function formatLogLine(l: LogLine, m: Marks, o: { stripHeaders?: boolean } = {}): string {
  if (o.stripHeaders) return l.message;
  const t = Date.parse(l.timestamp);
  const time = Number.isNaN(t) ? l.timestamp : localTime(t);
  const component = `[${l.component}]`;
  const who = `${l.instance}${l.task ? `[${shortTask(l.task)}]` : ""}`;
  const colour = l.component === "stderr" ? m.red : l.component === "stdout" ? (s: string) => s : m.cyan;
  return `${m.dim(time)} ${colour(component)} [${l.cluster}] ${who} - ${l.message}`;
}
