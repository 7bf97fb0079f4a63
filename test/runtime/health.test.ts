/**
 * One health probe (`probe`) as the runtime and local-run make it, against real loopback servers and a real
 * shell: http/https status codes, tcp connects, cmd exit codes and timeouts.
 */

import { createServer as createHttpServer, type Server } from "node:http";
import { type AddressInfo, createServer as createTcpServer, type Server as TcpServer } from "node:net";
import { tmpdir } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probe } from "../../src/backends/local/health.js";
import { runShell } from "../../src/backends/local/process-group.js";
import type { ResolvedHealthcheck } from "../../src/config/types.js";

const base: ResolvedHealthcheck = {
  mode: "http",
  uri: "/status",
  cmd: "",
  grace_period_seconds: 0,
  interval_seconds: 1,
  timeout_seconds: 1,
  max_consecutive_failures: 3,
};
const shell = (cmd: string, timeoutMs: number) => runShell(cmd, { cwd: tmpdir(), env: process.env, timeoutMs });

describe("probe", () => {
  let http: Server;
  let tcp: TcpServer;
  let httpPort = 0;
  let tcpPort = 0;

  beforeAll(async () => {
    http = createHttpServer((req, res) => {
      res.statusCode = req.url === "/status" ? 200 : 503;
      res.end();
    });
    tcp = createTcpServer((s) => s.end());
    await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
    await new Promise<void>((r) => tcp.listen(0, "127.0.0.1", r));
    httpPort = (http.address() as AddressInfo).port;
    tcpPort = (tcp.address() as AddressInfo).port;
  });
  afterAll(() => {
    http.close();
    tcp.close();
  });

  it("passes on a 2xx and fails on a 5xx of the configured uri", async () => {
    expect(await probe(base, "127.0.0.1", httpPort, shell)).toEqual({ ok: true, detail: "HTTP 200 from /status" });
    const bad = await probe({ ...base, uri: "/broken" }, "127.0.0.1", httpPort, shell);
    expect(bad).toEqual({ ok: false, detail: "HTTP 503 from /broken" });
  });

  it("tcp passes when the port accepts connections and fails when nothing listens", async () => {
    const tcpHc = { ...base, mode: "tcp" as const };
    expect((await probe(tcpHc, "127.0.0.1", tcpPort, shell)).ok).toBe(true);
    const closed = createTcpServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const freePort = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    expect(await probe(tcpHc, "127.0.0.1", freePort, shell)).toEqual({ ok: false, detail: "connection refused" });
  });

  it("a port check without a port fails and says why", async () => {
    expect(await probe(base, "127.0.0.1", null, shell)).toEqual({ ok: false, detail: "no port published" });
  });

  it("cmd reports the exit code, and a timeout as such", async () => {
    const cmd = (c: string) => ({ ...base, mode: "cmd" as const, cmd: c });
    expect(await probe(cmd("true"), "127.0.0.1", null, shell)).toEqual({ ok: true, detail: "true exited 0" });
    expect(await probe(cmd("exit 3"), "127.0.0.1", null, shell)).toEqual({ ok: false, detail: "exit 3 exited 3" });
    const started = Date.now();
    expect(await probe(cmd("sleep 30"), "127.0.0.1", null, shell)).toEqual({
      ok: false,
      detail: "timed out after 1s",
    });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("no health check mode passes without probing", async () => {
    expect(await probe({ ...base, mode: null }, "127.0.0.1", null, shell)).toEqual({
      ok: true,
      detail: "no health check",
    });
  });
});
