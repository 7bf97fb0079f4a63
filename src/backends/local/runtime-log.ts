/**
 * The local runtime's log stream: one JSON line per event in `STATE_DIR/logs/SERVICE.jsonl`, with PaaSTA's
 * log line shape (timestamp, level, cluster, service, instance, component, message). Components:
 * `stdout`/`stderr` (copied from each task's output files by the tailer), `task_lifecycle` (a task started,
 * became healthy, failed, stopped) and `deploy` (bounces). Lines written while the runtime was down are
 * copied when it comes back, stamped with that time.
 */
import { appendFileSync, closeSync, mkdirSync, openSync, readSync, renameSync, statSync } from "node:fs";
import { join } from "node:path";
import type { LogLine } from "../../logs/writer.js";
import type { Store, TaskRecord } from "./store.js";

export interface RuntimeLogLine extends LogLine {
  readonly task?: string;
}

const ROTATE_BYTES = 64 * 1024 * 1024;
const MAX_READ = 1024 * 1024;

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
    mkdirSync(dir, { recursive: true });
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
    appendFileSync(path, `${JSON.stringify(full)}\n`);
    if (full.component !== "stdout" && full.component !== "stderr") for (const fn of this.listeners) fn(full);
  }

  /** Copies new complete lines of a task's stdout/stderr files into the stream. */
  tail(store: Store, task: TaskRecord): void {
    for (const stream of ["stdout", "stderr"] as const) {
      const file = join(task.log_dir, stream);
      let size: number;
      let written: string;
      try {
        const st = statSync(file);
        size = st.size;
        written = new Date(Math.min(st.mtimeMs, Date.now())).toISOString();
      } catch {
        continue;
      }
      const offset = store.logOffset(task.id, stream);
      if (size <= offset) continue;
      const length = Math.min(size - offset, MAX_READ);
      const buf = Buffer.alloc(length);
      const fd = openSync(file, "r");
      try {
        readSync(fd, buf, 0, length, offset);
      } finally {
        closeSync(fd);
      }
      const end = buf.lastIndexOf(10);
      if (end === -1) {
        if (length === MAX_READ) store.setLogOffset(task.id, stream, offset + length); // one huge line: skip on
        continue;
      }
      for (const message of buf.subarray(0, end).toString("utf8").split("\n")) {
        this.write({
          service: task.service,
          instance: task.instance,
          component: stream,
          message,
          task: task.id,
          timestamp: written,
        });
      }
      store.setLogOffset(task.id, stream, offset + end + 1);
    }
  }
}
