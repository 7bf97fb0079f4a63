/**
 * `npm start` (scripts/start.js) in a workspace of its own ($PAASTA_DEMO_DIR): the first line it prints is the
 * dashboard's URL, and that URL serves the home page listing the demo services. The demo is stopped with
 * SIGTERM (which stops `paasta up` and its services) after the test, even when it fails.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO, tempDir } from "../helpers/cli.js";
import { freePort, until } from "../helpers/runtime.js";

describe("npm start", () => {
  let child: ChildProcess | undefined;
  const output: string[] = [];

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child?.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    }
  }, 60_000);

  it("prints the dashboard URL first, and the dashboard lists the demo services", async () => {
    child = spawn(process.execPath, [join(REPO, "scripts/start.js")], {
      // A port of its own: 5054 may be another demo's on this machine.
      env: {
        ...process.env,
        PAASTA_DEMO_DIR: join(tempDir("paasta-npm-start-"), "demo"),
        PAASTA_DEMO_PORT: String(await freePort()),
        NO_COLOR: "1",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout?.on("data", (d: Buffer) => output.push(d.toString()));
    child.stderr?.on("data", (d: Buffer) => output.push(d.toString()));
    const first = await until(
      async () => output.join("").split("\n"),
      (lines) => lines.length > 1,
      60_000,
    );
    const url = /^Dashboard: (http:\/\/127\.0\.0\.1:\d+\/) /.exec(first[0] ?? "")?.[1];
    expect(url, output.join("")).toBeDefined();
    const home = await until(
      async () => (await fetch(url as string)).text(),
      (t) => t.includes('data-instance="hello.main"'),
      60_000,
    );
    for (const s of ["hello", "echo", "reports"]) expect(home).toContain(`data-service="${s}"`);
  }, 120_000);
});
