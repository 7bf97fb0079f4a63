/**
 * Total readers of already-parsed YAML values. Strict resolution only sees schema-checked files, so these
 * return what the schema promised; best-effort resolution (validate's rules over files with problems) may see
 * anything, and these make sure it never throws.
 */
export type Dict = Record<string, unknown>;

export function isDict(v: unknown): v is Dict {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

export function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

export function num(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

export function bool(v: unknown): boolean | undefined {
  return typeof v === "boolean" ? v : undefined;
}

export function strList(v: unknown): string[] | undefined {
  return Array.isArray(v) && v.every((x) => typeof x === "string") ? (v as string[]) : undefined;
}

/** A list of strings and numbers as strings (exec-form `cmd: [sleep, 60]`: YAML reads 60 as a number). */
export function scalarList(v: unknown): string[] | undefined {
  return Array.isArray(v) && v.every((x) => typeof x === "string" || typeof x === "number")
    ? v.map((x) => String(x))
    : undefined;
}

export function stringMap(v: unknown): Record<string, string> {
  if (!isDict(v)) return {};
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) if (typeof val === "string") out[k] = val;
  return out;
}

export function numberMap(v: unknown): Record<string, number> {
  if (!isDict(v)) return {};
  const out: Record<string, number> = {};
  for (const [k, val] of Object.entries(v)) if (typeof val === "number") out[k] = val;
  return out;
}

export function dictList(v: unknown): Dict[] {
  return Array.isArray(v) ? v.filter(isDict) : [];
}

/** A value or a list of values, as a list (PaaSTA's anti_affinity accepts both). */
export function oneOrMany(v: unknown): Dict[] {
  return isDict(v) ? [v] : dictList(v);
}

const UNIT_SECONDS: Record<string, number> = {
  s: 1,
  sec: 1,
  secs: 1,
  second: 1,
  seconds: 1,
  m: 60,
  min: 60,
  mins: 60,
  minute: 60,
  minutes: 60,
  h: 3600,
  hr: 3600,
  hrs: 3600,
  hour: 3600,
  hours: 3600,
  d: 86400,
  day: 86400,
  days: 86400,
  w: 604800,
  week: 604800,
  weeks: 604800,
};

const UPPER_UNIT_SECONDS: Record<string, number> = { Y: 31_536_000, M: 2_592_000, W: 604_800, D: 86_400 };

/** Tron's time deltas (`30s`, `10m`, `2 hours`) and monitoring's `alert_after` (`5m`, or seconds) → seconds. */
export function durationSeconds(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v !== "string") return undefined;
  const m = /^\s*(\d+)\s*([A-Za-z]+)\s*$/.exec(v);
  if (!m) return undefined;
  const unit = m[2] as string;
  // monitoring's upper-case units first: Y(ear), M(onth), W(eek), D(ay) ("5M" is five months, "5m" minutes)
  const factor = UPPER_UNIT_SECONDS[unit] ?? UNIT_SECONDS[unit.toLowerCase()];
  return factor === undefined ? undefined : Number(m[1]) * factor;
}
