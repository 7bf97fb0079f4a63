/** The follower's cursor (pure): a reconnect repeats no line and keeps lines that share a millisecond. */
import { describe, expect, it } from "vitest";
import { LogCursor } from "../../src/logs/cursor.js";
import type { LogLine } from "../../src/logs/writer.js";

const line = (timestamp: string, message: string): LogLine => ({
  timestamp,
  message,
  level: "event",
  cluster: "dev",
  service: "hello",
  instance: "main",
  component: "stdout",
});

describe("LogCursor", () => {
  it("accepts new lines, including several with the same timestamp, and none twice", () => {
    const c = new LogCursor();
    expect(c.from).toBeUndefined();
    expect(c.accept(line("2026-01-01T00:00:00.001Z", "a"))).toBe(true);
    expect(c.accept(line("2026-01-01T00:00:00.002Z", "b"))).toBe(true);
    expect(c.accept(line("2026-01-01T00:00:00.002Z", "c"))).toBe(true);
    expect(c.from).toBe("2026-01-01T00:00:00.002Z");
    // a reconnect from 00.002 sends b and c again, then d
    expect(c.accept(line("2026-01-01T00:00:00.002Z", "b"))).toBe(false);
    expect(c.accept(line("2026-01-01T00:00:00.002Z", "c"))).toBe(false);
    expect(c.accept(line("2026-01-01T00:00:00.003Z", "d"))).toBe(true);
    expect(c.accept(line("2026-01-01T00:00:00.001Z", "a"))).toBe(false);
    expect(c.from).toBe("2026-01-01T00:00:00.003Z");
  });
});
