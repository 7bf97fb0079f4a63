/**
 * CPU time and resident memory of process groups, from /proc (the process executor's tasks are process
 * groups led by their wrapper shell). One read of /proc per call: each process's `stat` gives its group, CPU
 * times (its own, and its reaped children's, so the total does not drop when a child exits) and RSS. Processes
 * found outside the wanted groups are remembered and not read again while their PID lives, so a call costs a
 * directory listing plus one small read per task process.
 */
import { readdirSync, readFileSync } from "node:fs";

/** Clock ticks per second of /proc's times (USER_HZ: 100 on every Linux this runs on). */
const TICKS = 100;
const PAGE_BYTES = 4096;

export interface GroupUsage {
  readonly cpu_seconds: number;
  readonly memory_bytes: number;
}

interface Stat {
  readonly pgrp: number;
  readonly ticks: number;
  readonly rssPages: number;
}

/** The fields of /proc/PID/stat we need (after the command name, which may hold spaces and parentheses). */
export function parseStat(text: string): Stat | undefined {
  const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
  if (f.length < 22) return undefined;
  const n = (i: number) => Number(f[i]);
  // state(0) ppid(1) pgrp(2) … utime(11) stime(12) cutime(13) cstime(14) … rss(21)
  return { pgrp: n(2), ticks: n(11) + n(12) + n(13) + n(14), rssPages: n(21) };
}

export class ProcUsage {
  /** PIDs seen outside every wanted group (not read again while they live). */
  private readonly foreign = new Set<number>();

  /** Usage of each wanted group (by its leader's PID); a group with no live process is absent. */
  read(groups: ReadonlySet<number>): Map<number, GroupUsage> {
    const out = new Map<number, { ticks: number; rss: number }>();
    if (groups.size === 0) return new Map();
    let pids: string[];
    try {
      pids = readdirSync("/proc");
    } catch {
      return new Map(); // not Linux
    }
    const alive = new Set<number>();
    for (const name of pids) {
      const pid = Number(name);
      if (!Number.isInteger(pid) || pid <= 0) continue;
      alive.add(pid);
      if (this.foreign.has(pid) && !groups.has(pid)) continue;
      let stat: Stat | undefined;
      try {
        stat = parseStat(readFileSync(`/proc/${pid}/stat`, "utf8"));
      } catch {
        continue; // exited meanwhile
      }
      if (!stat) continue;
      if (!groups.has(stat.pgrp)) {
        this.foreign.add(pid);
        continue;
      }
      const g = out.get(stat.pgrp) ?? { ticks: 0, rss: 0 };
      g.ticks += stat.ticks;
      g.rss += stat.rssPages;
      out.set(stat.pgrp, g);
    }
    for (const pid of this.foreign) if (!alive.has(pid)) this.foreign.delete(pid);
    return new Map(
      [...out].map(([pgrp, g]) => [pgrp, { cpu_seconds: g.ticks / TICKS, memory_bytes: g.rss * PAGE_BYTES }]),
    );
  }
}
