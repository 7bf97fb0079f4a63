/**
 * `npm start` (scripts/start.js) as a user runs it, in a workspace of its own: the demo's `reports` job runs on
 * its schedule and shows in `paasta status`; the demo's adhoc instance (hello's `shell`) runs once with
 * `paasta remote-run`, printing its output and exit code.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { paastaBin, REPO, tempDir } from "../helpers/cli.js";
import { freePort, until } from "../helpers/runtime.js";

describe("the demo (npm start)", () => {
  let demo: ChildProcess | undefined;
  const output: string[] = [];

  afterAll(async () => {
    if (demo && demo.exitCode === null) {
      const exited = new Promise((r) => demo?.once("exit", r));
      demo.kill("SIGINT");
      await exited;
    }
  }, 60_000);

  it("runs the reports job on its schedule, shows it in paasta status, and remote-runs the adhoc instance", async () => {
    const dir = join(tempDir("paasta-demo-"), "demo");
    demo = spawn(process.execPath, [join(REPO, "scripts/start.js")], {
      // A port of its own: 5054 may be another demo's on this machine.
      env: { ...process.env, PAASTA_DEMO_DIR: dir, PAASTA_DEMO_PORT: String(await freePort()), NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    for (const s of [demo.stdout, demo.stderr]) s?.on("data", (d: Buffer) => output.push(d.toString()));
    const env = { PAASTA_SYSTEM_CONFIG_DIR: join(dir, "etc_paasta") };
    await until(
      async () => output.join(""),
      (o) => /API: +http/.test(o),
      90_000,
      500,
    );
    const status = await until(
      async () => paastaBin(["status", "-s", "reports", "-i", "nightly"], { env }),
      (r) => /load +succeeded/.test(r.stdout),
      120_000,
      1000,
    );
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain("reports.nightly (job)");
    expect(status.stdout).toContain("Schedule: every 30 seconds - enabled");
    expect(status.stdout).toMatch(/extract +succeeded .*exit 0/);
    expect(status.stdout).toMatch(/load +succeeded .*exit 0/);
    expect(status.stdout).toMatch(/cleanup \(cleanup\) +succeeded/);
    const logs = paastaBin(["logs", "-s", "reports", "-i", "nightly.extract"], { env });
    expect(logs.stdout).toMatch(
      /\[stdout\] \[dev\] nightly\.extract\[\S+\] - extracting \d{4}-\d\d-\d\d for reports\.nightly\.extract/,
    );
    const rr = paastaBin(["remote-run", "start", "-s", "hello", "-i", "shell", "--cmd", "echo hi from a one-off"], {
      env,
    });
    expect(rr.stdout).toContain("hi from a one-off");
    expect(rr.stdout).toMatch(/remote-run\.hello\.shell\.\S+ succeeded: exit code 0/);
    expect(rr.code).toBe(0);
  }, 300_000);
});
