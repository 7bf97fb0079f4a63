/**
 * The http drain method (reference §6.3) in the real runtime: during a bounce, an old task is drained through
 * the configured URLs and stopped only once `is_safe_to_kill` says so. The drain endpoints are a real HTTP
 * server run by the test.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { drainerFor, successCodes } from "../../src/backends/local/drain.js";
import type { ResolvedInstanceConfig } from "../../src/config/types.js";
import { paastaBin } from "../helpers/cli.js";
import { getJson, makeWorkspace, sleep, startUp, type UpProcess, until, type Workspace } from "../helpers/runtime.js";

interface Status {
  versions: Array<{
    git_sha: string;
    desired: boolean;
    replicas: number;
    tasks: Array<{ id: string; port: number; state: string }>;
  }>;
}

describe("drain_method: http", () => {
  let server: Server;
  let base: string;
  const calls: string[] = [];
  let safe = false;

  beforeAll(async () => {
    server = createServer((req, res) => {
      calls.push(req.url ?? "");
      const ok = !req.url?.startsWith("/safe") || safe;
      res.writeHead(ok ? 200 : 503).end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("success codes parse ranges and single codes", () => {
    const ok = successCodes("200-299,407-409,500");
    expect([200, 299, 408, 500].map(ok)).toEqual([true, true, true, true]);
    expect([199, 300, 406, 501].map(ok)).toEqual([false, false, false, false]);
  });

  it("calls one URL per registration, with the placeholders filled", async () => {
    const config = {
      service: "svc",
      instance: "main",
      drain_method: "http",
      registrations: ["svc.main", "svc.alt"],
      drain_method_params: {
        drain: {
          url_format: `${base}/drain/{service}/{instance}/{nerve_ns}/{host}/{port}`,
          method: "GET",
          success_codes: "200-399",
        },
        is_safe_to_kill: { url_format: `${base}/safe/{nerve_ns}`, method: "GET", success_codes: "200" },
      },
    } as unknown as ResolvedInstanceConfig;
    calls.length = 0;
    const d = drainerFor(config);
    await d.drain({ host: "127.0.0.1", port: 1234 });
    expect(calls.sort()).toEqual(["/drain/svc/main/alt/127.0.0.1/1234", "/drain/svc/main/main/127.0.0.1/1234"]);
    safe = false;
    expect(await d.isSafeToKill({ host: "127.0.0.1", port: 1234 })).toBe(false);
    safe = true;
    expect(await d.isSafeToKill({ host: "127.0.0.1", port: 1234 })).toBe(true);
  });

  describe("in a bounce of the real runtime", () => {
    let ws: Workspace;
    let up: UpProcess;
    const status = () => getJson<Status>(`${ws.api}/v1/services/web/main/status`);

    beforeAll(async () => {
      ws = await makeWorkspace({
        web: {
          "kubernetes-dev.yaml": `main:
  cmd: node server.js
  instances: 1
  deploy_group: dev.everything
  bounce_method: brutal
  drain_method: http
  drain_method_params:
    drain: {url_format: "${base}/drain/{port}"}
    stop_draining: {url_format: "${base}/undrain/{port}"}
    is_draining: {url_format: "${base}/draining/{port}"}
    is_safe_to_kill: {url_format: "${base}/safe/{port}"}
`,
        },
      });
      up = startUp(ws);
      await up.waitForOutput(/API: +http/);
    }, 60_000);

    afterAll(async () => {
      safe = true;
      await up?.kill("SIGTERM");
    });

    it("drains the old task and stops it only once it is safe to kill", async () => {
      const mark = (sha: string) =>
        expect(
          paastaBin(["mark-for-deployment", "-s", "web", "-c", sha, "-l", "dev.everything"], { env: ws.env }).code,
        ).toBe(0);
      mark(ws.commit("web", { VERSION: "1\n" }));
      const first = await until(status, (s) => s.versions[0]?.tasks[0]?.state === "healthy", 30_000);
      const oldTask = first.versions[0]?.tasks[0];
      safe = false;
      calls.length = 0;
      mark(ws.commit("web", { VERSION: "2\n" }));
      await until(
        async () => calls.filter((c) => c === `/drain/${oldTask?.port}`).length,
        (n) => n === 1,
        20_000,
        100,
      );
      await sleep(1500);
      const during = await status();
      const old = during.versions.flatMap((v) => v.tasks).find((t) => t.id === oldTask?.id);
      expect(old?.state).toBe("draining");
      expect(calls.some((c) => c === `/safe/${oldTask?.port}`)).toBe(true);
      safe = true;
      await until(status, (s) => !s.versions.flatMap((v) => v.tasks).some((t) => t.id === oldTask?.id), 20_000);
    }, 90_000);
  });
});
