/**
 * The local runtime's log stream: one JSON line per event in `STATE_DIR/logs/SERVICE.jsonl`, with PaaSTA's
 * log line shape (timestamp, level, cluster, service, instance, component, message). Components:
 * `stdout`/`stderr` (copied from each task's output files by log-capture.ts), `task_lifecycle` (a task started,
 * became healthy, failed, stopped) and `deploy` (bounces). Output lines carry the time they were written
 * (log-capture.ts stamps them with their file's modification time).
 */
import { appendFileSync, readdirSync, renameSync, statSync } from "node:fs";
import { join } from "node:path";
import type { LogLine } from "../../logs/writer.js";
import { ensurePrivateDir, PRIVATE_FILE_MODE, tightenIfPresent } from "./private-files.js";

export interface RuntimeLogLine extends LogLine {
  readonly task?: string;
}

const ROTATE_BYTES = 64 * 1024 * 1024;

export class RuntimeLog {
  private readonly listeners: Array<(line: RuntimeLogLine) => void> = [];

  /** Also hand every written line (not task output) to `fn` (the foreground `paasta up` prints them). */
  listen(fn: (line: RuntimeLogLine) => void): void {
    this.listeners.push(fn);
  }

  constructor(
    readonly dir: string,
    private readonly cluster: string,
  ) {
    ensurePrivateDir(dir);
    for (const f of readdirSync(dir)) tightenIfPresent(join(dir, f));
  }

  pathOf(service: string): string {
    return join(this.dir, `${service}.jsonl`);
  }

  write(
    line: Omit<RuntimeLogLine, "timestamp" | "cluster" | "level"> &
      Partial<Pick<RuntimeLogLine, "level" | "timestamp">>,
  ): void {
    const full: RuntimeLogLine = {
      timestamp: new Date().toISOString(),
      cluster: this.cluster,
      level: "event",
      ...line,
    };
    const path = this.pathOf(full.service);
    try {
      if (statSync(path).size > ROTATE_BYTES) renameSync(path, `${path}.1`);
    } catch {
      // first line
    }
    appendFileSync(path, `${JSON.stringify(full)}\n`, { mode: PRIVATE_FILE_MODE });
    if (full.component !== "stdout" && full.component !== "stderr") for (const fn of this.listeners) fn(full);
  }
}
