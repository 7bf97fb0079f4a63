/**
 * Where a follower of a log stream is, so that a reconnect resumes without repeating a line: the newest
 * timestamp printed and the lines already printed with exactly that timestamp (several lines often share a
 * millisecond). Lines older than the cursor are dropped. Pure: tested by value.
 */
import type { LogLine } from "./writer.js";

export class LogCursor {
  private last: string | undefined;
  private seen = new Set<string>();

  /** The timestamp a reconnect asks `from` (inclusive), or undefined before the first line. */
  get from(): string | undefined {
    return this.last;
  }

  /** Whether `line` is new (then it is remembered): false for a line already printed or older than the cursor. */
  accept(line: LogLine): boolean {
    const key = JSON.stringify(line);
    if (this.last !== undefined) {
      if (line.timestamp < this.last) return false;
      if (line.timestamp === this.last) {
        if (this.seen.has(key)) return false;
        this.seen.add(key);
        return true;
      }
    }
    this.last = line.timestamp;
    this.seen = new Set([key]);
    return true;
  }
}
