/**
 * The demo of `npm start` as a test workspace: the example services' soa-configs (examples/soa-configs), each
 * with a git repository, marked for deployment to the local cluster `dev` like scripts/start.js does, plus
 * any extra services a test adds.
 */
import { cpSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { EXAMPLES, paastaBin, REPO } from "./cli.js";
import { git } from "./git.js";
import { makeWorkspace, type Workspace, type WorkspaceOptions } from "./runtime.js";

/** The deploy groups scripts/start.js marks for each demo service. */
export const DEMO_GROUPS: Record<string, string[]> = {
  hello: ["dev.everything", "canary"],
  echo: ["dev.echo"],
  reports: ["dev.reports"],
};

/** The demo's soa-configs files of `service`, with `edit` applied to each file's text. */
function demoFiles(service: string, edit: (file: string, text: string) => string): Record<string, string> {
  const dir = join(EXAMPLES, service);
  const files: Record<string, string> = {};
  for (const f of readdirSync(dir)) {
    let text = readFileSync(join(dir, f), "utf8");
    if (f === "service.yaml") text = text.replace(/^git_url: .*$/m, `git_url: ../../repos/${service}`);
    files[f] = edit(f, text);
  }
  return files;
}

export async function makeDemoWorkspace(
  o: {
    extra?: Record<string, Record<string, string>>;
    edit?: (service: string, file: string, text: string) => string;
  } & WorkspaceOptions = {},
): Promise<Workspace> {
  const services: Record<string, Record<string, string>> = {};
  for (const s of Object.keys(DEMO_GROUPS)) services[s] = demoFiles(s, (f, t) => o.edit?.(s, f, t) ?? t);
  const ws = await makeWorkspace({ ...services, ...o.extra }, o);
  // Each demo service's own code (makeWorkspace gives every repository hello's).
  for (const s of Object.keys(DEMO_GROUPS)) {
    const repo = join(ws.root, "repos", s);
    cpSync(join(REPO, "examples/services", s), repo, { recursive: true });
    git(["add", "-A"], repo);
    if (git(["status", "--porcelain"], repo)) git(["commit", "-q", "-m", `${s}: its own code`], repo);
  }
  return ws;
}

/** mark-for-deployment of each service's HEAD to `groups` (the demo's by default). */
export function markAll(ws: Workspace, groups: Record<string, string[]> = DEMO_GROUPS): void {
  for (const [service, list] of Object.entries(groups)) {
    const sha = git(["rev-parse", "HEAD"], join(ws.root, "repos", service));
    for (const g of list) {
      const r = paastaBin(["mark-for-deployment", "-s", service, "-c", sha, "-l", g], { env: ws.env });
      expect(r.code, r.stderr).toBe(0);
    }
  }
}
