/**
 * The HTTP API through app.request (no socket), over a real LocalBackend store in a temp state dir. The
 * supervisor is not started, so no task runs: these tests are about routes, errors and auth; the
 * end-to-end behaviour with running tasks is in test/runtime/acceptance.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApi } from "../../src/api/app.js";
import { createMetrics, registerTaskMetrics } from "../../src/api/metrics.js";
import type { LocalBackend } from "../../src/backends/local/index.js";
import { EXAMPLES } from "../helpers/cli.js";
import { apiFixture, SHA } from "./fixture.js";

let backend: LocalBackend;
let app: Awaited<ReturnType<typeof apiFixture>>["app"];

beforeAll(async () => {
  ({ app, backend } = await apiFixture());
});

afterAll(async () => backend.close());

describe("the /v1 API", () => {
  it("version, services, a service's instances", async () => {
    expect(await (await app.request("/v1/version")).json()).toBe("9.9.9");
    const services = await (await app.request("/v1/services")).json();
    expect(services.services).toContainEqual(["hello", "main"]);
    expect(services.services).toContainEqual(["reports", "nightly.extract"]);
    expect(await (await app.request("/v1/services/hello")).json()).toEqual({ instances: ["canary", "main", "shell"] });
  });

  it("status and bounce_status of an applied instance", async () => {
    const s = await (await app.request("/v1/services/hello/main/status")).json();
    expect(s).toMatchObject({
      service: "hello",
      instance: "main",
      cluster: "dev",
      backend: "local",
      git_sha: SHA,
      desired_instances: 3,
      deploy_status: "Deploying",
    });
    expect(s.versions).toEqual([
      expect.objectContaining({ git_sha: SHA, desired: true, replicas: 0, ready_replicas: 0, tasks: [] }),
    ]);
    const b = await (await app.request("/v1/services/hello/main/bounce_status")).json();
    expect(b).toEqual({
      expected_instance_count: 3,
      running_instance_count: 0,
      desired_state: "start",
      deploy_status: "Deploying",
      active_shas: [],
      active_versions: [],
      app_count: 0,
    });
  });

  it("unknown service, unknown instance, not deployed → 404 with a message", async () => {
    const svc = await app.request("/v1/services/nope/main/status");
    expect(svc.status).toBe(404);
    expect(await svc.json()).toMatchObject({ code: "PAASTA_SERVICE_NOT_FOUND" });
    const inst = await app.request("/v1/services/hello/nope/status");
    expect(inst.status).toBe(404);
    expect((await inst.json()).message).toBe("instance nope of service hello is not configured in cluster dev");
    const undeployed = await app.request("/v1/services/hello/canary/bounce_status");
    expect(undeployed.status).toBe(404);
    expect(await undeployed.json()).toMatchObject({ code: "PAASTA_NOT_DEPLOYED" });
  });

  it("bad input is a 4xx, never a 5xx", async () => {
    const bad = await app.request("/v1/services/he%20llo/main/status");
    expect(bad.status).toBe(400);
    expect((await bad.json()).code).toBe("PAASTA_USAGE");
    const badQuery = await app.request("/v1/services/hello/main/status?verbose=lots");
    expect(badQuery.status).toBe(400);
    expect((await app.request("/v1/nothing-here")).status).toBe(404);
  });

  it("replica restart needs the bearer token", async () => {
    const path = "/v1/services/hello/main/replicas/main-x/restart";
    const none = await app.request(path, { method: "POST" });
    expect(none.status).toBe(401);
    expect((await none.json()).message).toBe("write refused: no bearer token");
    expect((await app.request(path, { method: "POST", headers: { authorization: "Bearer wrong" } })).status).toBe(401);
    const unknown = await app.request(path, { method: "POST", headers: { authorization: "Bearer s3cret" } });
    expect(unknown.status).toBe(404);
  });

  it("logs: 404 for an unknown service, 400 for bad query, NDJSON otherwise", async () => {
    expect((await app.request("/v1/services/nope/logs")).status).toBe(404);
    expect((await app.request("/v1/services/hello/logs?lines=-1")).status).toBe(400);
    const ok = await app.request("/v1/services/hello/logs?lines=5");
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toBe("application/x-ndjson");
    expect(await ok.text()).toBe(""); // the fixture has no log files
  });

  it("/metrics serves the control plane's registry in Prometheus text format", async () => {
    const metrics = createMetrics();
    registerTaskMetrics(
      metrics.registry,
      () => ({ healthy: 2, failed: 1 }),
      () => ({ bounces: 3, healthFailures: 0 }),
    );
    const withMetrics = buildApi({
      cluster: "dev",
      backend,
      soaDir: EXAMPLES,
      token: undefined,
      version: "1",
      metrics,
    });
    const r = await withMetrics.request("/metrics");
    expect(r.status).toBe(200);
    const text = await r.text();
    expect(text).toContain('paasta_tasks{state="healthy"} 2');
    expect(text).toContain("paasta_bounces_total 3");
    expect(await (await app.request("/metrics")).text()).toBe("");
  });

  it("alerts: the monitor's active alerts, filtered by service and instance; none without a monitor", async () => {
    const alert = (service: string, instance: string) => ({
      service,
      instance,
      cluster: "dev",
      check: `check_paasta_services_replication.${service}.${instance}`,
      kind: "replication",
      severity: "critical" as const,
      state: "firing" as const,
      since: "2025-01-01T00:00:00.000Z",
      output: `${service}.${instance} has 0/1 replicas available (threshold: 50%)`,
      team: "a",
      page: false,
      runbook: "r",
      tip: null,
      last_sent_at: null,
      sent_to: ["log"],
    });
    const withAlerts = buildApi({
      cluster: "dev",
      backend,
      soaDir: EXAMPLES,
      token: undefined,
      version: "1",
      alerts: async () => [alert("hello", "main"), alert("hello", "canary"), alert("other", "main")],
    });
    const all = await (await withAlerts.request("/v1/alerts")).json();
    expect(all.alerts).toHaveLength(3);
    const hello = await (await withAlerts.request("/v1/alerts?service=hello")).json();
    expect(hello.alerts.map((a: { instance: string }) => a.instance)).toEqual(["main", "canary"]);
    const one = await (await withAlerts.request("/v1/services/hello/canary/alerts")).json();
    expect(one).toEqual({ alerts: [alert("hello", "canary")] });
    expect((await withAlerts.request("/v1/alerts?service=bad%20name")).status).toBe(400);
    expect(await (await app.request("/v1/alerts")).json()).toEqual({ alerts: [] });
  });

  it("serves an OpenAPI 3.0 document generated from the route schemas", async () => {
    const doc = await (await app.request("/openapi.json")).json();
    expect(doc.openapi).toBe("3.0.3");
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/v1/version",
        "/v1/services",
        "/v1/services/{service}",
        "/v1/services/{service}/{instance}/status",
        "/v1/services/{service}/{instance}/bounce_status",
        "/v1/services/{service}/{instance}/replicas/{replica}/restart",
        "/v1/services/{service}/logs",
        "/v1/alerts",
        "/v1/services/{service}/{instance}/alerts",
      ]),
    );
    expect(doc.components.schemas.BounceStatus.required).toContain("active_versions");
    expect(doc.components.schemas.DeployStatus.enum).toEqual(["Running", "Deploying", "Waiting", "Stopped"]);
    expect(doc.paths["/v1/services/{service}/{instance}/replicas/{replica}/restart"].post.security).toEqual([
      { bearer: [] },
    ]);
  });
});
