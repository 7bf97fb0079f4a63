/**
 * The `kubernetes` backend: each desired app becomes PaaSTA's objects (render/), applied with server-side
 * apply only when what runs differs from what is rendered (apply.ts, drift.ts), observed through our managed
 * label, removed with its companions.
 *
 * Two ways to know what runs: one-shot commands list it (`observe()` takes a snapshot); long-running hosts
 * start the watched copy (the StateCache power, cache/), after which passes, status and checks read memory.
 * Either way an app whose inputs and live objects are what this process last verified is not even rendered.
 */
import { DEFAULTS } from "../../config/resolve/defaults.js";
import { type AppRef, appKey, type DesiredApp } from "../../model/app.js";
import type { DesiredRoute, MeshStatus, ObservedRoute } from "../../model/mesh.js";
import type {
  ApplyResult,
  Backend,
  ChangeWatcher,
  InstanceStatus,
  LogQuery,
  LogSource,
  LogTail,
  ObservedApp,
  RecordStore,
  ReplicaRestarter,
  ReplicaScaler,
  ScalingObservation,
  ScalingReader,
  SecretDelivery,
  SecretReader,
  SharedObjectCleanup,
  StateCache,
  StatusLister,
  TaskExit,
  TaskExitSource,
} from "../backend.js";
import type { BatchStore } from "../batch.js";
import type { MeshRouter, MeshStatusReader } from "../mesh-powers.js";
import type { BatchRunner } from "../powers.js";
import { type ApplyContext, applyApp, COMPANIONS, removeCopy } from "./apply.js";
import { type CacheChange, KubeCache, MANAGED_SELECTOR } from "./cache/index.js";
import type { Kube } from "./client.js";
import { KubernetesBatch } from "./jobs/index.js";
import { cacheState, isDeleting, type Live, type LiveState, Snapshot } from "./live.js";
import { readPodLogs } from "./logs.js";
import { KubernetesMesh } from "./mesh.js";
import { observedApps } from "./observe.js";
import { ConfigMapRecords } from "./records.js";
import { kubernetesAppName } from "./render/names.js";
import type { KubeObject } from "./render/types.js";
import { scalingOf } from "./scaling.js";
import { cleanupSecrets, SECRET_SELECTOR, secretsOf } from "./secrets.js";
import { fingerprint, inputHash, type Verified } from "./skip.js";
import { instanceStatus } from "./status.js";
import { listStatuses } from "./status-list.js";
import { watchTaskExits } from "./task-exits.js";
import { RolloutWindow } from "./window.js";

const selectorOf = (ref: AppRef) =>
  `${MANAGED_SELECTOR},paasta.yelp.com/service=${ref.service},paasta.yelp.com/instance=${ref.instance}`;

/** Kinds whose changes can call for a write (pods and status churn never do, except during a namespace move). */
const RECONCILED_KINDS = new Set([
  "Deployment",
  "StatefulSet",
  "Namespace",
  "Secret",
  ...COMPANIONS.map((c) => c.kind),
]);

export class KubernetesBackend
  implements
    Backend,
    ReplicaRestarter,
    ChangeWatcher,
    LogSource,
    StateCache,
    StatusLister,
    RecordStore,
    ReplicaScaler,
    ScalingReader,
    SecretDelivery,
    SharedObjectCleanup,
    MeshRouter,
    MeshStatusReader,
    BatchRunner,
    TaskExitSource
{
  readonly kind = "kubernetes";
  /** Apps a pass handles at once: writes are paced by the client's adaptive gate, not by this number. */
  readonly applyConcurrency = 64;
  /** Why the last write of each object happened (what differed), for `paasta reconcile -v` and tests. */
  readonly lastDrift = new Map<string, string>();
  readonly cache: KubeCache;
  /** Workload writes waiting on the controllers (window.ts), used once the watched copy is complete. */
  readonly rollouts: RolloutWindow;
  private snapshot = new Snapshot();
  private readonly verified = new Map<string, Verified>();
  private readonly namespaceWrites = new Map<string, Promise<void>>();
  /** Services per mesh namespace (mesh.ts). */
  private readonly mesh: KubernetesMesh;

  private readonly records: ConfigMapRecords;
  private secrets: SecretReader | undefined;
  private batchStore: KubernetesBatch | undefined;

  constructor(
    readonly kube: Kube,
    readonly cluster: string,
    recordsNamespace: string = DEFAULTS.control_plane_namespace,
    /** Where batch run records and job controls live (system `tron_namespace`). */
    private readonly jobsNamespace: string = DEFAULTS.tron_namespace,
  ) {
    this.cache = new KubeCache(kube);
    this.rollouts = new RolloutWindow(this.cache);
    this.records = new ConfigMapRecords(kube, recordsNamespace);
    this.mesh = new KubernetesMesh(kube, cluster, this.cache);
  }

  observeRoutes(): Promise<ObservedRoute[]> {
    return this.mesh.observeRoutes();
  }
  applyRoute(route: DesiredRoute): Promise<ApplyResult> {
    return this.mesh.applyRoute(route);
  }
  removeRoute(route: ObservedRoute): Promise<void> {
    return this.mesh.removeRoute(route);
  }
  async meshStatus(ref: AppRef): Promise<MeshStatus | undefined> {
    return this.mesh.meshStatus(ref, await this.listCopies(ref));
  }

  /** Job runs and one-off runs as Jobs (jobs/): no state but the cluster's. */
  batch(): BatchStore {
    this.batchStore ??= new KubernetesBatch(this.kube, this.cluster, this.jobsNamespace);
    return this.batchStore;
  }

  /** Every managed instance's status: from the watched copy when it is complete, else three list calls. */
  listStatuses(): Promise<InstanceStatus[]> {
    if (this.cache.ready) return Promise.resolve(this.cachedStatuses());
    return listStatuses(this.kube, this.cluster);
  }

  readRecord(name: string): Promise<string | undefined> {
    return this.records.read(name);
  }

  writeRecord(name: string, text: string): Promise<void> {
    return this.records.write(name, text);
  }

  /** The watched copy once complete, else the last listed snapshot. */
  private get live(): LiveState {
    return this.cache.ready ? cacheState(this.cache) : this.snapshot;
  }

  private get ctx(): ApplyContext {
    return {
      kube: this.kube,
      live: this.live,
      lastDrift: this.lastDrift,
      namespaceWrites: this.namespaceWrites,
      secrets: this.secrets,
      rollouts: this.cache.ready ? this.rollouts : undefined,
    };
  }

  /** Every managed app: from the watched copy (no request), or a handful of list calls whatever the app count. */
  async observe(): Promise<ObservedApp[]> {
    if (this.cache.ready) return observedApps(this.cache.workloads() as Live[]);
    const [deployments, statefulsets, hpas, pdbs, namespaces, secrets] = await Promise.all([
      this.kube.list<Live>("apps/v1", "Deployment", MANAGED_SELECTOR),
      this.kube.list<Live>("apps/v1", "StatefulSet", MANAGED_SELECTOR),
      this.kube.list<KubeObject>("autoscaling/v2", "HorizontalPodAutoscaler", MANAGED_SELECTOR),
      this.kube.list<KubeObject>("policy/v1", "PodDisruptionBudget", MANAGED_SELECTOR),
      this.kube.list<KubeObject>("v1", "Namespace"),
      this.kube.list<KubeObject>("v1", "Secret", SECRET_SELECTOR),
    ]);
    // List items carry no kind: put it back, deletes and status need it.
    const kinded = <T extends KubeObject>(items: T[], apiVersion: string, kind: string) =>
      items.map((o) => ({ ...o, apiVersion, kind }));
    const workloads = [
      ...kinded(deployments, "apps/v1", "Deployment"),
      ...kinded(statefulsets, "apps/v1", "StatefulSet"),
    ];
    this.snapshot = new Snapshot([
      ...workloads,
      ...kinded(hpas, "autoscaling/v2", "HorizontalPodAutoscaler"),
      ...kinded(pdbs, "policy/v1", "PodDisruptionBudget"),
      ...kinded(namespaces, "v1", "Namespace"),
      ...kinded(secrets, "v1", "Secret"),
    ]);
    return observedApps(workloads);
  }

  async apply(app: DesiredApp): Promise<ApplyResult> {
    const key = appKey(app);
    const input = inputHash(app);
    const seen = this.verified.get(key);
    if (seen && seen.input === input && seen.live === this.liveFingerprint(app)) return "unchanged";
    const result = await applyApp(this.ctx, app);
    const live = this.liveFingerprint(app);
    if (live !== undefined) this.verified.set(key, { input, live });
    else this.verified.delete(key);
    return result;
  }

  /** Fingerprints of the app's live objects; undefined (never skipped) unless it has exactly one workload. */
  private liveFingerprint(app: DesiredApp): string | undefined {
    const live = this.live;
    const copies = live.copies(app);
    if (copies.length !== 1) return undefined;
    const ns = app.config.namespace;
    const name = kubernetesAppName(app.service, app.instance);
    const parts = [fingerprint(copies[0]), String(live.hasNamespace(ns))];
    for (const c of COMPANIONS) parts.push(fingerprint(live.get(c.kind, ns, name)));
    for (const s of secretsOf(app)) parts.push(fingerprint(live.get("Secret", ns, s.name)));
    return parts.join("|");
  }

  // ---- secrets and autoscaling (powers) ----

  useSecrets(reader: SecretReader): void {
    this.secrets = reader;
  }

  /** Container restarts of managed pods, as the watched copy sees them (task-exits.ts): needs the cache started. */
  onTaskExit(fn: (e: TaskExit) => void): () => void {
    return watchTaskExits(this.cache, fn);
  }

  /** Deletes our Secrets no desired app and no live workload uses (called by the pass, under its rails). */
  cleanupShared(desired: readonly DesiredApp[], keepServices: ReadonlySet<string>): Promise<string[]> {
    return cleanupSecrets(this.kube, this.live, desired, keepServices);
  }

  /** PaaSTA's POST …/autoscaler: the workload's scale subresource (the HPA may change it again). */
  async scaleReplicas(ref: AppRef, replicas: number): Promise<boolean> {
    const copies = this.cache.ready ? (this.cache.workloads(ref) as Live[]) : await this.listCopies(ref);
    const w = KubernetesBackend.shown(copies);
    if (!w) return false;
    return this.kube.scale("apps/v1", w.kind, w.metadata.namespace ?? "", w.metadata.name, replicas);
  }

  /** The instance's HPA as it sees things (from the watched copy, else read). */
  async readScaling(ref: AppRef): Promise<ScalingObservation | undefined> {
    const copies = this.cache.ready ? (this.cache.workloads(ref) as Live[]) : await this.listCopies(ref);
    const w = KubernetesBackend.shown(copies);
    if (!w) return undefined;
    const ns = w.metadata.namespace;
    const hpa = this.cache.ready
      ? this.cache.get("HorizontalPodAutoscaler", ns, w.metadata.name)
      : await this.kube.get<KubeObject>("autoscaling/v2", "HorizontalPodAutoscaler", ns, w.metadata.name);
    return scalingOf(hpa, w);
  }

  /** Removes every copy of the app; reads them from the cluster when this process has not observed it yet. */
  async remove(ref: AppRef): Promise<void> {
    this.verified.delete(appKey(ref));
    const live = this.live;
    let copies = live.copies(ref);
    if (copies.length === 0 && !this.cache.ready) {
      copies = await this.listCopies(ref);
      const names = new Set(copies.map((w) => `${w.metadata.namespace}/${w.metadata.name}`));
      for (const c of COMPANIONS)
        for (const o of await this.kube.list<KubeObject>(c.apiVersion, c.kind, selectorOf(ref)))
          if (names.has(`${o.metadata.namespace}/${o.metadata.name}`)) live.noteApplied({ ...o, kind: c.kind });
    }
    const ctx = { ...this.ctx, live };
    for (const w of copies) if (!isDeleting(w)) await removeCopy(ctx, w);
  }

  // ---- the watched copy (StateCache) ----

  startCache(): Promise<void> {
    return this.cache.start();
  }

  stopCache(): void {
    this.cache.stop();
  }

  get cacheReady(): boolean {
    return this.cache.ready;
  }

  cachedStatuses(): InstanceStatus[] {
    if (!this.cache.ready) return [];
    const refs = new Map<string, AppRef>();
    for (const w of this.cache.workloads()) {
      const l = w.metadata.labels ?? {};
      const ref = { service: l["paasta.yelp.com/service"] ?? "", instance: l["paasta.yelp.com/instance"] ?? "" };
      if (ref.service && ref.instance) refs.set(appKey(ref), ref);
    }
    return [...refs.values()].flatMap((ref) => this.statusFrom(ref, this.cache.workloads(ref) as Live[]) ?? []);
  }

  onStateChange(fn: (ref: AppRef) => void): () => void {
    return this.cache.onChange((c) => {
      if (c.ref) fn(c.ref);
    });
  }

  /** Wakes the reconciler when something a pass may need to write changed (a hand edit is repaired at once). */
  watchChanges(onChange: () => void, onError?: (e: unknown) => void): () => void {
    this.startCache().catch((e: unknown) => onError?.(e));
    return this.cache.onChange((c) => {
      if (this.needsPass(c)) onChange();
    });
  }

  private needsPass(c: CacheChange): boolean {
    if (!RECONCILED_KINDS.has(c.kind)) return false;
    if (c.type !== "modified") return true;
    if (fingerprint(c.old) !== fingerprint(c.object)) return true;
    // Status alone matters while an app moves namespace: the old copy goes once the new one is ready.
    return c.ref !== undefined && (c.kind === "Deployment" || c.kind === "StatefulSet")
      ? this.cache.workloads(c.ref).length > 1
      : false;
  }

  async close(): Promise<void> {
    this.batchStore?.close();
    this.rollouts.close();
    this.cache.stop();
    this.kube.close();
  }

  // ---- status, restarts, logs ----

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

  /** The copy status shows: one not being deleted, the newest config first when moving. */
  private static shown(copies: Live[]): Live | undefined {
    return [...copies].sort(
      (a, b) =>
        Number(isDeleting(a)) - Number(isDeleting(b)) ||
        String(b.metadata.labels?.["paasta.yelp.com/config_sha"]).localeCompare(
          String(a.metadata.labels?.["paasta.yelp.com/config_sha"]),
        ),
    )[0];
  }

  private statusFrom(ref: AppRef, copies: Live[]): InstanceStatus | undefined {
    const w = KubernetesBackend.shown(copies);
    if (!w) return undefined;
    const pods = this.cache.pods(ref).filter((p) => p.metadata.namespace === w.metadata.namespace);
    return instanceStatus(ref, this.cluster, w, pods as Parameters<typeof instanceStatus>[3]);
  }

  async status(ref: AppRef): Promise<InstanceStatus | undefined> {
    if (this.cache.ready) return this.statusFrom(ref, this.cache.workloads(ref) as Live[]);
    const w = KubernetesBackend.shown(await this.listCopies(ref));
    if (!w) return undefined;
    const selector = `paasta.yelp.com/service=${ref.service},paasta.yelp.com/instance=${ref.instance}`;
    const pods = await this.kube.list<KubeObject>("v1", "Pod", selector, w.metadata.namespace);
    return instanceStatus(ref, this.cluster, w, pods as Parameters<typeof instanceStatus>[3]);
  }

  async restartReplica(ref: AppRef, replicaId: string): Promise<boolean> {
    const copies = this.cache.ready ? (this.cache.workloads(ref) as Live[]) : await this.listCopies(ref);
    const w = KubernetesBackend.shown(copies);
    if (!w) return false;
    return this.kube.delete("v1", "Pod", w.metadata.namespace, replicaId);
  }
}
