/**
 * Processes run in their own process group, signalled and timed out as a group. A task of the process
 * executor IS its process group: the wrapper shell that leads it may die (kill -9 of the PID once shown) while
 * the service it started keeps running in the group, so liveness, stop and the orphan sweep look at every
 * member, found through /proc (Linux).
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/** Signal a whole process group; a group already gone is not an error. */
export function signalGroup(pgid: number | undefined, signal: NodeJS.Signals): void {
  try {
    if (pgid) process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

export interface ProcInfo {
  readonly pid: number;
  readonly ppid: number;
  readonly pgid: number;
  /** Kernel state (R, S, Z …). */
  readonly state: string;
  /** Kernel start time (field 22), to tell a re-used PID apart. */
  readonly start: string;
  /** The executable's name (field 2). */
  readonly comm: string;
}

/** /proc/PID/stat, parsed; undefined when there is no such process. */
export function procInfo(pid: number): ProcInfo | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    const close = text.lastIndexOf(")");
    const rest = text.slice(close + 2).split(" ");
    return {
      pid,
      comm: text.slice(text.indexOf("(") + 1, close),
      state: rest[0] as string,
      ppid: Number(rest[1]),
      pgid: Number(rest[2]),
      start: rest[19] as string,
    };
  } catch {
    return undefined;
  }
}

/** How long a look at /proc is shared (the stop loops poll every 50 ms). */
const SHARE_MS = 50;
let lastLook: { readonly at: number; readonly list: ProcInfo[] } | undefined;

/**
 * Every process of this machine that we can see (an empty list off Linux). With `notBefore` (ms since the
 * epoch), the latest look is shared when it was taken at or after that time and less than 50 ms ago: stops
 * polling their groups at once then read /proc once per round, not once each (a look per caller cost a core).
 */
export function allProcesses(notBefore?: number): ProcInfo[] {
  const at = Date.now();
  if (notBefore !== undefined && lastLook && lastLook.at >= notBefore && at - lastLook.at < SHARE_MS)
    return lastLook.list;
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((p) => /^\d+$/.test(p));
  } catch {
    return [];
  }
  const list = pids.flatMap((p) => procInfo(Number(p)) ?? []);
  lastLook = { at, list };
  return list;
}

/** The live (not zombie) members of process group `pgid`. */
export function groupMembers(pgid: number, all: readonly ProcInfo[] = allProcesses()): ProcInfo[] {
  return all.filter((p) => p.pgid === pgid && p.state !== "Z");
}

/** Whether any process (a zombie included) is still in process group `pgid`: one system call. */
export function groupExists(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Whether a process group still has a live member (zombies waiting to be reaped do not count). A caller polling
 * since it signalled the group passes `since` (ms): a look at /proc taken after that, shared, is enough.
 */
export function groupAlive(pgid: number, since?: number): boolean {
  return groupExists(pgid) && groupMembers(pgid, allProcesses(since)).length > 0;
}

/** The environment of a process, or "" when it cannot be read. */
export function environOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/environ`, "latin1");
  } catch {
    return "";
  }
}

const SHELLS = new Set(["sh", "dash", "bash", "ash", "busybox", "zsh"]);

/**
 * The service's own process in a task's group: from the group's root (its leader, or the member whose parent
 * is outside the group once the leader died), down through wrapper shells with a single child.
 */
export function mainProcess(members: readonly ProcInfo[]): ProcInfo | undefined {
  const pids = new Set(members.map((m) => m.pid));
  let cur = members.filter((m) => !pids.has(m.ppid)).sort((a, b) => a.pid - b.pid)[0];
  while (cur && SHELLS.has(cur.comm)) {
    const parent: ProcInfo = cur;
    const children = members.filter((m) => m.ppid === parent.pid);
    if (children.length !== 1) break;
    cur = children[0];
  }
  return cur;
}

/**
 * Run `command` with `/bin/sh -c` in a new process group; its exit code, 124 when it ran longer than
 * `timeoutMs` (the group is killed) and 127 when it could not be started (as timeout(1) and sh do).
 */
export function runShell(
  command: string,
  o: { readonly cwd: string; readonly env: NodeJS.ProcessEnv; readonly timeoutMs: number },
): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn("/bin/sh", ["-c", command], { cwd: o.cwd, env: o.env, detached: true, stdio: "ignore" });
    const timer = setTimeout(() => {
      signalGroup(child.pid, "SIGKILL");
      resolve(124);
    }, o.timeoutMs);
    child.on("error", () => {
      clearTimeout(timer);
      resolve(127);
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve(code ?? 1);
    });
  });
}
