/**
 * Who listens on a TCP port (Linux, best effort): the socket's inode from /proc/net/tcp{,6}, then the process
 * whose file descriptors include it. For error messages only ("the port is in use by pid 123 (paasta up)");
 * undefined when it cannot be told (another OS, another user's process, a container's network namespace).
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { createServer } from "node:net";

function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  const hex = port.toString(16).toUpperCase().padStart(4, "0");
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text: string;
    try {
      text = readFileSync(table, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      // local_address is f[1] (ADDR:PORT), st is f[3] (0A = LISTEN), inode is f[9]
      if (f[1]?.endsWith(`:${hex}`) && f[3] === "0A" && f[9] && f[9] !== "0") inodes.add(f[9]);
    }
  }
  return inodes;
}

/** "pid 1234 (node bin/paasta.js up)", or undefined. */
export function portHolder(port: number): string | undefined {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return undefined;
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((d) => /^\d+$/.test(d));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const m = /^socket:\[(\d+)\]$/.exec(target);
      if (!m || !inodes.has(m[1] as string)) continue;
      let cmd = "";
      try {
        cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean).join(" ");
      } catch {
        // gone meanwhile
      }
      return `pid ${pid}${cmd ? ` (${cmd.length > 80 ? `${cmd.slice(0, 77)}...` : cmd})` : ""}`;
    }
  }
  return undefined;
}

/** A port nothing listens on now, on `host`, to suggest instead. */
export function freePortOn(host: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(undefined));
    srv.listen(0, host, () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === "object" && a ? a.port : undefined));
    });
  });
}
