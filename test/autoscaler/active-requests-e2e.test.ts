/**
 * active-requests autoscaling end to end: `paasta up` (a child process) with its real HAProxy; clients hold
 * slow requests open through 127.0.0.1:proxy_port, the autoscaler reads the sessions HAProxy has in flight to
 * the instance's tasks and scales it up (desired_active_requests_per_replica: 1); when the requests end it
 * counts none. The requests are made by a child process so this one's event loop stays free.
 */

/** `n` GETs of `url` at once from a child process, without a client timeout; resolves with how many answered 200. */
function holdOpen(url: string, n: number): Promise<number> {
  const script = `const http = require("http"); let left = ${n}, ok = 0;
    const done = () => { if (--left === 0) console.log(ok); };
    for (let i = 0; i < ${n}; i++)
      http.get(${JSON.stringify(url)}, { agent: false }, (r) => { if (r.statusCode === 200) ok++; r.resume(); r.on("end", done); })
        .on("error", done);`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "ignore"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.on("error", reject);
    child.on("exit", () => resolve(Number(out.trim())));
  });
}

import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { paastaBin } from "../helpers/cli.js";
import { freeProxyPort, TASK_SERVER } from "../helpers/mesh.js";
import { getJson, makeWorkspace, startUp, type UpProcess, until, type Workspace } from "../helpers/runtime.js";

interface Scaler {
  metric: string | null;
  current: number | null;
  desired: number;
  metrics: Array<{ type: string; current: number | null; available: boolean; reason: string | null }>;
}

describe("paasta up: active-requests autoscaling from the local proxy's sessions", () => {
  let ws: Workspace;
  let up: UpProcess;
  let port: number;
  const scaler = () => getJson<Scaler>(`${ws.api}/v1/services/hello/main/autoscaler`);

  beforeAll(async () => {
    port = await freeProxyPort();
    ws = await makeWorkspace(
      {
        hello: {
          "smartstack.yaml": `main:\n  proxy_port: ${port}\n  timeout_server_ms: 30000\n`,
          "kubernetes-dev.yaml": `main:
  cmd: node server.js
  deploy_group: dev.everything
  min_instances: 1
  max_instances: 4
  healthcheck_mode: http
  healthcheck_uri: /status
  healthcheck_grace_period_seconds: 0.2
  healthcheck_interval_seconds: 1
  autoscaling:
    metrics_providers:
      - type: active-requests
        desired_active_requests_per_replica: 1
        moving_average_window_seconds: 60
`,
        },
      },
      { repoFiles: { "server.js": TASK_SERVER }, system: { autoscaler_interval_seconds: 1 } },
    );
    up = startUp(ws);
    await up.waitForOutput(/API: +http/);
    const sha = ws.commit("hello", { VERSION: "1\n" });
    const r = paastaBin(["mark-for-deployment", "-s", "hello", "-c", sha, "-l", "dev.everything"], { env: ws.env });
    expect(r.code, r.stderr).toBe(0);
    await until(scaler, (s) => s.metrics[0]?.available === true && s.current !== null, 60_000, 250);
  }, 120_000);

  afterAll(async () => {
    await up?.kill("SIGTERM");
  });

  it("sessions held open through the proxy scale the instance up; the value is sessions per task", async () => {
    expect((await scaler()).current).toBe(0);
    // 6 requests of 12 s each, all at once: 6 sessions on one task, 6 × its target of 1
    const load = holdOpen(`http://127.0.0.1:${port}/?delay=12000`, 6);
    const busy = await until(scaler, (s) => (s.current ?? 0) >= 1 && s.desired > 1, 20_000, 250);
    expect(busy.metric).toBe("active-requests");
    // the moving average rises with each second of 6 sessions: up to ceil(6 / 1), capped at max_instances
    await until(scaler, (s) => s.desired === 4, 20_000, 250);
    await until(
      () => getJson<{ versions: Array<{ ready_replicas: number }> }>(`${ws.api}/v1/services/hello/main/status`),
      (s) => (s.versions[0]?.ready_replicas ?? 0) === 4,
      60_000,
      250,
    );
    expect(await load).toBe(6);
    // none in flight any more: the moving average (60 s) falls
    const peak = (await scaler()).current ?? 0;
    await until(scaler, (s) => (s.current ?? 0) < peak / 2, 30_000, 500);
  }, 120_000);
});
