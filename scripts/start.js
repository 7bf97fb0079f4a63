#!/usr/bin/env node
// `npm start`: a demo of the platform on this machine. Creates a workspace in .paasta-demo/ (once): a git
// repository per example service (examples/services/*), a soa-configs tree (examples/soa-configs) whose
// git_urls point at them, and a system config for a local cluster `dev`; marks the services for deployment;
// then runs `paasta up`. Ctrl-C stops it (and the services).
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const ws = join(root, ".paasta-demo");
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
  const port = await freePort(5054);
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

const fresh = !existsSync(join(etc, "paasta.json"));
if (fresh) await createWorkspace();
const api = JSON.parse(readFileSync(join(etc, "paasta.json"), "utf8")).api_endpoints.dev;
// The first thing printed: where to look.
console.log(`Dashboard: ${api}/   (the web UI of cluster dev; docs/dashboard.md)`);
if (fresh) console.log(`Created the demo workspace in ${ws}`);
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
const p = `PAASTA_SYSTEM_CONFIG_DIR=${etc} npx paasta`;
console.log(`
The platform is starting: cluster dev (local runtime), API ${api}
Open the dashboard: ${api}/   (actions ask for the API token: api_auth_token in ${join(etc, "paasta.json")})
In another terminal, try:
  ${p} status -s hello -v
  ${p} logs -s hello -f
  cd ${join(ws, "repos/hello")} && echo change >> README && git add -A && git commit -m change
  ${p} mark-for-deployment -s hello -c $(git -C ${join(ws, "repos/hello")} rev-parse HEAD) -l dev.everything    # watch a crossover bounce
  ${p} stop -s hello -c dev -i main      then      ${p} start -s hello -c dev -i main
  ${p} pipeline run -s hello -k $(git -C ${join(ws, "repos/hello")} rev-parse HEAD)    # deploy.yaml step by step (docs/pipeline.md)
Start over with: rm -rf ${ws}
`);
const up = spawn(process.execPath, [bin, "up", "--cluster", "dev"], {
  stdio: "inherit",
  env: { ...process.env, PAASTA_SYSTEM_CONFIG_DIR: etc },
});
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => up.kill(sig));
up.on("exit", (code) => process.exit(code ?? 0));
