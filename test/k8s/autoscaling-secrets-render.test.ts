/**
 * Kubernetes rendering of autoscaling overrides and the pause (the HPA's bounds, or no HPA), the Secret of a
 * SECRET() value and the names the pods use for it, and what an HPA's status says. Pure functions, by value.
 */
import { cpSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { podTemplate } from "../../src/backends/kubernetes/render/pod.js";
import { renderApp } from "../../src/backends/kubernetes/render/workload.js";
import { scalingOf } from "../../src/backends/kubernetes/scaling.js";
import { referencedSecretNames, secretObject, secretsOf } from "../../src/backends/kubernetes/secrets.js";
import type { DesiredApp } from "../../src/model/app.js";
import { desiredState } from "../../src/reconcile/desired.js";
import { EXAMPLES, tempDir } from "../helpers/paths.js";

const SHA = "c".repeat(40);

function echo(): DesiredApp {
  const soa = join(tempDir("paasta-render-as-"), "soa");
  cpSync(EXAMPLES, soa, { recursive: true });
  writeFileSync(
    join(soa, "echo/deployments.json"),
    JSON.stringify({
      v1: {},
      v2: {
        deployments: {
          "prod.echo": { docker_image: `services-echo:paasta-${SHA}`, git_sha: SHA, image_version: null },
        },
        controls: {},
      },
    }),
  );
  const a = desiredState(soa, undefined, "prod").apps.find((x) => x.service === "echo");
  if (!a) throw new Error("no echo");
  return a;
}

describe("autoscaling controls in the rendering", () => {
  it("an override's bounds become the HPA's min/max and clamp the replicas; without one the config's", () => {
    const base = echo(); // min 2, max 10
    expect(renderApp(base).hpa?.spec).toMatchObject({ minReplicas: 2, maxReplicas: 10 });
    const pinned = { ...base, autoscaling: { min_instances: 4, max_instances: 12, paused: false } };
    const r = renderApp(pinned, { currentReplicas: 2 });
    expect(r.hpa?.spec).toMatchObject({ minReplicas: 4, maxReplicas: 12 });
    expect((r.workload.spec as { replicas: number }).replicas).toBe(4);
    expect((renderApp(pinned, { currentReplicas: 11 }).workload.spec as { replicas: number }).replicas).toBe(11);
  });

  it("paused: no HPA (an existing one is deleted), replicas kept as they run", () => {
    const paused = { ...echo(), autoscaling: { min_instances: 2, max_instances: 10, paused: true } };
    const r = renderApp(paused, { currentReplicas: 6 });
    expect(r.hpa).toBeUndefined();
    expect((r.workload.spec as { replicas: number }).replicas).toBe(6);
  });
});

describe("the Secrets of SECRET() values", () => {
  const base = echo();
  const app: DesiredApp = {
    ...base,
    config: {
      ...base.config,
      env: { ...base.config.env, DB: "SECRET(db_password)", TOKEN: "SHARED_SECRET(api_token)" },
      secret_volumes: [{ container_path: "/etc/tls", secret_name: "tls_key", default_mode: null, items: null }],
    },
    secret_signatures: { "SECRET(db_password)": "a1", "SHARED_SECRET(api_token)": "b2", "SECRET(tls_key)": "c3" },
  };

  it("one per referenced secret, named as the pod template references them", () => {
    const names = secretsOf(app).map((s) => s.name);
    expect(names).toEqual([
      `${app.config.namespace}-secret-echo-db--password`,
      `${app.config.namespace}-secret-underscore-shared-api--token`,
      `${app.config.namespace}-secret-echo-tls--key`,
    ]);
    const workload = { ...renderApp(app).workload };
    expect(referencedSecretNames(workload).sort()).toEqual([...names].sort());
    const env = (podTemplate(app).spec as { containers: Array<{ env: Array<{ name: string; valueFrom?: unknown }> }> })
      .containers[0]?.env;
    expect(env?.find((e) => e.name === "DB")?.valueFrom).toEqual({
      secretKeyRef: { key: "db_password", name: names[0], optional: false },
    });
  });

  it("labelled as ours, annotated with the signature, the value under the secret's name (base64)", () => {
    const s = secretsOf(app)[0] as { name: string; ref: string; signature: string };
    const obj = secretObject(app, s.name, s.ref, s.signature, new TextEncoder().encode("hunter2"));
    expect(obj).toMatchObject({
      apiVersion: "v1",
      kind: "Secret",
      metadata: {
        name: s.name,
        namespace: app.config.namespace,
        labels: {
          "paasta.yelp.com/managed": "true",
          "paasta.yelp.com/secret": "true",
          "paasta.yelp.com/service": "echo",
        },
        annotations: { "paasta.yelp.com/secret_signature": "a1", "paasta.yelp.com/secret_ref": "SECRET(db_password)" },
      },
      type: "Opaque",
      data: { db_password: Buffer.from("hunter2").toString("base64") },
    });
    const shared = secretsOf(app)[1] as { name: string; ref: string; signature: string };
    expect(
      secretObject(app, shared.name, shared.ref, "b2", new Uint8Array()).metadata.labels?.["paasta.yelp.com/service"],
    ).toBe("underscore-shared");
  });
});

describe("what an HPA says", () => {
  it("current and desired replicas, utilisation as a fraction; without an HPA the workload's count", () => {
    const hpa = {
      apiVersion: "autoscaling/v2",
      kind: "HorizontalPodAutoscaler",
      metadata: { name: "echo-main" },
      status: {
        currentReplicas: 3,
        desiredReplicas: 5,
        currentMetrics: [
          { type: "Resource", resource: { name: "cpu", current: { averageUtilization: 93 } } },
          {
            type: "Object",
            object: { metric: { name: "echo-main-active-requests-prom" }, current: { value: "1500m" } },
          },
        ],
      },
    };
    const workload = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "echo-main" },
      spec: { replicas: 3 },
    };
    expect(scalingOf(hpa, workload)).toEqual({
      active: true,
      current_replicas: 3,
      desired_replicas: 5,
      metrics: [
        { type: "cpu", current: 0.93 },
        { type: "active-requests", current: 1.5 },
      ],
    });
    expect(scalingOf(undefined, workload)).toEqual({
      active: false,
      current_replicas: 3,
      desired_replicas: 3,
      metrics: [],
    });
  });
});
