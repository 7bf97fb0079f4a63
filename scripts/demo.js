// The demo workspace of `npm start` (scripts/start.js) and of the dashboard screenshots (scripts/screenshots.js):
// a git repository per example service (examples/services/*), a soa-configs tree (examples/soa-configs) whose
// git_urls point at them, a system config for a local cluster `dev`, and the services marked for deployment.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("..", import.meta.url));
export const bin = join(root, "bin/paasta.js");

/** The deploy groups each demo service is marked for. */
export const DEMO_GROUPS = [
  ["hello", ["dev.everything", "canary"]],
  ["echo", ["dev.echo"]],
  ["reports", ["dev.reports"]],
];

const gitEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: "paasta demo",
  GIT_AUTHOR_EMAIL: "demo@example.org",
  GIT_COMMITTER_NAME: "paasta demo",
  GIT_COMMITTER_EMAIL: "demo@example.org",
};
export const git = (args, cwd) => execFileSync("git", args, { cwd, env: gitEnv, encoding: "utf8" }).trim();

/** `preferred` when it is free on 127.0.0.1, else any free port. */
export function freePort(preferred = 0) {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => {
      const any = createServer();
      any.listen(0, "127.0.0.1", () => {
        const { port } = any.address();
        any.close(() => resolve(port));
      });
    });
    srv.listen(preferred, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** The paths of a workspace directory. */
export function paths(ws) {
  return { ws, soa: join(ws, "soa-configs"), etc: join(ws, "etc_paasta") };
}

/** Creates the workspace in `ws` (a new directory); returns its API URL. */
export async function createWorkspace(ws, { preferredPort = 5054 } = {}) {
  const { soa, etc } = paths(ws);
  for (const name of readdirSync(join(root, "examples/services"))) {
    const repo = join(ws, "repos", name);
    cpSync(join(root, "examples/services", name), repo, { recursive: true });
    git(["init", "-q", "-b", "main"], repo);
    git(["add", "-A"], repo);
    git(["commit", "-q", "-m", `${name}: first version`], repo);
  }
  cpSync(join(root, "examples/soa-configs"), soa, { recursive: true });
  for (const name of readdirSync(soa)) {
    const path = join(soa, name, "service.yaml");
    if (!existsSync(path)) continue;
    writeFileSync(path, readFileSync(path, "utf8").replace(/^git_url: .*$/m, `git_url: ../../repos/${name}`));
  }
  const port = await freePort(preferredPort);
  mkdirSync(etc, { recursive: true });
  const config = {
    cluster: "dev",
    clusters: ["dev"],
    soa_dir: "../soa-configs",
    docker_registry: "127.0.0.1:5000",
    volumes: [],
    api_endpoints: { dev: `http://127.0.0.1:${port}` },
    api_auth_token: randomBytes(16).toString("hex"),
    log_writer: { driver: "file", options: { path_format: join(ws, "logs", "{service}", "{component}.log") } },
    cluster_backends: { dev: { type: "local", executor: "process", state_dir: "../state/dev" } },
  };
  writeFileSync(join(etc, "paasta.json"), `${JSON.stringify(config, null, 2)}\n`);
  return config.api_endpoints.dev;
}

export function systemConfig(ws) {
  return JSON.parse(readFileSync(join(paths(ws).etc, "paasta.json"), "utf8"));
}

/** Runs `paasta ARGS` against the workspace's system config; returns its output. */
export function paasta(ws, args, opts = {}) {
  return execFileSync(process.execPath, [bin, ...args], {
    env: { ...process.env, PAASTA_SYSTEM_CONFIG_DIR: paths(ws).etc },
    encoding: "utf8",
    ...opts,
  });
}

/** Marks each demo service's HEAD for its deploy groups, where the group has no deployment yet. */
export function markDemo(ws, write = (text) => process.stdout.write(text)) {
  const { soa } = paths(ws);
  const deployments = (svc) => {
    try {
      return JSON.parse(readFileSync(join(soa, svc, "deployments.json"), "utf8")).v2.deployments;
    } catch {
      return {};
    }
  };
  for (const [svc, groups] of DEMO_GROUPS) {
    const sha = git(["rev-parse", "HEAD"], join(ws, "repos", svc));
    for (const g of groups)
      if (!deployments(svc)[g]) write(paasta(ws, ["mark-for-deployment", "-s", svc, "-c", sha, "-l", g]));
  }
}
