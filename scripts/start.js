#!/usr/bin/env node
// `npm start`: a demo of the platform on this machine. Creates a workspace in .paasta-demo/ (once, see
// scripts/demo.js): a git repository per example service, a soa-configs tree and a system config for a local
// cluster `dev`; marks the services for deployment; then runs `paasta up`. The first line printed is the
// dashboard's URL. Ctrl-C stops it (and the services).
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { bin, createWorkspace, markDemo, paths, root, systemConfig } from "./demo.js";
import { demoHints, writeEnvFile } from "./demo-hints.js";

// PAASTA_DEMO_DIR: the workspace elsewhere (tests run the demo in a temporary directory).
const ws = process.env.PAASTA_DEMO_DIR ? resolve(process.env.PAASTA_DEMO_DIR) : join(root, ".paasta-demo");
const { etc } = paths(ws);
const fresh = !existsSync(join(etc, "paasta.json"));
// PAASTA_DEMO_PORT: another port for the API (tests, or a second demo on the machine).
if (fresh) await createWorkspace(ws, { preferredPort: Number(process.env.PAASTA_DEMO_PORT ?? 5054) });
const api = systemConfig(ws).api_endpoints.dev;
// The first thing printed: where to look.
console.log(`Dashboard: ${api}/   (the web UI of cluster dev; docs/dashboard.md)`);
if (fresh) console.log(`Created the demo workspace in ${ws}`);
markDemo(ws);
const envFile = writeEnvFile(root, ws, etc);
console.log(`
The platform is starting: cluster dev (local runtime), API ${api}
Open the dashboard: ${api}/   (actions ask for the API token: api_auth_token in ${join(etc, "paasta.json")})
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
