/**
 * Log capture: copies new complete lines of each task's `stdout`/`stderr` files (written by the executor
 * into the task's log_dir) into the runtime's log stream (runtime-log.ts), remembering per task and stream how
 * far it has read in the store, so nothing is copied twice, even across a restart of the runtime. Lines
 * written while the runtime was down are copied when it comes back. Each copied line carries the time it was
 * written: its file's modification time (exact for the last line of a batch; a batch is at most one capture
 * interval old, and after a restart of the runtime, the time of the file's last write). The supervisor captures every live task
 * every 2 s, and a task's last lines when it ends.
 */
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { join } from "node:path";
import type { RuntimeLog } from "./runtime-log.js";
import type { Store, TaskRecord } from "./store.js";

/** How often task output files are copied into the log stream. */
export const CAPTURE_EVERY_MS = 2000;
/** At most this much of a file is read per capture; a longer line is skipped. */
const MAX_READ = 1024 * 1024;

/** Copies the new complete lines of one task's output files into the stream. */
export function captureOutput(log: RuntimeLog, store: Store, task: TaskRecord): void {
  for (const stream of ["stdout", "stderr"] as const) {
    const file = join(task.log_dir, stream);
    const st = statOf(file);
    if (st === undefined) continue;
    const { size } = st;
    const written = new Date(Math.min(st.mtimeMs, Date.now())).toISOString();
    const offset = store.logOffset(task.id, stream);
    if (size <= offset) continue;
    const chunk = readAt(file, offset, Math.min(size - offset, MAX_READ));
    const end = chunk.lastIndexOf(10);
    if (end === -1) {
      if (chunk.length === MAX_READ) store.setLogOffset(task.id, stream, offset + chunk.length); // one huge line: skip on
      continue;
    }
    for (const message of chunk.subarray(0, end).toString("utf8").split("\n")) {
      log.write({
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

function statOf(file: string): { size: number; mtimeMs: number } | undefined {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
}

function readAt(file: string, offset: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  const fd = openSync(file, "r");
  try {
    readSync(fd, buf, 0, length, offset);
  } finally {
    closeSync(fd);
  }
  return buf;
}

/** Copies the new output of every live task. */
export function captureAllOutput(log: RuntimeLog, store: Store): void {
  for (const t of store.liveTasks()) captureOutput(log, store, t);
}
