#!/usr/bin/env node
// `npm start`: a demo of the platform on this machine. Creates a workspace in .paasta-demo/ (once): a git
// repository per example service (examples/services/*), a soa-configs tree (examples/soa-configs) whose
// git_urls point at them, and a system config for a local cluster `dev`; marks the services for deployment;
// then runs `paasta up`. Ctrl-C stops it (and the services).
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { demoHints, writeEnvFile } from "./demo-hints.js";

const root = fileURLToPath(new URL("..", import.meta.url));
// PAASTA_DEMO_DIR: the workspace elsewhere (tests run the demo in a temporary directory).
const ws = process.env.PAASTA_DEMO_DIR ? resolve(process.env.PAASTA_DEMO_DIR) : join(root, ".paasta-demo");
const bin = join(root, "bin/paasta.js");
const soa = join(ws, "soa-configs");
const etc = join(ws, "etc_paasta");
const gitEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: "paasta demo",
  GIT_AUTHOR_EMAIL: "demo@example.org",
  GIT_COMMITTER_NAME: "paasta demo",
  GIT_COMMITTER_EMAIL: "demo@example.org",
};
const git = (args, cwd) => execFileSync("git", args, { cwd, env: gitEnv, encoding: "utf8" }).trim();

function freePort(preferred) {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => {
      const any = createServer();
      any.listen(0, "127.0.0.1", () => {
        const { port } = any.address();
        any.close(() => resolve(port));
      });
    });
    srv.listen(preferred, "127.0.0.1", () => srv.close(() => resolve(preferred)));
  });
}

async function createWorkspace() {
  console.log(`Creating the demo workspace in ${ws}`);
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
  // PAASTA_DEMO_PORT: another port for the API (tests, or a second demo on the machine).
  const port = await freePort(Number(process.env.PAASTA_DEMO_PORT ?? 5054));
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
}

function paasta(args, opts = {}) {
  return execFileSync(process.execPath, [bin, ...args], {
    env: { ...process.env, PAASTA_SYSTEM_CONFIG_DIR: etc },
    encoding: "utf8",
    ...opts,
  });
}

if (!existsSync(join(etc, "paasta.json"))) await createWorkspace();
const deployments = (svc) => {
  try {
    return JSON.parse(readFileSync(join(soa, svc, "deployments.json"), "utf8")).v2.deployments;
  } catch {
    return {};
  }
};
for (const [svc, groups] of [
  ["hello", ["dev.everything", "canary"]],
  ["echo", ["dev.echo"]],
  ["reports", ["dev.reports"]],
]) {
  const sha = git(["rev-parse", "HEAD"], join(ws, "repos", svc));
  for (const g of groups)
    if (!deployments(svc)[g]) process.stdout.write(paasta(["mark-for-deployment", "-s", svc, "-c", sha, "-l", g]));
}
const api = JSON.parse(readFileSync(join(etc, "paasta.json"), "utf8")).api_endpoints.dev;
const envFile = writeEnvFile(root, ws, etc);
console.log(`
The platform is starting: cluster dev (local runtime), API ${api}
The mesh (smartstack.yaml, docs/mesh.md; needs HAProxy: sudo apt-get install haproxy): paasta up's HAProxy
serves hello.main on 127.0.0.1:20001 and echo.main on 127.0.0.1:20002.
  curl http://127.0.0.1:20001/echo/hi    # hello calls echo through echo's proxy port
  paasta mesh-status -s hello -i main    # (env file below sourced) each task: up / draining / down, sessions
  To watch a bounce fail no request, run in a second terminal
    node ${relative(process.cwd(), join(root, "bench/loadgen.js")) || join(root, "bench/loadgen.js")} http://127.0.0.1:20001/ --requests 20000 --concurrency 8 --rate 400
  while you deploy a new commit of hello (the commit and mark-for-deployment lines below): it ends with "failed": 0.
In another terminal, from ${process.cwd()}, try (each line works pasted in order):
${demoHints({ cwd: process.cwd(), ws, envFile })
  .map((l) => `  ${l}`)
  .join("\n")}
Start over with: rm -rf ${ws}
`);
const up = spawn(process.execPath, [bin, "up", "--cluster", "dev"], {
  stdio: "inherit",
  env: { ...process.env, PAASTA_SYSTEM_CONFIG_DIR: etc },
});
// Ctrl-C reaches both processes (one foreground process group); forward a signal once, for when only this
// script was signalled, and stay alive until paasta up has stopped its services.
let forwarded = false;
for (const sig of ["SIGINT", "SIGTERM"])
  process.on(sig, () => {
    if (!forwarded) up.kill(sig);
    forwarded = true;
  });
up.on("exit", (code) => process.exit(code ?? 0));
