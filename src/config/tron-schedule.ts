/**
 * Tron schedules: `cron MIN HOUR DOM MON DOW`, `daily [HH:MM[:SS]] [MTWRFSU]`, `interval 10m`,
 * `groc daily …`, or the mapping forms `{type: cron|daily|interval, value: …}` and `{start_time: HH:MM:SS}`.
 * Parsing is strict so that a wrong schedule is caught by `paasta validate`, and `nextRuns` shows users what
 * they configured (`paasta validate -v`).
 */
import { Cron } from "croner";
import type { TronSchedule } from "./types.js";

const TYPES = ["cron", "daily", "interval", "groc daily"] as const;
const DAY_LETTERS: Record<string, number> = { U: 0, M: 1, T: 2, W: 3, R: 4, F: 5, S: 6 };
const INTERVAL = /^(\d+)\s*(s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days)$/;

export function parseTronSchedule(raw: unknown): TronSchedule | { error: string } {
  if (typeof raw === "string") {
    const text = raw.trim();
    const type = text.startsWith("groc daily") ? "groc daily" : (text.split(/\s+/)[0] ?? "");
    const value = text.slice(type.length).trim();
    return checkTyped(type, value);
  }
  if (raw !== null && typeof raw === "object" && !Array.isArray(raw)) {
    const o = raw as Record<string, unknown>;
    if (typeof o.start_time === "string" && o.type === undefined) return checkTyped("daily", o.start_time);
    if (typeof o.type === "string" && (typeof o.value === "string" || o.value === undefined)) {
      return checkTyped(o.type, (o.value as string | undefined) ?? "");
    }
    return { error: "a mapping schedule needs `type` (cron, daily or interval) and `value`" };
  }
  return { error: "schedule must be a string such as 'cron 0 * * * *' or 'daily 04:00:00', or {type, value}" };
}

function checkTyped(type: string, value: string): TronSchedule | { error: string } {
  switch (type) {
    case "cron": {
      const fields = value.split(/\s+/).filter(Boolean);
      if (fields.length !== 5)
        return { error: `cron schedule "${value}" must have 5 fields (minute hour day-of-month month day-of-week)` };
      try {
        new Cron(value, { paused: true });
      } catch (e) {
        return { error: `invalid cron schedule "${value}": ${(e as Error).message}` };
      }
      return { type: "cron", value };
    }
    case "daily": {
      const cron = dailyToCron(value);
      return typeof cron === "string" ? { type: "daily", value } : cron;
    }
    case "interval":
      if (!INTERVAL.test(value))
        return {
          error: `invalid interval "${value}": use a number and a unit, e.g. 'interval 10m' or 'interval 2 hours'`,
        };
      return { type: "interval", value };
    case "groc daily":
      if (value === "") return { error: "groc daily schedule needs a value, e.g. 'groc daily every day at 04:00'" };
      return { type: "other", value: `groc daily ${value}` };
    default:
      return { error: `unknown schedule type "${type}" (allowed: ${TYPES.join(", ")})` };
  }
}

/** `04:00:00 MWF` → `0 0 4 * * 1,3,5` (croner, with seconds). */
function dailyToCron(value: string): string | { error: string } {
  const parts = value.split(/\s+/).filter(Boolean);
  const time = parts[0] ?? "00:00:00";
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(time);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59 || Number(m[3] ?? 0) > 59) {
    return { error: `invalid daily time "${time}": use HH:MM:SS (24-hour), e.g. 'daily 04:00:00'` };
  }
  let days = "*";
  if (parts[1] !== undefined) {
    const letters = parts[1].split("");
    if (parts.length > 2 || letters.some((l) => DAY_LETTERS[l] === undefined)) {
      return {
        error: `invalid daily days "${parts.slice(1).join(" ")}": use letters of MTWRFSU, e.g. 'daily 04:00:00 MWF'`,
      };
    }
    days = letters.map((l) => DAY_LETTERS[l]).join(",");
  }
  return `${Number(m[3] ?? 0)} ${Number(m[2])} ${Number(m[1])} * * ${days}`;
}

/** Seconds between runs of an `interval` schedule. */
export function intervalSeconds(value: string): number {
  const m = INTERVAL.exec(value) as RegExpExecArray;
  const n = Number(m[1]);
  const unit = (m[2] as string)[0];
  return n * (unit === "s" ? 1 : unit === "m" ? 60 : unit === "h" ? 3600 : 86400);
}

const crons = new Map<string, Cron>();

/** The schedule's cron (croner, with seconds for daily), cached: parsing costs more than evaluating. */
function cronOf(schedule: TronSchedule, timeZone: string): Cron {
  const expr = schedule.type === "cron" ? schedule.value : (dailyToCron(schedule.value) as string);
  const key = `${expr}|${timeZone}`;
  let c = crons.get(key);
  if (!c) {
    c = new Cron(expr, { paused: true, timezone: timeZone });
    crons.set(key, c);
  }
  return c;
}

/** Whether the scheduler can compute the schedule's times (groc expressions other than `daily` it cannot). */
export function canEvaluate(schedule: TronSchedule): boolean {
  return schedule.type !== "other";
}

/**
 * The next `count` run times strictly after `from`, or [] when the schedule type cannot be evaluated (groc).
 * Intervals are anchored at the Unix epoch (every 10m = :00, :10, … UTC), so every scheduler, restarted or not,
 * computes the same times.
 */
export function nextRuns(schedule: TronSchedule, timeZone: string, count: number, from: Date): Date[] {
  if (schedule.type === "interval") {
    const step = intervalSeconds(schedule.value) * 1000;
    const first = Math.floor(from.getTime() / step) * step + step;
    return Array.from({ length: count }, (_, i) => new Date(first + step * i));
  }
  if (schedule.type === "other") return [];
  return cronOf(schedule, timeZone).nextRuns(count, from);
}

/** Known answers of "the first time after t": exact, and per schedule the last interval [t, next) seen. */
const exact = new Map<string, number | null>();
const spans = new Map<string, { from: number; next: number }>();

/**
 * The first scheduled time strictly after `t` (ms), or null. Cached: a scheduler asks the same questions on
 * every pass (after a job's last run, after now), and croner takes about a millisecond per answer.
 */
export function nextAfter(schedule: TronSchedule, timeZone: string, t: number): number | null {
  if (schedule.type === "other") return null;
  if (schedule.type === "interval") {
    const step = intervalSeconds(schedule.value) * 1000;
    return Math.floor(t / step) * step + step;
  }
  const key = `${schedule.type}|${schedule.value}|${timeZone}`;
  const span = spans.get(key);
  if (span && span.from <= t && t < span.next) return span.next;
  const memo = exact.get(`${key}|${t}`);
  if (memo !== undefined) return memo;
  const next = cronOf(schedule, timeZone).nextRun(new Date(t))?.getTime() ?? null;
  if (exact.size > 20_000) exact.clear();
  exact.set(`${key}|${t}`, next);
  if (next !== null) spans.set(key, { from: t, next });
  return next;
}

/**
 * Scheduled times t with `after` < t ≤ `until` (ms): the latest `keep` of them, and how many there were in all
 * (counted up to `cap`, for a scheduler that was down a long time).
 */
export function timesBetween(
  schedule: TronSchedule,
  timeZone: string,
  after: number,
  until: number,
  keep: number,
  cap = 100_000,
): { times: number[]; total: number } {
  if (schedule.type === "other" || until <= after) return { times: [], total: 0 };
  if (schedule.type === "interval") {
    const step = intervalSeconds(schedule.value) * 1000;
    const first = Math.floor(after / step) * step + step;
    const last = Math.floor(until / step) * step;
    if (last < first) return { times: [], total: 0 };
    const total = (last - first) / step + 1;
    const n = Math.min(keep, total);
    return { times: Array.from({ length: n }, (_, i) => last - step * (n - 1 - i)), total };
  }
  const times: number[] = [];
  let total = 0;
  let t = nextAfter(schedule, timeZone, after);
  while (t !== null && t <= until && total < cap) {
    total++;
    times.push(t);
    if (times.length > keep) times.shift();
    t = nextAfter(schedule, timeZone, t);
  }
  return { times, total };
}
