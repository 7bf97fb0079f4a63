/**
 * HAProxy as a supervised child of `paasta up`, in master-worker mode (infra notes: Debian's 2.6): started in
 * the foreground, reloaded seamlessly through its master socket (the master passes the listening sockets to
 * the new worker: no connection is refused), stopped by pid. A master left behind by a `paasta up` that was
 * killed is found through the pid file and stopped before a new one starts.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { accessSync, constants, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { haproxyCommand } from "./runtime-api.js";

export interface HaproxyPaths {
  readonly dir: string;
  readonly config: string;
  readonly candidate: string;
  readonly adminSocket: string;
  readonly masterSocket: string;
  readonly pidFile: string;
}

/** Unix socket paths are limited to 107 bytes: a deep state dir gets its sockets in a short temporary dir. */
export function proxyPaths(stateDir: string): HaproxyPaths {
  const dir = join(stateDir, "proxy");
  const short = join(stateDir, "proxy", "master.sock").length < 100;
  const sockDir = short
    ? dir
    : join(tmpdir(), `paasta-proxy-${createHash("sha1").update(dir).digest("hex").slice(0, 12)}`);
  return {
    dir,
    config: join(dir, "haproxy.cfg"),
    candidate: join(dir, "haproxy.cfg.new"),
    adminSocket: join(sockDir, "admin.sock"),
    masterSocket: join(sockDir, "master.sock"),
    pidFile: join(dir, "haproxy.pid"),
  };
}

function executable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The configured path, else `haproxy` on PATH or in the sbin directories (not on a normal user's PATH). */
export function findHaproxy(configured: string | undefined, env: NodeJS.ProcessEnv): string | null {
  if (configured) return executable(configured) ? configured : null;
  const dirs = [...(env.PATH ?? "").split(delimiter), "/usr/sbin", "/usr/local/sbin", "/sbin"].filter(Boolean);
  for (const d of dirs) if (executable(join(d, "haproxy"))) return join(d, "haproxy");
  return null;
}

function run(bin: string, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(bin, args, { timeout: 10_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      resolve({ code, out: `${stdout}${stderr}` });
    });
  });
}

export async function haproxyVersion(bin: string): Promise<string> {
  const r = await run(bin, ["-v"]);
  return /version (\S+)/.exec(r.out)?.[1] ?? "unknown";
}

/** `haproxy -c`: null when the file is valid, else HAProxy's alerts. */
export async function checkConfig(bin: string, path: string): Promise<string | null> {
  const r = await run(bin, ["-c", "-f", path]);
  if (r.code === 0) return null;
  const alerts = r.out
    .split("\n")
    .filter((l) => /ALERT|error/i.test(l))
    .map((l) => l.replace(/^\[ALERT\]\s*\(\d+\)\s*:\s*/, "").trim());
  return alerts.join("; ") || r.out.trim() || `haproxy -c exited with ${r.code}`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The ports among `ports` that something already listens on at 127.0.0.1 (a bind fails). */
export async function takenPorts(ports: readonly number[]): Promise<number[]> {
  const taken: number[] = [];
  for (const port of ports) {
    const free = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once("error", () => resolve(false));
      s.listen({ port, host: "127.0.0.1", exclusive: true }, () => s.close(() => resolve(true)));
    });
    if (!free) taken.push(port);
  }
  return taken;
}

/** The worker's pid, through the admin socket (answers only once a worker runs). */
async function workerPid(adminSocket: string): Promise<number | null> {
  try {
    const info = await haproxyCommand(adminSocket, "show info", 1000);
    const pid = /^Pid: (\d+)/m.exec(info)?.[1];
    return pid ? Number(pid) : null;
  } catch {
    return null;
  }
}

/** The master's count of failed reloads (`show proc`: `master 0 [failed: N]`); null when it does not answer. */
async function failedReloads(masterSocket: string): Promise<number | null> {
  try {
    const m = /\[failed: (\d+)\]/.exec(await haproxyCommand(masterSocket, "show proc", 1000));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** Stops a master left behind by an earlier `paasta up` (its pid file names it; its command line must match). */
export async function stopLeftover(paths: HaproxyPaths): Promise<boolean> {
  if (!existsSync(paths.pidFile)) return false;
  const pid = Number(readFileSync(paths.pidFile, "utf8").trim());
  rmSync(paths.pidFile, { force: true });
  let cmdline = "";
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
  } catch {
    return false;
  }
  if (!cmdline.includes("haproxy") || !cmdline.includes(paths.config)) return false;
  process.kill(pid, "SIGTERM");
  for (let i = 0; i < 50 && existsSync(`/proc/${pid}`); i++) await sleep(40);
  if (existsSync(`/proc/${pid}`)) process.kill(pid, "SIGKILL");
  return true;
}

export interface HaproxyHooks {
  /** The master exited without being asked to (HAProxy also exits when its worker dies). */
  onExit(code: number | null, signal: string | null): void;
  onLine(line: string): void;
}

export class HaproxyProcess {
  private child: ChildProcess | undefined;
  private stopping = false;
  private readonly tail: string[] = [];
  /** HAProxy's alerts since the last reload began (why a reload failed). */
  private alerts: string[] = [];

  constructor(
    readonly bin: string,
    readonly paths: HaproxyPaths,
    private readonly hooks: HaproxyHooks,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** Starts the master with the config at `paths.config`; resolves once the worker answers on the admin socket. */
  async start(): Promise<void> {
    mkdirSync(this.paths.dir, { recursive: true });
    mkdirSync(join(this.paths.masterSocket, ".."), { recursive: true });
    for (const s of [this.paths.adminSocket, this.paths.masterSocket]) rmSync(s, { force: true });
    this.stopping = false;
    this.alerts = [];
    const child = spawn(this.bin, ["-W", "-S", `${this.paths.masterSocket},mode,600`, "-f", this.paths.config], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    writeFileSync(this.paths.pidFile, `${child.pid}\n`);
    const onData = (d: Buffer) => {
      for (const line of d.toString().split("\n").filter(Boolean)) {
        this.tail.push(line);
        if (this.tail.length > 20) this.tail.shift();
        if (/\[ALERT\]/.test(line)) this.alerts.push(line.replace(/^\[ALERT\]\s*\(\d+\)\s*:\s*/, "").trim());
        this.hooks.onLine(line);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    let exited = false;
    child.on("exit", (code, signal) => {
      exited = true;
      if (this.child === child) this.child = undefined;
      rmSync(this.paths.pidFile, { force: true });
      if (!this.stopping) this.hooks.onExit(code, signal);
    });
    const end = Date.now() + 5000;
    while (Date.now() < end && !exited) {
      // Ready: the worker answers on the admin socket and the master on its own (it accepts a moment later).
      if ((await workerPid(this.paths.adminSocket)) !== null && (await failedReloads(this.paths.masterSocket)) !== null)
        return;
      await sleep(20);
    }
    if (!exited) await this.stop();
    const why = this.alerts.join("; ") || this.tail.slice(-5).join(" / ") || "no worker within 5 s";
    throw new Error(`HAProxy did not start: ${why}`);
  }

  /**
   * Seamless reload with the config now at `paths.config`: resolves once the new worker answers; throws with
   * HAProxy's alerts when the master reports the reload failed (it then keeps the old worker serving).
   */
  async reload(): Promise<void> {
    const before = await workerPid(this.paths.adminSocket);
    const failedBefore = await failedReloads(this.paths.masterSocket);
    this.alerts = [];
    await haproxyCommand(this.paths.masterSocket, "reload");
    const end = Date.now() + 10_000;
    while (Date.now() < end && this.child) {
      const now = await workerPid(this.paths.adminSocket);
      if (now !== null && now !== before) return;
      const failed = await failedReloads(this.paths.masterSocket);
      if (failed !== null && failedBefore !== null && failed > failedBefore)
        throw new Error(this.alerts.join("; ") || "the reload failed");
      await sleep(50);
    }
    throw new Error(`HAProxy did not reload within 10 s: ${this.alerts.join("; ") || this.tail.slice(-3).join(" / ")}`);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    this.stopping = true;
    const gone = new Promise<void>((r) => child.once("exit", () => r()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await gone;
    clearTimeout(timer);
  }
}
