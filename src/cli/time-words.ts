/** Times in words, as PaaSTA prints them (humanize.naturaltime), and absolute times for `-v`. */

const UNITS: ReadonlyArray<[seconds: number, one: string, many: string]> = [
  [365 * 86400, "a year", "years"],
  [30 * 86400, "a month", "months"],
  [86400, "a day", "days"],
  [3600, "an hour", "hours"],
  [60, "a minute", "minutes"],
  [1, "a second", "seconds"],
];

/** "now", "5 seconds ago", "a minute ago", "3 hours ago", "2 days from now" (humanize.naturaltime's words). */
export function naturalTime(thenMs: number, nowMs: number): string {
  const delta = Math.round((nowMs - thenMs) / 1000);
  const abs = Math.abs(delta);
  if (abs < 1) return "now";
  const suffix = delta > 0 ? "ago" : "from now";
  for (const [size, one, many] of UNITS) {
    if (abs < size) continue;
    const n = Math.floor(abs / size);
    return `${n === 1 ? one : `${n} ${many}`} ${suffix}`;
  }
  return "now";
}

/** `2026-11-23 10:04:05` in the local time zone (PaaSTA prints local times). */
export function localTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** Relative by default; absolute with the relative in brackets on `-v`. */
export function when(iso: string | null | undefined, nowMs: number, verbose: number): string {
  if (!iso) return "-";
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return verbose > 0 ? `${localTime(t)} (${naturalTime(t, nowMs)})` : naturalTime(t, nowMs);
}

/** A short duration: `45s`, `3m20s`, `2h5m`, `1d3h` (alert ages). */
export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d${Math.floor((s % 86400) / 3600)}h`;
}
