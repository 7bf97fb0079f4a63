/**
 * Reading JSON-line logs (the runtime's stream and the `file` log writer's files) for `paasta logs`:
 * filtered by instance, component and time, the last N lines, and following new lines as they are written.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from "node:fs";
import type { LogLine } from "./writer.js";

export interface LogFilter {
  readonly instances?: readonly string[];
  readonly components?: readonly string[];
  readonly from?: Date;
  readonly to?: Date;
}

export function matches(line: LogLine, f: LogFilter): boolean {
  if (f.components?.length && !f.components.includes(line.component)) return false;
  if (f.instances?.length && !f.instances.includes(line.instance) && line.instance !== "N/A") return false;
  if (f.from || f.to) {
    const t = Date.parse(line.timestamp);
    if (f.from && t < f.from.getTime()) return false;
    if (f.to && t > f.to.getTime()) return false;
  }
  return true;
}

/** Reads a whole file's lines (logs are rotated at 64 MB, so this stays bounded). */
function readLines(path: string, start = 0): { lines: string[]; end: number } {
  if (!existsSync(path)) return { lines: [], end: 0 };
  const size = statSync(path).size;
  if (size <= start) return { lines: [], end: size };
  const buf = Buffer.alloc(size - start);
  const fd = openSync(path, "r");
  try {
    readSync(fd, buf, 0, buf.length, start);
  } finally {
    closeSync(fd);
  }
  const lastNewline = buf.lastIndexOf(10);
  if (lastNewline === -1) return { lines: [], end: start };
  return { lines: buf.subarray(0, lastNewline).toString("utf8").split("\n"), end: start + lastNewline + 1 };
}

function parse(text: string): LogLine | undefined {
  try {
    const v = JSON.parse(text) as LogLine;
    return typeof v?.timestamp === "string" && typeof v.message === "string" ? v : undefined;
  } catch {
    return undefined;
  }
}

/** The last `limit` matching lines of all files, merged in time order. */
export function readLogs(
  files: readonly string[],
  filter: LogFilter,
  limit: number,
): { lines: LogLine[]; offsets: Map<string, number> } {
  const all: LogLine[] = [];
  const offsets = new Map<string, number>();
  for (const file of files) {
    const { lines, end } = readLines(file);
    offsets.set(file, end);
    for (const text of lines) {
      const line = parse(text);
      if (line && matches(line, filter)) all.push(line);
    }
  }
  all.sort((a, b) => a.timestamp.localeCompare(b.timestamp));
  return { lines: limit > 0 ? all.slice(-limit) : all, offsets };
}

/** New matching lines since `offsets` (which it advances). */
export function readNew(offsets: Map<string, number>, filter: LogFilter): LogLine[] {
  const out: LogLine[] = [];
  for (const [file, start] of offsets) {
    let from = start;
    try {
      if (statSync(file).size < start) from = 0; // rotated
    } catch {
      continue;
    }
    const { lines, end } = readLines(file, from);
    offsets.set(file, end);
    for (const text of lines) {
      const line = parse(text);
      if (line && matches(line, filter)) out.push(line);
    }
  }
  return out.sort((a, b) => a.timestamp.localeCompare(b.timestamp));
}
