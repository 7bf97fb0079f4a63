/** Processes run in their own process group, signalled and timed out as a group. */
import { spawn } from "node:child_process";

/** Signal a whole process group; a group already gone is not an error. */
export function signalGroup(pgid: number | undefined, signal: NodeJS.Signals): void {
  try {
    if (pgid) process.kill(-pgid, signal);
  } catch {
    // already gone
  }
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
