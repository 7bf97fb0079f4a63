/**
 * `paasta logs`'s values, parsed as PaaSTA parses them (pure: tested by value): times are ISO 8601 or a
 * duration before now (pytimeparse's "5m", "1d3h", "2 hours", "4:13"; also "10 minutes ago", "yesterday",
 * "today", "now"); `-l/-n N` is the last N lines, `+N` the first N from `-o/--line-offset`; components are
 * PaaSTA's names. A value that cannot be read is a usage error that says what would be accepted.
 */
import { PaastaError } from "../errors.js";

/** PaaSTA's log components that this platform knows (app_output is stdout and stderr). */
export const LOG_COMPONENTS: Readonly<Record<string, string>> = {
  stdout: "the service's standard output",
  stderr: "the service's standard error",
  app_output: "stdout and stderr",
  deploy: "marks, starts, stops, rollbacks and bounces",
  build: "image builds and pushes of the pipeline",
  task_lifecycle: "tasks starting, becoming healthy, failing, stopping",
  monitoring: "alerts sent about the service",
  oom: "tasks killed for using too much memory",
};

/** PaaSTA's default components. */
export const DEFAULT_COMPONENTS = "build,deploy,monitoring,oom,stdout,stderr";

const UNIT_SECONDS: ReadonlyArray<[RegExp, number]> = [
  [/^(w|wks?|weeks?)$/, 7 * 86400],
  [/^(d|dys?|days?)$/, 86400],
  [/^(h|hrs?|hours?)$/, 3600],
  [/^(m|mins?|minutes?)$/, 60],
  [/^(s|secs?|seconds?)$/, 1],
];

/** Seconds of a pytimeparse-style duration ("1d3h", "2 hours 5 min", "4:13", "1:02:03"), else undefined. */
export function durationSeconds(text: string): number | undefined {
  const t = text
    .trim()
    .toLowerCase()
    .replace(/\s+ago$/, "");
  const clock = /^(?:(\d+):)?(\d+):(\d{2})(?:\.(\d+))?$/.exec(t);
  if (clock) {
    const [h, m, s] =
      clock[1] === undefined
        ? [0, Number(clock[2]), Number(clock[3])]
        : [Number(clock[1]), Number(clock[2]), Number(clock[3])];
    return h * 3600 + m * 60 + s;
  }
  const parts = [...t.matchAll(/(\d+(?:\.\d+)?)\s*([a-z]+)[\s,]*(?:and\s+)?/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== t.replace(/^\s+/, "")) return undefined;
  let total = 0;
  for (const [, n, unit] of parts) {
    const size = UNIT_SECONDS.find(([re]) => re.test(unit as string))?.[1];
    if (size === undefined) return undefined;
    total += Number(n) * size;
  }
  return total;
}

const startOfDay = (ms: number) => {
  const d = new Date(ms);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
};

/** A `--from`/`--to` value as a time, or a PAASTA_CLI_BAD_VALUE. */
export function parseLogTime(flag: string, text: string, nowMs = Date.now()): Date {
  const t = text.trim().toLowerCase();
  if (t === "now") return new Date(nowMs);
  if (t === "today") return new Date(startOfDay(nowMs));
  if (t === "yesterday") return new Date(startOfDay(startOfDay(nowMs) - 1));
  if (/^\d{4}-\d\d-\d\d([t ]\d\d:\d\d(:\d\d(\.\d+)?)?)?(z|[+-]\d\d:?\d\d)?$/.test(t)) {
    const ms = Date.parse(text.trim().replace(" ", "T"));
    if (!Number.isNaN(ms)) return new Date(ms);
  }
  const seconds = durationSeconds(t);
  if (seconds !== undefined) return new Date(nowMs - seconds * 1000);
  throw new PaastaError("PAASTA_CLI_BAD_VALUE", {
    flag,
    detail: `cannot read the time "${text}"`,
    hint: 'Give an ISO 8601 time (2026-11-23T10:00:00Z, 2026-11-23) or a duration before now ("10m", "1d3h", "2 hours", "yesterday").',
  });
}

export interface LineWindow {
  /** Lines to ask the API for (0: all of them, sliced here). */
  readonly fetch: number;
  /** Which of the fetched lines to print. */
  select<T>(lines: readonly T[]): T[];
}

/** `-l/-n [+-]N` with `-o/--line-offset O` (1 is the first line; default: the latest line). */
export function lineWindow(lines: string | undefined, offset: string | undefined): LineWindow {
  const text = lines ?? "-100";
  const m = /^([+-]?)(\d+)$/.exec(text.trim());
  if (!m) throw badLines("-l/--lines", text);
  const count = Number(m[2]);
  const forward = m[1] === "+";
  let o: number | undefined;
  if (offset !== undefined) {
    if (!/^\d+$/.test(offset.trim()) || Number(offset) < 1) throw badLines("-o/--line-offset", offset);
    o = Number(offset);
  }
  if (o === undefined && !forward) return { fetch: count, select: (all) => all.slice(-count || all.length) };
  return {
    fetch: 0,
    select: (all) => {
      const at = (o ?? all.length) - 1; // the offset line, 0-based
      return forward ? all.slice(at, at + count) : all.slice(Math.max(0, at - count + 1), at + 1);
    },
  };
}

function badLines(flag: string, text: string): PaastaError {
  return new PaastaError("PAASTA_CLI_BAD_VALUE", {
    flag,
    detail: `"${text}" is not a line count`,
    hint: "-l/-n takes N, -N (the N lines up to the offset) or +N (N lines from it); -o/--line-offset takes a line number from 1.",
  });
}

/** The components asked for, checked against PaaSTA's names; app_output becomes stdout and stderr. */
export function parseComponents(text: string): string[] {
  const asked = text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = asked.filter((c) => !(c in LOG_COMPONENTS));
  if (unknown.length > 0 || asked.length === 0) {
    throw new PaastaError("PAASTA_CLI_BAD_VALUE", {
      flag: "-C/--components",
      detail: `unknown component${unknown.length === 1 ? "" : "s"} ${unknown.join(", ") || "(none given)"}`,
      hint: `Use a comma-separated list of: ${Object.keys(LOG_COMPONENTS).join(", ")}.`,
    });
  }
  return [...new Set(asked.flatMap((c) => (c === "app_output" ? ["stdout", "stderr"] : [c])))];
}
