#!/usr/bin/env node
// The dashboard's screenshots for the README (docs/images/dashboard-*.png), taken from the real thing: the demo
// workspace of `npm start` in a temporary directory, `paasta up` as a child process, and Debian's Chromium
// driven by playwright-core (scripts/testenv-chromium installs it). The instance page is taken during a
// crossover bounce of hello.main (both versions side by side). Everything it starts is stopped at the end.
//
//   npm run build && node scripts/screenshots.js
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { bin, createWorkspace, git, markDemo, paasta, paths, root } from "./demo.js";

const OUT = join(root, "docs/images");
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(what, fn, timeoutMs = 90_000) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    try {
      if (await fn()) return;
    } catch {
      // not yet
    }
    await sleep(300);
  }
  throw new Error(`timed out waiting for ${what}`);
}

function chromiumPath() {
  const r = spawnSync(join(root, "scripts/testenv-chromium"), ["chromium", "status"], { encoding: "utf8" });
  const path = /^CHROMIUM=(.+)$/m.exec(r.stdout)?.[1];
  if (!path) throw new Error(`chromium is not installed: run scripts/testenv-chromium chromium setup (as root)`);
  return path;
}

const ws = mkdtempSync(join(tmpdir(), "paasta-screenshots-"));
const profile = mkdtempSync(join(tmpdir(), "paasta-screenshots-chromium-"));
let up;
let browser;
try {
  const api = await createWorkspace(ws, { preferredPort: 0 });
  // hello.main bounces slowly, so that the instance page can be taken with both versions running.
  const helloDev = join(paths(ws).soa, "hello/kubernetes-dev.yaml");
  const yaml = readFileSync(helloDev, "utf8");
  writeFileSync(
    helloDev,
    yaml.replace(
      "bounce_method: crossover",
      "bounce_method: crossover\n  bounce_health_params:\n    min_task_uptime: 30",
    ),
  );
  markDemo(ws, () => {});
  up = spawn(process.execPath, [bin, "up", "--cluster", "dev"], {
    env: { ...process.env, PAASTA_SYSTEM_CONFIG_DIR: paths(ws).etc },
    stdio: "ignore",
  });
  const status = async (instance) => (await fetch(`${api}/v1/services/hello/${instance}/status`)).json();
  await until("hello.main to run", async () => (await status("main")).deploy_status === "Running");
  await until(
    "echo.main to run",
    async () => (await (await fetch(`${api}/v1/services/echo/main/status`)).json()).deploy_status === "Running",
  );
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 860 },
    colorScheme: "light",
  });
  const page = await browser.newPage();
  mkdirSync(OUT, { recursive: true });
  await page.goto(`${api}/`);
  await page.waitForSelector('tr[data-instance="hello.main"] .state-running');
  await page.screenshot({ path: join(OUT, "dashboard-home.png") });

  // A new commit of hello, marked for dev.everything: a crossover bounce starts.
  const repo = join(ws, "repos/hello");
  writeFileSync(join(repo, "VERSION"), "2\n");
  git(["add", "-A"], repo);
  git(["commit", "-q", "-m", "hello: second version"], repo);
  paasta(ws, ["mark-for-deployment", "-s", "hello", "-c", git(["rev-parse", "HEAD"], repo), "-l", "dev.everything"]);
  await page.goto(`${api}/services/hello/main`);
  await until("both versions, new tasks healthy", async () => {
    const s = await status("main");
    const current = s.versions.find((v) => v.desired);
    return s.versions.length === 2 && current?.tasks.filter((t) => t.healthy).length >= 2;
  });
  await page.waitForFunction(() => document.querySelectorAll("#versions [data-version]").length === 2);
  await sleep(1500);
  await page.screenshot({ path: join(OUT, "dashboard-instance.png"), fullPage: true });

  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${api}/`);
  await page.waitForSelector('tr[data-instance="hello.main"]');
  await page.screenshot({ path: join(OUT, "dashboard-phone.png") });
  console.log(`wrote ${["home", "instance", "phone"].map((n) => `docs/images/dashboard-${n}.png`).join(", ")}`);
} finally {
  await browser?.close().catch(() => {});
  if (up && up.exitCode === null) {
    const exited = new Promise((r) => up.once("exit", r));
    up.kill("SIGTERM");
    await exited;
  }
  rmSync(profile, { recursive: true, force: true });
  rmSync(ws, { recursive: true, force: true });
}
