/**
 * The first hour, as a new user lives it: `npm start` (scripts/start.js, the real demo: git repositories,
 * soa-configs, `paasta up` with its supervised services) in a temporary directory, then every command it
 * prints pasted in order into one shell, then every shell example of README.md and docs/ that can run
 * against the demo. Every ```sh block must say whether it runs here (`<!-- example: demo -->`), is run by
 * another test (`<!-- walkthrough:NAME -->`), or cannot run against the demo and why.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO, tempDir } from "../helpers/cli.js";
import { runtimeId, sleep, taskProcesses } from "../helpers/runtime.js";

const root = tempDir("paasta-first-hour-");
const ws = join(root, ".paasta-demo");
/** The user's shell: what a terminal has, and no container engine (the demo runs processes). */
const shellEnv = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  NO_COLOR: "1",
  DOCKER_HOST: "unix:///nonexistent/docker.sock",
  GIT_AUTHOR_NAME: "first hour",
  GIT_AUTHOR_EMAIL: "first@example.org",
  GIT_COMMITTER_NAME: "first hour",
  GIT_COMMITTER_EMAIL: "first@example.org",
};

let start: ChildProcess;
const output: string[] = [];

async function waitFor(re: RegExp, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (re.test(output.join(""))) return;
    await sleep(200);
  }
  throw new Error(`no ${re} within ${timeoutMs} ms:\n${output.join("")}`);
}

function bash(script: string, cwd = root) {
  const r = spawnSync("bash", ["-e", "-c", script], { cwd, env: shellEnv, encoding: "utf8", timeout: 600_000 });
  return { code: r.status, out: `${r.stdout}\n${r.stderr}` };
}

beforeAll(async () => {
  symlinkSync(join(REPO, "examples"), join(root, "examples")); // docs refer to examples/ from the checkout's root
  start = spawn(process.execPath, [join(REPO, "scripts/start.js")], {
    cwd: root,
    env: { ...shellEnv, PAASTA_DEMO_DIR: ws },
    stdio: ["ignore", "pipe", "pipe"],
  });
  for (const s of [start.stdout, start.stderr]) s?.on("data", (d: Buffer) => output.push(d.toString()));
  await waitFor(/paasta up: cluster dev/, 120_000);
}, 180_000);

afterAll(async () => {
  if (start.exitCode === null) {
    const exited = new Promise((r) => start.once("exit", r));
    start.kill("SIGINT");
    await Promise.race([exited, sleep(60_000)]);
    if (start.exitCode === null) start.kill("SIGKILL");
  }
  // Nothing left behind: Ctrl-C stopped the demo's services.
  const state = join(ws, "state/dev");
  if (existsSync(join(state, "state.sqlite"))) {
    const left = taskProcesses(runtimeId(state));
    for (const p of left) process.kill(-p.pid, "SIGKILL");
    expect(left).toEqual([]);
  }
}, 120_000);

describe("npm start", () => {
  it("prints hints that run in order in one shell, none of them npx", () => {
    const text = output.join("");
    expect(text).not.toContain("npx");
    const block = text.slice(text.indexOf("(each line works pasted in order):"), text.indexOf("Start over with"));
    const hints = block
      .split("\n")
      .slice(1)
      .map((l) => l.trim())
      .filter(Boolean);
    expect(hints[0]).toBe(
      "source .paasta-demo/env    # paasta on PATH, talking to the demo (or: npm link, then set PAASTA_SYSTEM_CONFIG_DIR)",
    );
    expect(hints.length).toBeGreaterThanOrEqual(8);
    const r = bash(hints.join("\n"));
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain("State: ");
    expect(r.out).toMatch(/runs [0-9a-f]{8} everywhere/);
    expect(readFileSync(join(ws, "env"), "utf8")).toContain(
      `export PAASTA_SYSTEM_CONFIG_DIR="${join(ws, "etc_paasta")}"`,
    );
  }, 900_000);
});

interface Example {
  readonly file: string;
  readonly marker: string | undefined;
  readonly code: string;
}

/** Every ```sh block of README.md and docs/*.md, with the HTML comment right above it. */
function examples(): Example[] {
  const files = [
    "README.md",
    ...readdirSync(join(REPO, "docs"))
      .filter((f) => f.endsWith(".md"))
      .map((f) => `docs/${f}`),
  ];
  const out: Example[] = [];
  for (const file of files) {
    const lines = readFileSync(join(REPO, file), "utf8").split("\n");
    lines.forEach((line, i) => {
      if (!/^```(sh|bash|shell|console)\s*$/.test(line)) return;
      const end = lines.findIndex((l, j) => j > i && l.startsWith("```"));
      const above = lines[i - 1] ?? "";
      out.push({
        file,
        marker: /^<!--.*-->$/.test(above) ? above : undefined,
        code: lines.slice(i + 1, end).join("\n"),
      });
    });
  }
  return out;
}

describe("the examples of README.md and docs/", () => {
  it("each says whether it runs against the demo", () => {
    const unmarked = examples().filter(
      (e) => !e.marker || !/^<!-- (example: demo -->$|example: not runnable\b|walkthrough:[\w-]+ -->$)/.test(e.marker),
    );
    expect(unmarked.map((e) => `${e.file}: ${e.code.split("\n")[0]}`)).toEqual([]);
    const walkthroughs = examples().flatMap((e) => /walkthrough:([\w-]+)/.exec(e.marker ?? "")?.[1] ?? []);
    const tests = spawnSync("grep", ["-rl", "walkthrough:", join(REPO, "test")], { encoding: "utf8" }).stdout;
    for (const w of walkthroughs) expect(tests.length, `a test runs walkthrough:${w}`).toBeGreaterThan(0);
  });

  it("the demo ones run, in order, in a shell with the demo's env file sourced", () => {
    const runnable = examples().filter((e) => e.marker === "<!-- example: demo -->");
    expect(runnable.length).toBeGreaterThanOrEqual(6);
    for (const e of runnable) {
      writeFileSync(join(root, "example.sh"), `source .paasta-demo/env\n${e.code}\n`);
      const r = bash("source example.sh");
      expect(r.code, `${e.file}:\n${e.code}\n---\n${r.out}`).toBe(0);
    }
  }, 900_000);
});
