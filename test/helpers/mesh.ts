/**
 * For the mesh tests: a service whose tasks answer with their task id (and can be made to fail their health
 * check, or answer slowly), a free proxy port in smartstack.yaml's range, and mesh_status reads.
 */
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { REPO } from "./cli.js";
import { getJson } from "./runtime.js";

/** server.js of the test service: GET / → the task id (after `?delay=MS`); /status → 500 while CONTROL_DIR/fail-TASK exists. */
export const TASK_SERVER = `const http = require("node:http");
const fs = require("node:fs");
const path = require("node:path");
const task = process.env.PAASTA_TASK_ID || "?";
const control = process.env.CONTROL_DIR || "";
const server = http.createServer((req, res) => {
  const u = new URL(req.url, "http://x");
  if (u.pathname === "/status") {
    const failing = control !== "" && fs.existsSync(path.join(control, "fail-" + task));
    res.writeHead(failing ? 500 : 200);
    res.end(failing ? "failing" : "ok");
    return;
  }
  const delay = Number(u.searchParams.get("delay") || 0);
  setTimeout(() => {
    res.writeHead(200, { "content-type": "text/plain" });
    res.end(task);
  }, delay);
});
server.listen(Number(process.env.PAASTA_PORT), "127.0.0.1");
process.on("SIGTERM", () => server.close(() => process.exit(0)));
`;

/** A port in smartstack.yaml's proxy_port range (19000–21000) that nothing listens on now. */
export async function freeProxyPort(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = 19000 + Math.floor(Math.random() * 2000);
    const free = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once("error", () => resolve(false));
      s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error("no free port in 19000–21000");
}

export interface MeshBackendJson {
  task: string;
  service: string;
  instance: string;
  address: string;
  state: "up" | "draining" | "down";
  healthy: boolean;
  sessions: number | null;
  weight: number | null;
}
export interface MeshStatusJson {
  proxy: { available: boolean; detail: string };
  namespaces: Array<{
    name: string;
    proxy_port: number | null;
    address: string | null;
    served: boolean;
    backends: MeshBackendJson[];
  }>;
}

export function meshStatus(api: string, service: string, instance: string): Promise<MeshStatusJson> {
  return getJson<MeshStatusJson>(`${api}/v1/services/${service}/${instance}/mesh_status`);
}

/** The backends of a namespace in an instance's mesh_status. */
export async function backends(api: string, service: string, instance: string, ns: string): Promise<MeshBackendJson[]> {
  const s = await meshStatus(api, service, instance);
  return s.namespaces.find((n) => n.name === ns)?.backends ?? [];
}

/** GET through the proxy: the answering task's id, or the failure. */
export async function through(port: number, path = "/"): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: await res.text() };
}

export interface LoadResult {
  readonly requests: number;
  readonly ok: number;
  readonly failed: number;
  readonly errors: Record<string, number>;
  readonly statuses: Record<string, number>;
  readonly duration_s: number;
  readonly latency_ms: { p50: number | null; p99: number | null };
}

/**
 * bench/loadgen.js in its own process (the test's own event loop stalls while it runs the CLI synchronously,
 * which would count as client timeouts): a fixed number of requests, `concurrency` at a time, paced.
 */
export function loadInChild(url: string, requests: number, concurrency: number, rate: number): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const args = [
      join(REPO, "bench/loadgen.js"),
      url,
      "--requests",
      String(requests),
      "--concurrency",
      String(concurrency),
    ];
    const child = spawn(process.execPath, [...args, "--rate", String(rate)], { stdio: ["ignore", "pipe", "ignore"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.on("error", reject);
    child.on("exit", () => {
      try {
        resolve(JSON.parse(out) as LoadResult);
      } catch {
        reject(new Error(`loadgen printed no result: ${out}`));
      }
    });
  });
}
