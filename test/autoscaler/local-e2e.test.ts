/**
 * The local autoscaler end to end: `paasta up` as a child process runs a service whose tasks burn a bounded
 * amount of CPU (a tenth of a core each, while a file exists) against cpus 0.05, with cpu autoscaling 1..5.
 * It scales up under load and back down after the load stops — not before the scale-down stabilisation window
 * and without flapping — and never bounces (one version, the first task keeps running). Then PaaSTA's steering
 * through the real CLI and API: `paasta autoscale --set` and `--set-min` (both expire), and
 * `paasta pause_service_autoscaler` (nothing moves while paused).
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { paastaBin } from "../helpers/cli.js";
import { getJson, makeWorkspace, sleep, startUp, type UpProcess, until, type Workspace } from "../helpers/runtime.js";

/** The service: answers HTTP; while LOAD_FILE exists, busy 10 ms out of every 100 ms (0.1 core). */
const SERVER = `const http = require("node:http");
const fs = require("node:fs");
const load = process.env.LOAD_FILE;
setInterval(() => {
  if (!fs.existsSync(load)) return;
  const end = Date.now() + 10;
  while (Date.now() < end) {}
}, 100);
http.createServer((req, res) => res.end("ok\\n")).listen(Number(process.env.PAASTA_PORT), "127.0.0.1");
process.on("SIGTERM", () => process.exit(0));
`;

const WINDOW_S = 8;

interface Scaler {
  current_instances: number;
  desired: number;
  min: number;
  max: number;
  metric: string | null;
  current: number | null;
  override: { min_instances: number | null; max_instances: number | null; expires_at: string } | null;
  paused_until: string | null;
}
interface Status {
  desired_instances: number;
  versions: Array<{ config_hash: string; replicas: number; ready_replicas: number; tasks: Array<{ id: string }> }>;
}

describe("paasta up: the local autoscaler", () => {
  let ws: Workspace;
  let up: UpProcess;
  let loadFile: string;
  const scaler = () => getJson<Scaler>(`${ws.api}/v1/services/burner/main/autoscaler`);
  const status = () => getJson<Status>(`${ws.api}/v1/services/burner/main/status`);
  const ready = (s: Status) => s.versions.reduce((n, v) => n + v.ready_replicas, 0);
  const cli = (args: string[]) => {
    const r = paastaBin(args, { env: ws.env });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    return r.stdout;
  };
  /** Polls the desired count every 250 ms for `ms`, returning what it saw. */
  const watch = async (ms: number) => {
    const seen: number[] = [];
    const end = Date.now() + ms;
    while (Date.now() < end) {
      seen.push((await status()).desired_instances);
      await sleep(250);
    }
    return seen;
  };

  beforeAll(async () => {
    ws = await makeWorkspace(
      {
        burner: {
          "kubernetes-dev.yaml": `main:
  cmd: node server.js
  cpus: 0.05
  mem: 64
  min_instances: 1
  max_instances: 5
  deploy_group: dev.everything
  env:
    LOAD_FILE: LOADFILE
  autoscaling:
    metrics_providers:
      - type: cpu
        setpoint: 0.8
    scaledown_policies:
      stabilizationWindowSeconds: ${WINDOW_S}
      selectPolicy: Max
      policies:
        - {type: Percent, value: 100, periodSeconds: 1}
`,
        },
      },
      { repoFiles: { "server.js": SERVER }, system: { autoscaler_interval_seconds: 1, autoscaler_window_seconds: 2 } },
    );
    loadFile = join(ws.root, "load");
    const file = join(ws.soa, "burner", "kubernetes-dev.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace("LOADFILE", loadFile));
    up = startUp(ws);
    await up.waitForOutput(/API: +http/);
    const sha = ws.commit("burner", { VERSION: "1\n" });
    cli(["mark-for-deployment", "-s", "burner", "-c", sha, "-l", "dev.everything"]);
    await until(status, (s) => ready(s) === 1, 60_000);
  }, 120_000);

  afterAll(async () => {
    if (loadFile && existsSync(loadFile)) rmSync(loadFile);
    await up?.kill("SIGTERM");
  });

  it("scales up under load and down after it, not within the stabilisation window, without a bounce or flapping", async () => {
    const first = (await status()).versions[0]?.tasks[0]?.id;
    const idle = await until(scaler, (s) => s.metric === "cpu" && s.current !== null, 20_000);
    expect(idle.current).toBeLessThan(0.8);
    expect(idle.desired).toBe(1);

    writeFileSync(loadFile, "on\n");
    const upSeen: number[] = [];
    await until(
      async () => {
        const s = await status();
        upSeen.push(s.desired_instances);
        return s;
      },
      (s) => ready(s) === 5,
      60_000,
      250,
    );
    expect(upSeen.every((n, i) => i === 0 || n >= (upSeen[i - 1] as number))).toBe(true); // only up
    const loaded = await scaler();
    expect(loaded.current).toBeGreaterThan(0.8);
    expect(loaded.desired).toBe(5);

    rmSync(loadFile);
    const stopped = Date.now();
    const downSeen = await watch(6_000); // well within the window (plus the moving average's tail)
    expect(downSeen.every((n) => n === 5)).toBe(true);
    const after = await until(status, (s) => s.desired_instances === 1 && ready(s) === 1, 60_000, 250);
    expect(Date.now() - stopped).toBeGreaterThanOrEqual(WINDOW_S * 1000);
    // no bounce: one version all along, and the first task still runs
    expect(after.versions).toHaveLength(1);
    expect(after.versions[0]?.tasks.map((t) => t.id)).toContain(first);
    const tail = await watch(3_000);
    expect(tail.every((n) => n === 1)).toBe(true); // no flapping once down
    expect(up.output.some((l) => /burner\.main autoscaled 1 → \d/.test(l))).toBe(true);
  }, 180_000);

  it("`paasta autoscale --set 3 --for 6s` pins the count, then it expires", async () => {
    const out = cli(["autoscale", "-s", "burner", "-i", "main", "-c", "dev", "--set", "3", "--for", "6s"]);
    expect(out).toMatch(/pinned to 3 until/);
    await until(status, (s) => s.desired_instances === 3 && ready(s) === 3, 20_000, 250);
    const shown = cli(["autoscale", "-s", "burner", "-i", "main", "-c", "dev"]);
    expect(shown).toMatch(/Override: min 3, max 3 for \d+s more/);
    const table = cli(["status", "-s", "burner", "-c", "dev", "-v"]);
    expect(table).toMatch(
      /Autoscaling \(proportional\): 3 → 3 replica\(s\) \(min 3, max 3\); cpu [\d.]+ vs setpoint 0\.8/,
    );
    expect(table).toMatch(/Override: min 3, max 3/);
    await until(status, (s) => s.desired_instances === 1, 30_000, 250);
    expect((await scaler()).override).toBeNull();
  }, 60_000);

  it("a temporary min (--set-min 2 --for 5s) holds the count up, then expires", async () => {
    cli(["autoscale", "-s", "burner", "-i", "main", "-c", "dev", "--set-min", "2", "--for", "5s"]);
    const held = await until(scaler, (s) => s.min === 2 && s.desired === 2, 20_000, 250);
    expect(held.override).toMatchObject({ min_instances: 2, max_instances: null });
    await until(status, (s) => s.desired_instances === 1, 30_000, 250);
  }, 60_000);

  it("pause_service_autoscaler freezes it: load changes nothing until resumed", async () => {
    expect(cli(["pause_service_autoscaler", "-c", "dev", "-d", "5"])).toMatch(/paused until/);
    expect(cli(["pause_service_autoscaler", "-c", "dev", "-i"])).toMatch(/paused until/);
    writeFileSync(loadFile, "on\n");
    const frozen = await watch(5_000);
    expect(frozen.every((n) => n === 1)).toBe(true);
    expect((await scaler()).paused_until).not.toBeNull();
    expect(cli(["pause_service_autoscaler", "-c", "dev", "-r"])).toMatch(/not paused/);
    await until(status, (s) => s.desired_instances > 1, 20_000, 250);
    rmSync(loadFile);
  }, 60_000);
});
