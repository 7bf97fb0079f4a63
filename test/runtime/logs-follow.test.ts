/**
 * `paasta logs -f` (issue 10 item 12) against the real runtime: it follows through quiet periods (the API sends
 * a heartbeat; no client timeout cuts the stream), survives a kill -9 and restart of `paasta up` by
 * reconnecting, prints no line twice, and stops on Ctrl-C.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, paastaBin } from "../helpers/cli.js";
import {
  getJson,
  killTaskGroups,
  makeWorkspace,
  runtimeIdIfAny,
  sleep,
  startUp,
  type UpProcess,
  until,
  type Workspace,
} from "../helpers/runtime.js";

const KUBE = "main:\n  cmd: node server.js\n  instances: 1\n  deploy_group: dev.everything\n";

describe("paasta logs -f", () => {
  let ws: Workspace;
  let up: UpProcess | undefined;
  let logs: ChildProcess | undefined;
  const out: string[] = [];
  const err: string[] = [];
  const lines = () =>
    out
      .join("")
      .split("\n")
      .filter((l) => l.trim() !== "");
  const running = () =>
    getJson<{ deploy_status: string; running_instance_count: number }>(
      `${ws.api}/v1/services/hello/main/bounce_status`,
    );
  const restartHello = async () => {
    const listening = () => lines().filter((l) => l.includes("listening on")).length;
    const before = listening();
    const r = paastaBin(["restart", "-s", "hello", "-c", "dev", "-i", "main"], { env: ws.env });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    await until(
      async () => listening(),
      (n) => n > before,
      30_000,
    );
  };

  beforeAll(async () => {
    ws = await makeWorkspace({ hello: { "kubernetes-dev.yaml": KUBE } });
    up = startUp(ws);
    await up.waitForOutput(/API: +http/);
    const sha = ws.commit("hello", { VERSION: "1\n" });
    expect(
      paastaBin(["mark-for-deployment", "-s", "hello", "-c", sha, "-l", "dev.everything"], { env: ws.env }).code,
    ).toBe(0);
    await until(running, (b) => b.deploy_status === "Running" && b.running_instance_count === 1, 30_000);
  }, 60_000);

  afterAll(async () => {
    if (logs && logs.exitCode === null) logs.kill("SIGKILL");
    await up?.kill("SIGTERM");
    killTaskGroups(runtimeIdIfAny(ws.stateDir));
    rmSync(ws.root, { recursive: true, force: true });
  });

  it("follows through quiet periods, a restart of paasta up, and stops on Ctrl-C; no line twice", async () => {
    logs = spawn(process.execPath, [BIN, "logs", "-s", "hello", "-f", "-C", "stdout,task_lifecycle", "--json"], {
      env: ws.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    logs.stdout?.on("data", (d: Buffer) => out.push(d.toString()));
    logs.stderr?.on("data", (d: Buffer) => err.push(d.toString()));
    const exited = new Promise<number | null>((r) => logs?.on("exit", (code) => r(code)));
    await until(
      async () => lines().length,
      (n) => n > 0,
      15_000,
    );
    // A second, raw follower sees the server's heartbeat: a blank line within a quiet period.
    const abort = new AbortController();
    const raw = await fetch(
      `${ws.api}/v1/services/hello/logs?follow=1&from=${encodeURIComponent(new Date(Date.now() + 1000).toISOString())}`,
      { signal: abort.signal },
    );
    const chunks: string[] = [];
    const reading = (async () => {
      const decoder = new TextDecoder();
      for await (const c of raw.body as unknown as AsyncIterable<Uint8Array>) chunks.push(decoder.decode(c));
    })().catch(() => {});
    await sleep(13_000); // quiet: longer than the old 5 s client timeout and than one heartbeat
    expect(logs.exitCode, err.join("")).toBeNull();
    expect(chunks.join("")).toMatch(/^\n+$/);
    abort.abort();
    await reading;
    await restartHello();
    const beforeKill = lines().length;

    await up?.kill("SIGKILL");
    await sleep(1500); // the follower notices and retries while the API is down
    up = startUp(ws);
    await up.waitForOutput(/API: +http/);
    await until(
      async () => lines().filter((l) => l.includes("Re-adopted task")).length,
      (n) => n >= 1,
      30_000,
    );
    await restartHello();
    expect(lines().length).toBeGreaterThan(beforeKill);
    expect(logs.exitCode, err.join("")).toBeNull();
    expect(err.join("")).toContain("reconnecting");

    const all = lines();
    expect(new Set(all).size).toBe(all.length); // no line twice
    for (const l of all) expect(() => JSON.parse(l)).not.toThrow();

    logs.kill("SIGINT");
    expect(await exited).not.toBe(0); // Ctrl-C ends it (there is no other end)
  }, 120_000);
});
