/**
 * The `kubernetes` backend: each desired app becomes PaaSTA's objects (render/), applied with server-side
 * apply only when what runs differs from what is rendered (drift.ts), observed through our managed label,
 * removed with its HPA and PDB. Namespace moves: the new copy is created (for downthenup only after the old
 * one is gone) and the old copy removed once the new one is ready.
 */

import { DEFAULTS } from "../../config/resolve/defaults.js";
import type { DesiredApp } from "../../model/app.js";
import type {
  ApplyResult,
  AppRef,
  Backend,
  ChangeWatcher,
  InstanceStatus,
  LogQuery,
  LogSource,
  LogTail,
  ObservedApp,
  ReplicaRestarter,
} from "../backend.js";
import type { BatchStore } from "../batch.js";
import type { BatchRunner } from "../powers.js";
import type { Kube } from "./client.js";
import { firstDifference } from "./drift.js";
import { KubernetesBatch } from "./jobs/index.js";
import { readPodLogs } from "./logs.js";
import { type KubeObject, MANAGED } from "./render/types.js";
import { type RenderedApp, renderApp } from "./render/workload.js";
import { instanceStatus } from "./status.js";

const SELECTOR = `${MANAGED}=true`;

type Live = KubeObject & { status?: { replicas?: number; readyReplicas?: number }; spec?: { replicas?: number } };

const keyOf = (service?: string, instance?: string) => `${service}.${instance}`;
const selectorOf = (ref: AppRef) =>
  `${SELECTOR},paasta.yelp.com/service=${ref.service},paasta.yelp.com/instance=${ref.instance}`;
const nsName = (o: KubeObject) => `${o.metadata.namespace ?? ""}/${o.metadata.name}`;

export class KubernetesBackend implements Backend, ReplicaRestarter, ChangeWatcher, LogSource, BatchRunner {
  readonly kind = "kubernetes";
  /** Each apply is a few API round trips: several in flight keep a pass short. */
  readonly applyConcurrency = 8;
  /** The last observation: workloads by service.instance (several during a namespace move), HPAs and PDBs. */
  private workloads = new Map<string, Live[]>();
  private hpas = new Map<string, KubeObject>();
  private pdbs = new Map<string, KubeObject>();
  private namespaces = new Set<string>();
  private readonly namespaceWrites = new Map<string, Promise<void>>();
  /** Why the last write of each object happened (what differed), for `paasta reconcile -v` and tests. */
  readonly lastDrift = new Map<string, string>();

  private batchStore: KubernetesBatch | undefined;

  constructor(
    readonly kube: Kube,
    readonly cluster: string,
    /** Where batch run records and job controls live (system `tron_namespace`). */
    private readonly jobsNamespace: string = DEFAULTS.tron_namespace,
  ) {}

  /** Job runs and one-off runs as Jobs (jobs/): no state but the cluster's. */
  batch(): BatchStore {
    this.batchStore ??= new KubernetesBatch(this.kube, this.cluster, this.jobsNamespace);
    return this.batchStore;
  }

  /** Stops the batch Jobs' watch. */
  async close(): Promise<void> {
    this.batchStore?.close();
  }

  /** Reads every managed workload, HPA, PDB and namespace (a handful of list calls, whatever the app count). */
  async observe(): Promise<ObservedApp[]> {
    const [deployments, statefulsets, hpas, pdbs, namespaces] = await Promise.all([
      this.kube.list<Live>("apps/v1", "Deployment", SELECTOR),
      this.kube.list<Live>("apps/v1", "StatefulSet", SELECTOR),
      this.kube.list<KubeObject>("autoscaling/v2", "HorizontalPodAutoscaler", SELECTOR),
      this.kube.list<KubeObject>("policy/v1", "PodDisruptionBudget", SELECTOR),
      this.kube.list<KubeObject>("v1", "Namespace"),
    ]);
    this.workloads = new Map();
    const observed: ObservedApp[] = [];
    // List items carry no kind: put it back, deletes and status need it.
    const workloads = [
      ...deployments.map((d) => ({ ...d, kind: "Deployment" })),
      ...statefulsets.map((d) => ({ ...d, kind: "StatefulSet" })),
    ];
    for (const w of workloads) {
      const l = w.metadata.labels ?? {};
      const required = [
        "paasta.yelp.com/service",
        "paasta.yelp.com/instance",
        "paasta.yelp.com/git_sha",
        "paasta.yelp.com/config_sha",
      ];
      if (!required.every((k) => l[k])) continue; // not fully ours: never touched
      const key = keyOf(l["paasta.yelp.com/service"], l["paasta.yelp.com/instance"]);
      this.workloads.set(key, [...(this.workloads.get(key) ?? []), w]);
      observed.push({
        service: l["paasta.yelp.com/service"] as string,
        instance: l["paasta.yelp.com/instance"] as string,
        namespace: w.metadata.namespace,
        desired_config_hash: l["paasta.yelp.com/config_sha"] as string,
        desired_replicas: w.spec?.replicas ?? 0,
        versions: [
          {
            git_sha: l["paasta.yelp.com/git_sha"] as string,
            image_version: l["paasta.yelp.com/image_version"] ?? null,
            config_hash: l["paasta.yelp.com/config_sha"] as string,
            replicas: w.status?.replicas ?? 0,
            ready_replicas: w.status?.readyReplicas ?? 0,
          },
        ],
      });
    }
    this.hpas = new Map(hpas.map((o) => [nsName(o), o]));
    this.pdbs = new Map(pdbs.map((o) => [nsName(o), o]));
    this.namespaces = new Set(namespaces.map((n) => n.metadata.name));
    return observed;
  }

  async apply(app: DesiredApp): Promise<ApplyResult> {
    const key = keyOf(app.service, app.instance);
    const copies = this.workloads.get(key) ?? [];
    const namespace = app.config.namespace;
    const here = copies.find((w) => w.metadata.namespace === namespace);
    const elsewhere = copies.filter((w) => w.metadata.namespace !== namespace);
    const rendered = renderApp(app, { currentReplicas: here?.spec?.replicas });
    let wrote = await this.ensureNamespace(rendered);
    if (!here && elsewhere.length > 0 && app.config.bounce_method === "downthenup") {
      // Only one copy at a time: remove the old one and create the new one when it is gone.
      for (const old of elsewhere)
        if (!(old.metadata as { deletionTimestamp?: unknown }).deletionTimestamp) await this.removeCopy(old);
      return "updated";
    }
    // An autoscaled workload's replica count belongs to the HPA: not compared (and rendered as it is live).
    wrote =
      (await this.applyIfDifferent(rendered.workload, here, app.config.autoscaled ? ["spec.replicas"] : [])) || wrote;
    if (rendered.hpa)
      wrote = (await this.applyIfDifferent(rendered.hpa, this.hpas.get(`${namespace}/${rendered.name}`))) || wrote;
    else if (this.hpas.has(`${namespace}/${rendered.name}`)) {
      await this.kube.delete("autoscaling/v2", "HorizontalPodAutoscaler", namespace, rendered.name);
      this.hpas.delete(`${namespace}/${rendered.name}`);
      wrote = true;
    }
    wrote = (await this.applyIfDifferent(rendered.pdb, this.pdbs.get(`${namespace}/${rendered.name}`))) || wrote;
    if (here && elsewhere.length > 0 && (here.status?.readyReplicas ?? 0) >= (here.spec?.replicas ?? 0)) {
      for (const old of elsewhere) await this.removeCopy(old);
      wrote = true;
    }
    if (!wrote) return "unchanged";
    return here ? "updated" : "created";
  }

  /** Creates the namespace once, even when several of its apps are applied at the same time; true if written. */
  private async ensureNamespace(rendered: RenderedApp): Promise<boolean> {
    if (this.namespaces.has(rendered.namespace)) return false;
    let p = this.namespaceWrites.get(rendered.namespace);
    if (p) {
      await p;
      return false;
    }
    p = this.kube.apply(rendered.namespaceObject).then(() => {
      this.namespaces.add(rendered.namespace);
    });
    this.namespaceWrites.set(rendered.namespace, p);
    try {
      await p;
    } finally {
      this.namespaceWrites.delete(rendered.namespace);
    }
    return true;
  }

  /**
   * Applies `obj` unless `live` already says everything it says (drift.ts); `ignore` lists paths not compared.
   * Records what differed in lastDrift. Returns whether it wrote.
   */
  private async applyIfDifferent(
    obj: KubeObject,
    live: KubeObject | undefined,
    ignore: readonly string[] = [],
  ): Promise<boolean> {
    const compared = ignore.includes("spec.replicas") ? withoutReplicas(obj) : obj;
    const drift = live
      ? (firstDifference(compared.spec, live.spec, "spec") ??
        firstDifference(compared.metadata.labels, live.metadata.labels, "metadata.labels") ??
        firstDifference(compared.metadata.annotations, live.metadata.annotations, "metadata.annotations"))
      : "absent";
    if (!drift) return false;
    this.lastDrift.set(`${obj.kind}/${obj.metadata.namespace}/${obj.metadata.name}`, drift);
    await this.kube.apply(obj);
    return true;
  }

  private async removeCopy(w: KubeObject): Promise<void> {
    const ns = w.metadata.namespace;
    await this.kube.delete("apps/v1", w.kind, ns, w.metadata.name, "Foreground");
    if (this.hpas.has(`${ns}/${w.metadata.name}`))
      await this.kube.delete("autoscaling/v2", "HorizontalPodAutoscaler", ns, w.metadata.name);
    if (this.pdbs.has(`${ns}/${w.metadata.name}`))
      await this.kube.delete("policy/v1", "PodDisruptionBudget", ns, w.metadata.name);
  }

  /** Removes every copy of the app; reads them from the cluster when this process has not observed it yet. */
  async remove(ref: AppRef): Promise<void> {
    const key = keyOf(ref.service, ref.instance);
    let copies = this.workloads.get(key);
    if (!copies) {
      copies = await this.listCopies(ref);
      const live = new Set(copies.map(nsName));
      for (const o of await this.kube.list<KubeObject>("autoscaling/v2", "HorizontalPodAutoscaler", selectorOf(ref)))
        if (live.has(nsName(o))) this.hpas.set(nsName(o), o);
      for (const o of await this.kube.list<KubeObject>("policy/v1", "PodDisruptionBudget", selectorOf(ref)))
        if (live.has(nsName(o))) this.pdbs.set(nsName(o), o);
    }
    for (const w of copies) await this.removeCopy(w);
    this.workloads.delete(key);
  }

  /** Wakes the reconciler on any change of a managed workload (a hand edit is repaired at once). */
  watchChanges(onChange: () => void, onError?: (e: unknown) => void): () => void {
    let stopped = false;
    const stops: Array<() => void> = [];
    const watch = (path: string) => {
      if (stopped) return;
      this.kube
        .watch(
          path,
          SELECTOR,
          () => onChange(),
          () => setTimeout(() => watch(path), 2000),
        )
        .then((stop) => (stopped ? stop() : stops.push(stop)))
        .catch((e: unknown) => {
          onError?.(e);
          setTimeout(() => watch(path), 5000);
        });
    };
    watch("/apis/apps/v1/deployments");
    watch("/apis/apps/v1/statefulsets");
    return () => {
      stopped = true;
      for (const stop of stops) stop();
    };
  }

  readLogs(q: LogQuery): Promise<LogTail> {
    return readPodLogs(this.kube, this.cluster, q.service, q.filter, q.limit);
  }

  /** Every copy of an app's workload (several during a namespace move), read from the cluster. */
  private async listCopies(ref: AppRef): Promise<Live[]> {
    const selector = selectorOf(ref);
    return [
      ...(await this.kube.list<Live>("apps/v1", "Deployment", selector)).map((d) => ({ ...d, kind: "Deployment" })),
      ...(await this.kube.list<Live>("apps/v1", "StatefulSet", selector)).map((d) => ({ ...d, kind: "StatefulSet" })),
    ];
  }

  /** The copy in the instance's namespace is what status shows (the newest when moving). */
  private async liveWorkload(ref: AppRef): Promise<Live | undefined> {
    const found = await this.listCopies(ref);
    return found.sort((a, b) =>
      String(b.metadata.labels?.["paasta.yelp.com/config_sha"]).localeCompare(
        String(a.metadata.labels?.["paasta.yelp.com/config_sha"]),
      ),
    )[0];
  }

  async status(ref: AppRef): Promise<InstanceStatus | undefined> {
    const w = await this.liveWorkload(ref);
    if (!w) return undefined;
    const selector = `paasta.yelp.com/service=${ref.service},paasta.yelp.com/instance=${ref.instance}`;
    const pods = await this.kube.list<KubeObject>("v1", "Pod", selector, w.metadata.namespace);
    return instanceStatus(ref, this.cluster, w, pods as Parameters<typeof instanceStatus>[3]);
  }

  async restartReplica(ref: AppRef, replicaId: string): Promise<boolean> {
    const w = await this.liveWorkload(ref);
    if (!w) return false;
    return this.kube.delete("v1", "Pod", w.metadata.namespace, replicaId);
  }
}

function withoutReplicas(o: KubeObject): KubeObject {
  const spec = { ...(o.spec as Record<string, unknown>) };
  delete spec.replicas;
  return { ...o, spec };
}
