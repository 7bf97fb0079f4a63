/**
 * Rendering is pure: golden files pin the whole output for the examples (run with UPDATE_GOLDEN=1 to rewrite
 * them after a deliberate change, and review the diff), and targeted checks pin the fields that matter.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderApp, strategy } from "../../src/backends/kubernetes/render/workload.js";
import type { DesiredApp } from "../../src/model/app.js";
import { desiredState } from "../../src/reconcile/desired.js";
import { EXAMPLES, REPO, tempDir } from "../helpers/paths.js";

const GOLDEN = join(REPO, "test/fixtures/k8s-golden");
const SHA = "c".repeat(40);

function prodApps(edit?: (soa: string) => void): DesiredApp[] {
  const soa = join(tempDir("paasta-render-"), "soa");
  cpSync(EXAMPLES, soa, { recursive: true });
  for (const [svc, dg] of [
    ["hello", "prod.everything"],
    ["echo", "prod.echo"],
  ] as const) {
    writeFileSync(
      join(soa, svc, "deployments.json"),
      JSON.stringify({
        v1: {},
        v2: {
          deployments: { [dg]: { docker_image: `services-${svc}:paasta-${SHA}`, git_sha: SHA, image_version: null } },
          controls: {},
        },
      }),
    );
  }
  edit?.(soa);
  return desiredState(soa, undefined, "prod").apps;
}

function app(service: string, edit?: (soa: string) => void): DesiredApp {
  const a = prodApps(edit).find((x) => x.service === service);
  if (!a) throw new Error(`no app ${service}`);
  return a;
}

describe("Kubernetes rendering", () => {
  it.each(["hello", "echo"])("%s.main matches its golden file", (service) => {
    const rendered = renderApp(app(service));
    const text = `${JSON.stringify(rendered, null, 2)}\n`;
    const file = join(GOLDEN, `${service}-main.json`);
    if (process.env.UPDATE_GOLDEN === "1") {
      mkdirSync(GOLDEN, { recursive: true });
      writeFileSync(file, text);
    }
    expect(existsSync(file), `${file} is missing: run with UPDATE_GOLDEN=1`).toBe(true);
    expect(text).toBe(readFileSync(file, "utf8"));
  });

  it("is deterministic", () => {
    expect(JSON.stringify(renderApp(app("hello")))).toBe(JSON.stringify(renderApp(app("hello"))));
  });

  it("resources: cpu request cpus, limit cpus + cpu_burst_add, memory and ephemeral storage in Mi", () => {
    const c = renderApp(app("hello")).workload.spec as any;
    expect(c.template.spec.containers[0].resources).toEqual({
      limits: { cpu: "1.25", "ephemeral-storage": "1024Mi", memory: "256Mi" },
      requests: { cpu: "0.25", "ephemeral-storage": "1024Mi", memory: "256Mi" },
    });
  });

  it("probes from the healthcheck fields; command through sh -c", () => {
    const container = (renderApp(app("hello")).workload.spec as any).template.spec.containers[0];
    expect(container.livenessProbe).toEqual({
      failureThreshold: 30,
      httpGet: { path: "/status", port: 8888, scheme: "HTTP" },
      initialDelaySeconds: 60,
      periodSeconds: 10,
      timeoutSeconds: 10,
    });
    expect(container.command).toEqual(["/bin/sh", "-c", "node server.js"]);
    expect(container.env).toContainEqual({
      name: "PAASTA_HOST",
      valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } },
    });
    expect(container.env).toContainEqual({ name: "PAASTA_GIT_SHA", value: SHA.slice(0, 8) });
  });

  it("bounce methods map to rollout strategies", () => {
    const base = app("hello");
    const withMethod = (m: string, margin = 0.95) =>
      ({ ...base, config: { ...base.config, bounce_method: m, bounce_margin_factor: margin } }) as DesiredApp;
    expect(strategy(withMethod("crossover"))).toEqual({
      rollingUpdate: { maxSurge: "100%", maxUnavailable: "5%" },
      type: "RollingUpdate",
    });
    expect(strategy(withMethod("crossover", 0.5))).toEqual({
      rollingUpdate: { maxSurge: "100%", maxUnavailable: "50%" },
      type: "RollingUpdate",
    });
    expect(strategy(withMethod("brutal"))).toEqual({
      rollingUpdate: { maxSurge: "100%", maxUnavailable: "100%" },
      type: "RollingUpdate",
    });
    expect(strategy(withMethod("downthenup"))).toEqual({ type: "Recreate" });
    expect(strategy(withMethod("upthendown"))).toEqual({
      rollingUpdate: { maxSurge: "100%", maxUnavailable: 0 },
      type: "RollingUpdate",
    });
  });

  it("autoscaled: an HPA with the cpu target, replicas kept from the live object and clamped", () => {
    const echo = app("echo");
    const r = renderApp(echo, { currentReplicas: 7 });
    expect((r.workload.spec as any).replicas).toBe(7);
    expect((renderApp(echo, { currentReplicas: 50 }).workload.spec as any).replicas).toBe(10);
    expect((renderApp(echo, {}).workload.spec as any).replicas).toBe(10);
    expect(r.hpa?.spec).toMatchObject({
      minReplicas: 2,
      maxReplicas: 10,
      metrics: [
        { resource: { name: "cpu", target: { averageUtilization: 70, type: "Utilization" } }, type: "Resource" },
      ],
    });
    expect(renderApp(app("hello")).hpa).toBeUndefined();
  });

  it("persistent_volumes make a StatefulSet with claims and no HPA", () => {
    const a = app("echo", (soa) =>
      writeFileSync(
        join(soa, "echo/kubernetes-prod.yaml"),
        readFileSync(join(soa, "echo/kubernetes-prod.yaml"), "utf8") +
          "  persistent_volumes:\n    - container_path: /data\n      size: 10\n      mode: RW\n",
      ),
    );
    const r = renderApp(a);
    expect(r.workload.kind).toBe("StatefulSet");
    expect((r.workload.spec as any).volumeClaimTemplates[0]).toMatchObject({
      metadata: { name: "pv--slash-data" },
      spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "10Gi" } } },
    });
    expect(r.hpa).toBeUndefined();
  });

  it("stop renders 0 replicas and no HPA; names are sanitised", () => {
    const base = app("echo");
    const stopped = renderApp({ ...base, desired_state: "stop" });
    expect((stopped.workload.spec as any).replicas).toBe(0);
    expect(stopped.hpa).toBeUndefined();
    const underscored = renderApp({
      ...base,
      service: "my_svc",
      config: { ...base.config, namespace: "paastasvc-my--svc" },
    });
    expect(underscored.name).toBe("my--svc-main");
  });
});
