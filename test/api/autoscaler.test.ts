/**
 * The autoscaler routes over a real LocalBackend store (not started: no task runs) and the real autoscaling
 * service of `paasta up` (overrides and pause in the state dir's record): reads, writes with the token, bad
 * input, the count clamped to the bounds, durability across a new backend on the same state dir.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildApi } from "../../src/api/app.js";
import { createMetrics } from "../../src/api/metrics.js";
import { ProcessExecutor } from "../../src/backends/local/executors/process.js";
import { LocalBackend } from "../../src/backends/local/index.js";
import { SystemConfig } from "../../src/config/system.js";
import { desiredState } from "../../src/reconcile/desired.js";
import { AutoscalingService } from "../../src/runtime/autoscaler/api.js";
import { AutoscalerComponent } from "../../src/runtime/autoscaler/index.js";
import type { RuntimeContext } from "../../src/runtime/context.js";
import { EventBus } from "../../src/runtime/events.js";
import { tempDir } from "../helpers/paths.js";

const SHA = "d".repeat(40);
const TOKEN = "s3cret";

async function fixture(stateDir?: string) {
  const root = tempDir("paasta-api-autoscaler-");
  const soa = join(root, "soa");
  mkdirSync(join(soa, "web"), { recursive: true });
  writeFileSync(join(soa, "web/service.yaml"), "description: web\nexternal_link: https://example.org\n");
  writeFileSync(
    join(soa, "web/kubernetes-dev.yaml"),
    "main:\n  cmd: run\n  min_instances: 1\n  max_instances: 5\n  deploy_group: dev.all\nfixed:\n  cmd: run\n  instances: 2\n  deploy_group: dev.all\n",
  );
  writeFileSync(
    join(soa, "web/deployments.json"),
    JSON.stringify({
      v1: {},
      v2: {
        deployments: { "dev.all": { docker_image: `services-web:paasta-${SHA}`, git_sha: SHA, image_version: null } },
        controls: {},
      },
    }),
  );
  const state = stateDir ?? join(root, "state");
  const backend = new LocalBackend({ cluster: "dev", stateDir: state, executor: (d) => new ProcessExecutor(d) });
  for (const a of desiredState(soa, undefined, "dev").apps) await backend.apply(a);
  const ctx: RuntimeContext = {
    cluster: "dev",
    soaDir: soa,
    system: new SystemConfig({}, join(root, "etc")),
    backend,
    log: { write: () => {} },
    events: new EventBus(),
    metrics: createMetrics(),
    version: "9.9.9",
    env: {},
  };
  const component = new AutoscalerComponent(ctx);
  const autoscaling = new AutoscalingService(ctx, component.store, component);
  const app = buildApi({ cluster: "dev", backend, soaDir: soa, token: TOKEN, version: "9.9.9", autoscaling });
  return { app, backend, state, close: () => backend.close() };
}

const send = (method: string, body?: unknown, token?: string) => ({
  method,
  headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});

describe("autoscaler routes", () => {
  it("GET an autoscaled instance: bounds, count, metrics; a fixed one is 404, an unknown one too", async () => {
    const f = await fixture();
    const r = await f.app.request("/v1/services/web/main/autoscaler");
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({
      service: "web",
      instance: "main",
      decision_policy: "proportional",
      current_instances: 1,
      desired: 1,
      min: 1,
      max: 5,
      override: null,
      paused_until: null,
      desired_instances: 1,
      metrics: [{ type: "cpu", setpoint: 0.8, available: false }],
    });
    const fixed = await f.app.request("/v1/services/web/fixed/autoscaler");
    expect(fixed.status).toBe(404);
    expect(((await fixed.json()) as { code: string }).code).toBe("PAASTA_NOT_AUTOSCALED");
    expect((await f.app.request("/v1/services/web/nope/autoscaler")).status).toBe(404);
    await f.close();
  });

  it("an override needs the token, is validated, shows in GET, and survives a restart of the backend", async () => {
    const f = await fixture();
    const path = "/v1/service_autoscaler/web/main/autoscaling_override";
    const expire_after = Math.floor(Date.now() / 1000) + 600;
    expect((await f.app.request(path, send("POST", { min_instances: 3, expire_after }))).status).toBe(401);
    const bad = await f.app.request(path, send("POST", { min_instances: 4, max_instances: 2, expire_after }, TOKEN));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/min_instances \(4\).*max_instances \(2\)/);
    const past = await f.app.request(path, send("POST", { min_instances: 3, expire_after: 1000 }, TOKEN));
    expect(past.status).toBe(400);
    const ok = await f.app.request(path, send("POST", { min_instances: 3, expire_after }, TOKEN));
    expect(ok.status).toBe(202);
    expect(await ok.json()).toMatchObject({
      service: "web",
      instance: "main",
      min_instances: 3,
      max_instances: null,
      status: "SUCCESS",
    });
    const got = (await (await f.app.request("/v1/services/web/main/autoscaler")).json()) as Record<string, unknown>;
    expect(got).toMatchObject({
      min: 3,
      max: 5,
      override: { min_instances: 3, expires_at: new Date(expire_after * 1000).toISOString() },
    });
    await f.close();
    const again = await fixture(f.state);
    const kept = (await (await again.app.request("/v1/services/web/main/autoscaler")).json()) as { override: unknown };
    expect(kept.override).toMatchObject({ min_instances: 3 });
    await again.close();
  });

  it("the pause: POST minutes, GET until when, DELETE resumes; writes need the token", async () => {
    const f = await fixture();
    const path = "/v1/service_autoscaler/pause";
    expect(await (await f.app.request(path)).json()).toEqual({ paused_until: null });
    expect((await f.app.request(path, send("POST", { minutes: 10 }))).status).toBe(401);
    const before = Date.now();
    const set = (await (await f.app.request(path, send("POST", { minutes: 10 }, TOKEN))).json()) as {
      paused_until: string;
    };
    expect(Date.parse(set.paused_until) - before).toBeGreaterThan(590_000);
    expect(await (await f.app.request(path)).json()).toEqual(set);
    const status = (await (await f.app.request("/v1/services/web/main/autoscaler")).json()) as { paused_until: string };
    expect(status.paused_until).toBe(set.paused_until);
    expect((await f.app.request(path, send("DELETE"))).status).toBe(401);
    expect(await (await f.app.request(path, send("DELETE", undefined, TOKEN))).json()).toEqual({ paused_until: null });
    expect((await f.app.request(path, send("POST", { minutes: -1 }, TOKEN))).status).toBe(400);
    await f.close();
  });

  it("POST a count: clamped to the bounds, recorded without touching the app (no bounce), with a warning", async () => {
    const f = await fixture();
    const hash = f.backend.store.app("web", "main")?.app.config_hash;
    const r = await f.app.request("/v1/services/web/main/autoscaler", send("POST", { desired_instances: 9 }, TOKEN));
    expect(r.status).toBe(202);
    const body = (await r.json()) as { desired_instances: number; status: string };
    expect(body.desired_instances).toBe(5);
    expect(body.status).toMatch(/^WARNING/);
    expect((await f.backend.status({ service: "web", instance: "main" }))?.desired_instances).toBe(5);
    expect(f.backend.store.app("web", "main")?.app.config_hash).toBe(hash);
    expect(f.backend.store.app("web", "main")?.scaled).toBe(5);
    const fixed = await f.app.request(
      "/v1/services/web/fixed/autoscaler",
      send("POST", { desired_instances: 3 }, TOKEN),
    );
    expect(fixed.status).toBe(404);
    await f.close();
  });

  it("an API without an autoscaler answers 501 with the catalogue's error", async () => {
    const f = await fixture();
    const bare = buildApi({ cluster: "dev", backend: f.backend, soaDir: "/nonexistent", token: TOKEN, version: "1" });
    const r = await bare.request("/v1/service_autoscaler/pause");
    expect(r.status).toBe(501);
    expect(((await r.json()) as { code: string }).code).toBe("PAASTA_AUTOSCALING_UNSUPPORTED");
    await f.close();
  });
});
