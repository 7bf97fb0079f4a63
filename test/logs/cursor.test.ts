/** The follower's cursor (pure): a reconnect repeats no line; lines out of timestamp order are kept. */
import { describe, expect, it } from "vitest";
import { LogCursor, RESUME_SLACK_MS } from "../../src/logs/cursor.js";
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
  it("accepts new lines, including older ones and several with one timestamp, and none twice", () => {
    const c = new LogCursor();
    expect(c.from).toBeUndefined();
    expect(c.accept(line("2026-01-01T00:00:10.002Z", "b"))).toBe(true);
    expect(c.accept(line("2026-01-01T00:00:10.002Z", "c"))).toBe(true);
    expect(c.accept(line("2026-01-01T00:00:10.001Z", "a, copied late"))).toBe(true);
    expect(c.from).toBe(new Date(Date.parse("2026-01-01T00:00:10.002Z") - RESUME_SLACK_MS).toISOString());
    // a reconnect from 10 s earlier sends them all again, then d
    for (const m of ["b", "c"]) expect(c.accept(line("2026-01-01T00:00:10.002Z", m))).toBe(false);
    expect(c.accept(line("2026-01-01T00:00:10.001Z", "a, copied late"))).toBe(false);
    expect(c.accept(line("2026-01-01T00:00:10.003Z", "d"))).toBe(true);
  });

  it("remembers a bounded window of lines", () => {
    const c = new LogCursor();
    for (let i = 0; i < 5000; i++) c.accept(line(new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(), `l${i}`));
    expect((c as unknown as { seen: Map<string, number> }).seen.size).toBeLessThan(1100);
  });
});
