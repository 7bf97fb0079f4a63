/**
 * What the monitor subscribes to: the runtime's event stream carries `job.action.overdue` when an action runs
 * past its expected_runtime, and `job.run.finished` once per run — not again after a restart of the runtime
 * (the announcement is recorded). The real `paasta up` host, in this process, so the test can subscribe.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadSystemConfig } from "../../src/config/system.js";
import type { RuntimeEvents } from "../../src/runtime/events.js";
import { type LocalHost, startLocalHost } from "../../src/runtime/local-host.js";
import { BIN } from "../helpers/cli.js";
import { makeWorkspace, sleep, until } from "../helpers/runtime.js";

describe("job events on the runtime's event stream", () => {
  let host: LocalHost | undefined;

  afterAll(async () => {
    await host?.stop({ stopTasks: true });
  }, 30_000);

  it("overdue once per attempt, finished once per run, even across a restart", async () => {
    const ws = await makeWorkspace({ svc: {} });
    ws.writeSoa(
      "svc",
      "tron-dev.yaml",
      `slow:
  schedule: daily 04:00:00
  enabled: false
  deploy_group: dev.everything
  actions:
    a: {command: "sleep 2; exit 1", expected_runtime: 1s}
`,
    );
    const sha = execFileSync("git", ["rev-parse", "HEAD"], {
      cwd: join(ws.root, "repos/svc"),
      encoding: "utf8",
    }).trim();
    execFileSync(process.execPath, [BIN, "mark-for-deployment", "-s", "svc", "-c", sha, "-l", "dev.everything"], {
      env: ws.env,
    });
    const system = loadSystemConfig(ws.etc);
    const options = {
      soaDir: ws.soa,
      system,
      cluster: "dev",
      version: "test",
      env: ws.env,
      scheduler: { pollMs: 200 },
    };
    const seen: Array<{ name: string; e: RuntimeEvents[keyof RuntimeEvents] }> = [];
    const listen = (h: LocalHost) => {
      h.ctx.events.on("job.run.finished", (e) => seen.push({ name: "job.run.finished", e }));
      h.ctx.events.on("job.action.overdue", (e) => seen.push({ name: "job.action.overdue", e }));
    };
    host = await startLocalHost(options);
    listen(host);
    await host.scheduler.jobs?.verb({ service: "svc", job: "slow" }, "start");
    await until(
      async () => seen.filter((s) => s.name === "job.run.finished").length,
      (n) => n === 1,
      20_000,
      100,
    );
    expect(seen.map((s) => s.name)).toEqual(["job.action.overdue", "job.run.finished"]);
    expect(seen[0]?.e).toMatchObject({
      service: "svc",
      instance: "slow.a",
      cluster: "dev",
      job: "slow",
      run: 1,
      action: "a",
      expected_runtime_seconds: 1,
    });
    expect(seen[1]?.e).toMatchObject({
      service: "svc",
      instance: "slow",
      job: "slow",
      run: 1,
      state: "failed",
      failed_actions: ["a"],
      manual: true,
    });
    await host.stop();
    host = await startLocalHost(options);
    listen(host);
    await sleep(1500);
    expect(seen).toHaveLength(2);
  }, 60_000);
});
