/**
 * The objects of one desired app (reference §7.1, §7.4): Namespace, Deployment or StatefulSet, HPA, PDB.
 * Pure and deterministic: keys sorted, `apiVersion`, `kind`, `metadata` first, no undefined values.
 */
import type { DesiredApp } from "../../../model/app.js";
import { type Bounds, boundsOf } from "../../../model/autoscaling.js";
import { OWNER, selectorLabels, workloadLabels } from "./labels.js";
import { kubernetesAppName, volumeName } from "./names.js";
import { podTemplate } from "./pod.js";
import { type Json, type KubeObject, MANAGED, type RenderContext } from "./types.js";

export interface RenderedApp {
  readonly name: string;
  readonly namespace: string;
  readonly namespaceObject: KubeObject;
  readonly workload: KubeObject;
  /** The HPA when the app is autoscaled (and running), else undefined: an existing one is removed. */
  readonly hpa: KubeObject | undefined;
  readonly pdb: KubeObject;
}

const pct = (n: number) => `${n}%`;

/** PaaSTA's rollout strategy per bounce method (reference §6.2); upthendown: surge everything, remove nothing first. */
export function strategy(app: DesiredApp): Json {
  const c = app.config;
  const surge = pct(Math.round(c.bounce_overprovision_factor * 100));
  switch (c.bounce_method) {
    case "downthenup":
      return { type: "Recreate" };
    case "brutal":
      return { rollingUpdate: { maxSurge: surge, maxUnavailable: "100%" }, type: "RollingUpdate" };
    case "upthendown":
      return { rollingUpdate: { maxSurge: "100%", maxUnavailable: 0 }, type: "RollingUpdate" };
    case "crossover":
      return {
        rollingUpdate: { maxSurge: surge, maxUnavailable: pct(Math.trunc((1 - c.bounce_margin_factor) * 100 + 1e-9)) },
        type: "RollingUpdate",
      };
  }
}

/** An autoscaled app's bounds: an active override's (the reconcile attached it as `app.autoscaling`), else the config's. */
export function autoscalingBounds(app: DesiredApp): Bounds {
  const a = app.autoscaling;
  return a ? { min: a.min_instances, max: a.max_instances } : boundsOf(app.config, undefined);
}

/** replicas: 0 when stopped; the live count clamped to [min, max] when autoscaled (max when unknown); else instances. */
export function replicasFor(app: DesiredApp, ctx: RenderContext): number {
  if (app.desired_state === "stop") return 0;
  const c = app.config;
  if (!c.autoscaled || c.max_instances === null) return c.instances;
  const b = autoscalingBounds(app);
  if (ctx.currentReplicas === undefined) return b.max;
  return Math.min(Math.max(ctx.currentReplicas, b.min), b.max);
}

/** Whether the app gets an HPA: autoscaled, running, not bespoke, not a StatefulSet, autoscaling not paused. */
export function wantsHpa(app: DesiredApp): boolean {
  const c = app.config;
  const b = autoscalingBounds(app);
  return (
    c.autoscaled &&
    c.max_instances !== null &&
    b.max > 0 &&
    b.min > 0 &&
    app.desired_state === "start" &&
    app.autoscaling?.paused !== true &&
    !c.metrics_providers.some((p) => p.decision_policy === "bespoke") &&
    c.persistent_volumes.length === 0
  );
}

function hpa(app: DesiredApp, name: string, namespace: string): KubeObject {
  const c = app.config;
  const metrics = c.metrics_providers.map((p) => {
    if (p.type === "cpu" || p.type === "memory") {
      return {
        resource: {
          name: p.type,
          target: { averageUtilization: Math.trunc(p.setpoint * 100 + 1e-9), type: "Utilization" },
        },
        type: "Resource",
      };
    }
    // Custom metrics need a metrics adapter serving them (see docs/kubernetes.md).
    const metric = { name: `${name}-${p.type}-prom` };
    const target =
      p.type === "active-requests"
        ? { type: "Value", value: "1" }
        : { type: p.target_type, [p.target_type === "Value" ? "value" : "averageValue"]: String(p.setpoint) };
    return {
      object: { describedObject: { apiVersion: "apps/v1", kind: "Deployment", name }, metric, target },
      type: "Object",
    };
  });
  const scaleDown = c.scaledown;
  return {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: { labels: { ...selectorLabels(app), [MANAGED]: "true", "yelp.com/pool": c.pool }, name, namespace },
    spec: {
      behavior: { scaleDown },
      maxReplicas: autoscalingBounds(app).max,
      metrics,
      minReplicas: autoscalingBounds(app).min,
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name },
    },
  };
}

function pdb(app: DesiredApp, name: string, namespace: string): KubeObject {
  const { pdb_max_unavailable: maxUnavailable, unhealthy_pod_eviction_policy: policy } = app.config.pod;
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: { labels: { ...selectorLabels(app), [MANAGED]: "true" }, name, namespace },
    spec: { maxUnavailable, selector: { matchLabels: selectorLabels(app) }, unhealthyPodEvictionPolicy: policy },
  };
}

/**
 * No progress deadline (Kubernetes reads the largest int32 as none): with one, the deployment controller writes
 * a Progressing condition as it creates each new ReplicaSet, and then its own status write of the same sync
 * fails with a conflict, about 5 syncs per rollout instead of 3-4. paasta's monitor reports stuck bounces
 * itself (docs/design/0004-rollout-window.md).
 */
export const NO_PROGRESS_DEADLINE = 2147483647;

export function renderApp(app: DesiredApp, ctx: RenderContext = {}): RenderedApp {
  const name = kubernetesAppName(app.service, app.instance);
  const namespace = app.config.namespace;
  const c = app.config;
  const stateful = c.persistent_volumes.length > 0;
  const spec: Json = {
    minReadySeconds: Math.round(c.min_task_uptime),
    replicas: replicasFor(app, ctx),
    revisionHistoryLimit: 0,
    selector: { matchLabels: selectorLabels(app) },
    template: podTemplate(app),
  };
  if (stateful) {
    delete spec.revisionHistoryLimit;
    spec.serviceName = name;
    spec.podManagementPolicy = c.pod.pod_management_policy;
    spec.volumeClaimTemplates = c.persistent_volumes.map((pv) => ({
      metadata: { labels: selectorLabels(app), name: volumeName("pv", pv.container_path) },
      spec: {
        accessModes: ["ReadWriteOnce"],
        resources: { requests: { storage: `${pv.size_gib}Gi` } },
        storageClassName: pv.storage_class_name,
      },
    }));
  } else {
    spec.strategy = strategy(app);
    spec.progressDeadlineSeconds = NO_PROGRESS_DEADLINE;
  }
  const workload: KubeObject = {
    apiVersion: "apps/v1",
    kind: stateful ? "StatefulSet" : "Deployment",
    metadata: {
      annotations: {
        "paasta.yelp.com/bounce_method": c.bounce_method,
        "paasta.yelp.com/desired_state": app.desired_state,
      },
      labels: workloadLabels(app),
      name,
      namespace,
    },
    spec,
  };
  const namespaceObject: KubeObject = {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { labels: { [MANAGED]: "true", name: namespace, "yelp.com/owner": OWNER }, name: namespace },
  };
  return {
    name,
    namespace,
    namespaceObject: canonical(namespaceObject),
    workload: canonical(workload),
    hpa: wantsHpa(app) && !stateful ? canonical(hpa(app, name, namespace)) : undefined,
    pdb: canonical(pdb(app, name, namespace)),
  };
}

/** Sorted keys (apiVersion, kind, metadata first), undefined values removed: the same app renders the same text. */
export function canonical<T>(v: T): T {
  if (Array.isArray(v)) return v.map(canonical) as T;
  if (v === null || typeof v !== "object") return v;
  const first = ["apiVersion", "kind", "metadata"];
  const keys = Object.keys(v).sort((a, b) => {
    const ia = first.indexOf(a);
    const ib = first.indexOf(b);
    if (ia !== -1 || ib !== -1) return (ia === -1 ? 99 : ia) - (ib === -1 ? 99 : ib);
    return a.localeCompare(b);
  });
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const value = (v as Record<string, unknown>)[k];
    if (value !== undefined) out[k] = canonical(value);
  }
  return out as T;
}
