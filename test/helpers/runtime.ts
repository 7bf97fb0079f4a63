/**
 * A local cluster for end-to-end tests: git repositories with real services, a soa-configs tree, a system
 * config, and `paasta up` running as a real child process (so it can be killed with SIGKILL and restarted).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import Database from "better-sqlite3";
import { BIN, REPO, tempDir } from "./cli.js";
import { git } from "./git.js";

export interface Workspace {
  readonly root: string;
  readonly soa: string;
  readonly etc: string;
  readonly stateDir: string;
  readonly api: string;
  readonly token: string;
  readonly env: NodeJS.ProcessEnv;
  /** Commits files to a service's repository; returns the new SHA. */
  commit(service: string, files: Record<string, string>): string;
  writeSoa(service: string, file: string, content: string): void;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export interface WorkspaceOptions {
  /** cluster_backends.dev.executor (default process). */
  readonly executor?: "process" | "docker";
  /** Extra system config keys (e.g. docker_registry). */
  readonly system?: Record<string, unknown>;
  /** Files written into every service repository before its first commit (over hello's). */
  readonly repoFiles?: Record<string, string>;
  /** Extra environment for `paasta up` and the CLI (e.g. DOCKER_HOST). */
  readonly env?: NodeJS.ProcessEnv;
}

/** `services` maps a service name to its soa-configs files; each gets a repo with examples/services/hello's code. */
export async function makeWorkspace(
  services: Record<string, Record<string, string>>,
  opts: WorkspaceOptions = {},
): Promise<Workspace> {
  const root = tempDir("paasta-e2e-");
  const soa = join(root, "soa-configs");
  const etc = join(root, "etc");
  const stateDir = join(root, "state");
  const port = await freePort();
  const token = "test-token";
  for (const [name, files] of Object.entries(services)) {
    const repo = join(root, "repos", name);
    cpSync(join(REPO, "examples/services/hello"), repo, { recursive: true });
    for (const [f, content] of Object.entries(opts.repoFiles ?? {})) writeFileSync(join(repo, f), content);
    git(["init", "-q", "-b", "main", repo]);
    git(["add", "-A"], repo);
    git(["commit", "-q", "-m", "first"], repo);
    mkdirSync(join(soa, name), { recursive: true });
    const all = {
      "service.yaml": `description: ${name}\nexternal_link: https://example.org\ngit_url: ../../repos/${name}\n`,
      "monitoring.yaml": "team: test\n",
      "deploy.yaml": "pipeline:\n  - step: dev.everything\n",
      ...files,
    };
    for (const [f, content] of Object.entries(all)) writeFileSync(join(soa, name, f), content);
  }
  mkdirSync(etc, { recursive: true });
  const api = `http://127.0.0.1:${port}`;
  writeFileSync(
    join(etc, "paasta.json"),
    JSON.stringify({
      cluster: "dev",
      clusters: ["dev"],
      soa_dir: soa,
      api_endpoints: { dev: api },
      api_auth_token: token,
      log_writer: { driver: "file", options: { path_format: join(root, "logs/{service}/{component}.log") } },
      cluster_backends: { dev: { type: "local", executor: opts.executor ?? "process", state_dir: stateDir } },
      ...opts.system,
    }),
  );
  const env = {
    ...process.env,
    PAASTA_SYSTEM_CONFIG_DIR: etc,
    PAASTA_CACHE_DIR: join(root, "cache"),
    NO_COLOR: "1",
    ...opts.env,
  };
  return {
    root,
    soa,
    etc,
    stateDir,
    api,
    token,
    env,
    commit(service, files) {
      const repo = join(root, "repos", service);
      for (const [f, content] of Object.entries(files)) writeFileSync(join(repo, f), content);
      git(["add", "-A"], repo);
      git(["commit", "-q", "-m", "change"], repo);
      return git(["rev-parse", "HEAD"], repo);
    },
    writeSoa(service, file, content) {
      writeFileSync(join(soa, service, file), content);
    },
  };
}

export interface UpProcess {
  readonly child: ChildProcess;
  readonly output: string[];
  waitForOutput(re: RegExp, timeoutMs?: number): Promise<string>;
  /** Sends a signal and waits for the process to exit. */
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

export function startUp(
  ws: Workspace,
  extraArgs: string[] = [],
  cluster = "dev",
  as: { uid?: number; gid?: number; env?: NodeJS.ProcessEnv; prefix?: readonly string[] } = {},
): UpProcess {
  const [command, ...prefix] = [...(as.prefix ?? []), process.execPath];
  const child = spawn(command as string, [...prefix, BIN, "up", "--cluster", cluster, ...extraArgs], {
    env: { ...ws.env, ...as.env },
    stdio: ["ignore", "pipe", "pipe"],
    uid: as.uid,
    gid: as.gid,
  });
  const output: string[] = [];
  const onData = (d: Buffer) => output.push(...d.toString().split("\n").filter(Boolean));
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return {
    child,
    output,
    async waitForOutput(re, timeoutMs = 30_000) {
      const end = Date.now() + timeoutMs;
      while (Date.now() < end) {
        const hit = output.find((l) => re.test(l));
        if (hit) return hit;
        await sleep(100);
      }
      throw new Error(`no output matching ${re} within ${timeoutMs} ms; output:\n${output.join("\n")}`);
    },
    async kill(signal = "SIGTERM") {
      child.kill(signal);
      return exited;
    },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until `ok` holds, returning the last value; throws with the last value on timeout. */
export async function until<T>(
  fn: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs = 30_000,
  everyMs = 200,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < end) {
    try {
      last = await fn();
      if (ok(last)) return last;
    } catch {
      // not up yet
    }
    await sleep(everyMs);
  }
  throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
}

export async function getJson<T = Record<string, unknown>>(url: string): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return (await res.json()) as T;
}

/** Task process groups (the wrapper shells) of a runtime, found through /proc like the orphan sweep does. */
export function taskProcesses(runtimeId: string): Array<{ pid: number; taskId: string }> {
  const out: Array<{ pid: number; taskId: string }> = [];
  for (const p of readdirSync("/proc").filter((x) => /^\d+$/.test(x))) {
    try {
      const environ = readFileSync(`/proc/${p}/environ`, "latin1");
      if (!environ.includes(`PAASTA_RUNTIME_ID=${runtimeId}\0`)) continue;
      const stat = readFileSync(`/proc/${p}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) !== Number(p) || fields[0] === "Z") continue;
      out.push({ pid: Number(p), taskId: /PAASTA_TASK_ID=([^\0]+)/.exec(environ)?.[1] ?? "" });
    } catch {
      // gone
    }
  }
  return out;
}

export function runtimeId(stateDir: string): string {
  const db = new Database(join(stateDir, "state.sqlite"), { readonly: true });
  try {
    return (db.prepare("SELECT value FROM meta WHERE key = 'runtime_id'").get() as { value: string }).value;
  } finally {
    db.close();
  }
}

/** One task's process group: every live (not zombie) process of the runtime sharing a process group id. */
export interface TaskGroup {
  readonly pgid: number;
  readonly taskId: string;
  readonly pids: number[];
  /** Whether the group's leader (the task's wrapper shell) still runs. */
  readonly leaderAlive: boolean;
}

/** Every process group of a runtime's tasks, found through /proc (members, not only leaders). */
export function taskGroups(runtimeId: string): TaskGroup[] {
  const groups = new Map<number, { taskId: string; pids: number[] }>();
  for (const p of readdirSync("/proc").filter((x) => /^\d+$/.test(x))) {
    try {
      const environ = readFileSync(`/proc/${p}/environ`, "latin1");
      if (!environ.includes(`PAASTA_RUNTIME_ID=${runtimeId}\0`)) continue;
      const stat = readFileSync(`/proc/${p}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (fields[0] === "Z") continue;
      const pgid = Number(fields[2]);
      const g = groups.get(pgid) ?? { taskId: /PAASTA_TASK_ID=([^\0]+)/.exec(environ)?.[1] ?? "", pids: [] };
      g.pids.push(Number(p));
      groups.set(pgid, g);
    } catch {
      // gone
    }
  }
  return [...groups].map(([pgid, g]) => ({ pgid, ...g, leaderAlive: g.pids.includes(pgid) }));
}

/** The command line of a process ("" when it is gone). */
export function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
  } catch {
    return "";
  }
}

/** SIGKILLs every task process group of a runtime (test clean-up, even after a failure). */
export function killTaskGroups(runtimeId: string | undefined): void {
  if (!runtimeId) return;
  for (const g of taskGroups(runtimeId)) {
    try {
      process.kill(-g.pgid, "SIGKILL");
    } catch {
      // gone
    }
  }
}

/** The runtime id of a state dir, or undefined when it has none yet (for clean-up). */
export function runtimeIdIfAny(stateDir: string): string | undefined {
  try {
    return runtimeId(stateDir);
  } catch {
    return undefined;
  }
}
