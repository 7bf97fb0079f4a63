/**
 * What a follower of a log stream has printed, so that a reconnect resumes without repeating a line. Lines do
 * not arrive in timestamp order (task output is stamped with its file's modification time when it is copied,
 * events when they happen; sources are merged per poll), so nothing is dropped for being older: the follower
 * reconnects from a little before the newest timestamp it saw and skips the lines it already printed, which it
 * remembers for a window behind the newest (bounded memory). Pure: tested by value.
 */
import type { LogLine } from "./writer.js";

/** A reconnect asks for lines from this long before the newest one printed. */
export const RESUME_SLACK_MS = 10_000;
/** Printed lines are remembered while they are at most this much older than the newest. */
const REMEMBER_MS = 60_000;

export class LogCursor {
  private newest = Number.NEGATIVE_INFINITY;
  private readonly seen = new Map<string, number>();

  /** The timestamp a reconnect asks `from` (inclusive), or undefined before the first line. */
  get from(): string | undefined {
    return Number.isFinite(this.newest) ? new Date(this.newest - RESUME_SLACK_MS).toISOString() : undefined;
  }

  /** Whether `line` is new (then it is remembered): false for a line already printed. */
  accept(line: LogLine): boolean {
    const key = JSON.stringify(line);
    if (this.seen.has(key)) return false;
    const at = Date.parse(line.timestamp);
    this.seen.set(key, at);
    if (at > this.newest) this.newest = at;
    if (this.seen.size > 1000) this.forget();
    return true;
  }

  private forget(): void {
    for (const [key, at] of this.seen) if (at < this.newest - REMEMBER_MS) this.seen.delete(key);
  }
}
