/**
 * A real Prometheus Alertmanager (Debian's prometheus-alertmanager, scripts/testenv-alertmanager) per test
 * scenario, on a free loopback port with no gossip port, as a child process stopped by PID; and loopback
 * webhook receivers that record what Alertmanager (or the monitor's webhook sink) posts.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO, tempDir } from "./cli.js";
import { freePort, sleep } from "./runtime.js";

export interface RunningAlertmanager {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  stop(): Promise<void>;
  /** Starts it again on the same port and storage (after `stop`). */
  restart(): Promise<void>;
  /** Stops it and removes its storage and config. */
  dispose(): Promise<void>;
}

function binary(): string {
  const r = spawnSync(join(REPO, "scripts/testenv-alertmanager"), ["alertmanager", "status"], { encoding: "utf8" });
  const line = r.stdout.trim().split("\n").pop() ?? "";
  if (r.status !== 0 || !line.startsWith("ALERTMANAGER=")) {
    throw new Error(
      `Alertmanager is not installed: run scripts/testenv-alertmanager alertmanager setup (as root)\n${r.stderr}`,
    );
  }
  return line.slice("ALERTMANAGER=".length);
}

const pidDir = join(
  process.env.PAASTA_TESTENV_DIR ?? join(tmpdir(), `paasta-testenv-${process.getuid?.() ?? 0}`),
  "alertmanager",
);

export async function startAlertmanager(configYaml: string): Promise<RunningAlertmanager> {
  const bin = binary();
  const dir = tempDir("paasta-am-");
  const storage = join(pidDir, `data-${process.pid}-${Date.now()}`);
  writeFileSync(join(dir, "alertmanager.yml"), configYaml);
  const check = spawnSync("amtool", ["check-config", join(dir, "alertmanager.yml")], { encoding: "utf8" });
  if (check.status !== 0) throw new Error(`amtool check-config failed:\n${check.stdout}${check.stderr}`);
  const port = await freePort();
  let child: ChildProcess | undefined;
  const launch = async () => {
    mkdirSync(join(pidDir, "pids"), { recursive: true });
    child = spawn(
      bin,
      [
        `--config.file=${join(dir, "alertmanager.yml")}`,
        `--storage.path=${storage}/`,
        `--web.listen-address=127.0.0.1:${port}`,
        "--cluster.listen-address=",
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    const err: string[] = [];
    child.stderr?.on("data", (d: Buffer) => err.push(d.toString()));
    writeFileSync(join(pidDir, "pids", String(child.pid)), String(child.pid));
    const end = Date.now() + 15_000;
    while (Date.now() < end) {
      if (child.exitCode !== null) throw new Error(`alertmanager exited: ${err.join("")}`);
      try {
        if ((await fetch(`http://127.0.0.1:${port}/-/ready`)).ok) return;
      } catch {
        // not yet
      }
      await sleep(50);
    }
    throw new Error(`alertmanager not ready on port ${port}: ${err.join("")}`);
  };
  const stop = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once("exit", r));
    c.kill("SIGTERM");
    await exited;
    rmSync(join(pidDir, "pids", String(c.pid)), { force: true });
  };
  await launch();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    dir,
    stop,
    restart: launch,
    async dispose() {
      await stop();
      rmSync(storage, { recursive: true, force: true });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Received {
  readonly path: string;
  readonly body: Record<string, unknown>;
  readonly at: number;
}

export interface Receiver {
  readonly url: string;
  readonly received: Received[];
  on(path: string): Received[];
  close(): Promise<void>;
}

/** A loopback HTTP server that records every JSON POST by path. */
export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let b = "";
    req.on("data", (d) => {
      b += d;
    });
    req.on("end", () => {
      try {
        received.push({ path: req.url ?? "", body: JSON.parse(b) as Record<string, unknown>, at: Date.now() });
      } catch {
        received.push({ path: req.url ?? "", body: { raw: b }, at: Date.now() });
      }
      res.end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    on: (path) => received.filter((r) => r.path === path),
    close: () => new Promise((r) => server.close(() => r())),
  };
}

type AmPayloadAlert = { status: string; labels: Record<string, string>; annotations: Record<string, string> };

/** Alertmanager webhook payloads on `path`, flattened to one entry per alert with the time it arrived. */
export function amAlerts(r: Receiver, path: string) {
  return r.on(path).flatMap((x) => ((x.body.alerts ?? []) as AmPayloadAlert[]).map((a) => ({ ...a, at: x.at })));
}
