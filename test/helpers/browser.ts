/**
 * A real headless Chromium (Debian's `chromium`, installed by scripts/testenv-chromium) driven by
 * playwright-core through its executablePath: no browser download. Each call starts its own browser with a
 * fresh profile directory; `close()` stops it and removes the directory (call it in afterAll/finally).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { REPO } from "./cli.js";

export interface Browser {
  readonly context: BrowserContext;
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/** The chromium binary, from `scripts/testenv-chromium chromium status` (installs nothing; npm test does). */
export function chromiumPath(): string {
  const r = spawnSync(join(REPO, "scripts/testenv-chromium"), ["chromium", "status"], { encoding: "utf8" });
  const path = /^CHROMIUM=(.+)$/m.exec(r.stdout)?.[1];
  if (r.status !== 0 || !path) {
    throw new Error(`chromium is not installed: ${r.stdout.trim()} (run: scripts/testenv-chromium chromium setup)`);
  }
  return path;
}

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export async function startBrowser(viewport = { width: 1280, height: 900 }): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), "paasta-chromium-"));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath(),
      headless: true,
      args: CHROMIUM_ARGS,
      viewport,
    });
  } catch (e) {
    rmSync(profile, { recursive: true, force: true });
    throw e;
  }
  return {
    context,
    newPage: () => context.newPage(),
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
