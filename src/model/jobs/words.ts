/** A job's schedule in words, in its time zone: "every day at 04:00:00 (UTC)", "every 2 seconds". */
import type { TronSchedule } from "../../config/types.js";

const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const LETTERS: Record<string, number> = { U: 0, M: 1, T: 2, W: 3, R: 4, F: 5, S: 6 };
const UNITS: Record<string, string> = { s: "second", m: "minute", h: "hour", d: "day" };

function list(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

function plural(n: number, unit: string): string {
  return n === 1 ? `every ${unit}` : `every ${n} ${unit}s`;
}

const pad = (s: string) => s.padStart(2, "0");

function cronDays(dow: string): string | undefined {
  if (dow === "1-5") return "on weekdays";
  if (dow === "0,6" || dow === "6,0") return "on weekends";
  if (!/^[0-7](,[0-7])*$/.test(dow)) return undefined;
  return `on ${list(dow.split(",").map((d) => DAYS[Number(d) % 7] as string))}`;
}

function cronWords(value: string): string {
  const [min, hour, dom, mon, dow] = value.split(/\s+/) as [string, string, string, string, string];
  const every = /^\*\/(\d+)$/;
  const digits = /^\d+$/;
  if (dom !== "*" || mon !== "*") {
    if (digits.test(min) && digits.test(hour) && digits.test(dom) && mon === "*" && dow === "*")
      return `at ${pad(hour)}:${pad(min)} on day ${dom} of every month`;
    return `cron "${value}"`;
  }
  if (hour === "*" && dow === "*") {
    if (min === "*") return "every minute";
    const m = every.exec(min);
    if (m) return plural(Number(m[1]), "minute");
    if (digits.test(min)) return `every hour at minute ${min}`;
  }
  if (digits.test(min) && digits.test(hour)) {
    const at = `at ${pad(hour)}:${pad(min)}`;
    if (dow === "*") return `every day ${at}`;
    const days = cronDays(dow);
    if (days) return `${at} ${days}`;
  }
  const h = every.exec(hour);
  if (h && digits.test(min) && dow === "*") return `${plural(Number(h[1]), "hour")} at minute ${min}`;
  return `cron "${value}"`;
}

function dailyWords(value: string): string {
  const [time = "00:00:00", letters] = value.split(/\s+/);
  const t = time.split(":").map(pad).concat(["00", "00"]).slice(0, 3).join(":");
  if (!letters) return `every day at ${t}`;
  const days = letters.split("").map((l) => DAYS[LETTERS[l] ?? 0] as string);
  return `at ${t} on ${list(days)}`;
}

function intervalWords(value: string): string {
  const m = /^(\d+)\s*([a-z]+)$/.exec(value);
  if (!m) return `interval ${value}`;
  return plural(Number(m[1]), UNITS[(m[2] as string)[0] as string] ?? (m[2] as string));
}

export function scheduleWords(schedule: TronSchedule, timeZone: string): string {
  switch (schedule.type) {
    case "cron":
      return `${cronWords(schedule.value)} (${timeZone})`;
    case "daily":
      return `${dailyWords(schedule.value)} (${timeZone})`;
    case "interval":
      return intervalWords(schedule.value);
    case "other":
      return `${schedule.value} (not evaluated: only cron, daily and interval schedules run)`;
  }
}
