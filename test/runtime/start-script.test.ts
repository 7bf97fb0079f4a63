/**
 * `npm start` (scripts/start.js) and Ctrl-C (issue 10 item 2): a terminal's Ctrl-C signals the whole foreground
 * process group — the script and the `paasta up` it runs — and every service must be stopped, as with a plain
 * `paasta up`. The script runs from a copy of the runnable parts of the repository (it keeps its demo workspace
 * beside itself), in its own process group, signalled the way a terminal does.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO, tempDir } from "../helpers/cli.js";
import { killTaskGroups, runtimeIdIfAny, taskGroups, until } from "../helpers/runtime.js";

describe("npm start: Ctrl-C", () => {
  const root = tempDir("paasta-start-");
  const stateDir = join(root, ".paasta-demo/state/dev");
  let child: ChildProcess | undefined;

  afterAll(() => {
    killTaskGroups(runtimeIdIfAny(stateDir));
    if (child?.pid && child.exitCode === null) process.kill(-child.pid, "SIGKILL");
    rmSync(root, { recursive: true, force: true });
  });

  it("stops paasta up and every service: nothing is left running", async () => {
    for (const p of ["bin", "dist", "scripts", "examples", "package.json"])
      cpSync(join(REPO, p), join(root, p), { recursive: true });
    symlinkSync(join(REPO, "node_modules"), join(root, "node_modules"));
    const output: string[] = [];
    child = spawn(process.execPath, [join(root, "scripts/start.js")], {
      cwd: root,
      detached: true, // its own process group, like a job in a terminal
      stdio: ["ignore", "pipe", "pipe"],
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: "1" },
    });
    child.stdout?.on("data", (d: Buffer) => output.push(d.toString()));
    child.stderr?.on("data", (d: Buffer) => output.push(d.toString()));
    const exited = new Promise<number | null>((r) => child?.on("exit", (code) => r(code)));
    const services = readdirSync(join(REPO, "examples/services"));
    expect(services.length).toBeGreaterThan(0);
    const healthy = () => (output.join("").match(/ is healthy /g) ?? []).length;
    await until(
      async () => healthy(),
      (n) => n >= 6,
      60_000,
    );
    const id = runtimeIdIfAny(stateDir);
    expect(id).toBeDefined();
    const before = taskGroups(id as string);
    expect(before.length).toBeGreaterThanOrEqual(6);
    process.kill(-(child.pid as number), "SIGINT"); // what Ctrl-C does
    const code = await exited;
    expect(output.join("")).toContain("Stopping paasta up and its services");
    expect(code).toBe(0);
    expect(taskGroups(id as string)).toEqual([]);
  }, 120_000);
});
