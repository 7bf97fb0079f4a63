/**
 * The watched copy of everything paasta manages on a cluster (one informer per kind, informer.ts): managed
 * Deployments, StatefulSets, HPAs, PDBs and Pods indexed by `service.instance`, our Secrets and Services, and all Namespaces. `deployd`
 * and `paasta api` read it instead of listing: a pass compares against memory, a status is a lookup.
 *
 * `KubeStateReader` is the read side other Kubernetes code uses (status, the monitor's checks, the scheduler):
 * docs/kubernetes.md describes it. Writers tell the copy what the server answered (`noteApplied`,
 * `noteDeleted`) so that the next pass does not act on a version older than its own write.
 */
import type { AppRef } from "../../../model/app.js";
import type { Kube } from "../client.js";
import { type KubeObject, MANAGED } from "../render/types.js";
import { type ChangeType, Informer, type KindSpec } from "./informer.js";

export const MANAGED_SELECTOR = `${MANAGED}=true`;

/** `service.instance` of an object carrying paasta's labels. */
export function instanceKey(o: KubeObject): string | undefined {
  const l = o.metadata.labels;
  const service = l?.["paasta.yelp.com/service"];
  const instance = l?.["paasta.yelp.com/instance"];
  return service && instance ? `${service}.${instance}` : undefined;
}

/** The kinds kept. A new kind paasta renders per app (e.g. a Service) is one more line here. */
export const CACHED_KINDS: readonly KindSpec[] = [
  { apiVersion: "apps/v1", kind: "Deployment", labelSelector: MANAGED_SELECTOR, index: instanceKey },
  { apiVersion: "apps/v1", kind: "StatefulSet", labelSelector: MANAGED_SELECTOR, index: instanceKey },
  {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    labelSelector: MANAGED_SELECTOR,
    index: instanceKey,
  },
  { apiVersion: "policy/v1", kind: "PodDisruptionBudget", labelSelector: MANAGED_SELECTOR, index: instanceKey },
  { apiVersion: "v1", kind: "Pod", labelSelector: MANAGED_SELECTOR, index: instanceKey },
  // the Secrets of SECRET() values (one per service secret and namespace: not indexed by instance)
  { apiVersion: "v1", kind: "Secret", labelSelector: `${MANAGED_SELECTOR},paasta.yelp.com/secret=true` },
  // the Services of mesh registrations (one per registration and namespace: not indexed by instance)
  { apiVersion: "v1", kind: "Service", labelSelector: `${MANAGED_SELECTOR},paasta.yelp.com/registration` },
  // every namespace (ours carry the label, but an app may name one that exists already)
  { apiVersion: "v1", kind: "Namespace" },
];

export const WORKLOAD_KINDS = ["Deployment", "StatefulSet"] as const;

export interface CacheChange {
  readonly type: ChangeType;
  readonly kind: string;
  readonly object: KubeObject;
  /** The version before (modified), the last one known (deleted), else undefined. */
  readonly old: KubeObject | undefined;
  /** The instance the object belongs to, when it carries paasta's labels. */
  readonly ref: AppRef | undefined;
}

/** Read-only view of the copy. Objects are shared: never modify them. */
export interface KubeStateReader {
  /** Every kind was listed once (until then, reads return what is known so far). */
  readonly ready: boolean;
  /** Workloads (Deployments, StatefulSets) of an instance (several during a namespace move), or all. */
  workloads(ref?: AppRef): KubeObject[];
  /** Pods of an instance (every version), or all managed pods. */
  pods(ref?: AppRef): KubeObject[];
  /** Objects of one kind belonging to an instance, or all of the kind. */
  objects(kind: string, ref?: AppRef): KubeObject[];
  get(kind: string, namespace: string | undefined, name: string): KubeObject | undefined;
  /** Called for every change after it is applied to the copy; returns the unsubscribe function. */
  onChange(fn: (c: CacheChange) => void): () => void;
}

export interface KubeCacheOptions {
  readonly kinds?: readonly KindSpec[];
  /** Full relist period (ms). */
  readonly resyncMs?: number;
  readonly onError?: (e: unknown) => void;
}

export class KubeCache implements KubeStateReader {
  private readonly informers = new Map<string, Informer>();
  private readonly listeners = new Set<(c: CacheChange) => void>();
  private starting: Promise<void> | undefined;

  constructor(kube: Kube, o: KubeCacheOptions = {}) {
    for (const spec of o.kinds ?? CACHED_KINDS) {
      const informer = new Informer(kube, spec, {
        resyncMs: o.resyncMs ?? 10 * 60_000,
        onError: o.onError,
        onChange: (type, object, old) => this.emit({ type, kind: spec.kind, object, old, ref: refOf(object) }),
      });
      this.informers.set(spec.kind, informer);
    }
  }

  /** Lists every kind and watches; resolves when the copy is complete. Idempotent. */
  start(): Promise<void> {
    this.starting ??= Promise.all([...this.informers.values()].map((i) => i.start())).then(() => undefined);
    return this.starting;
  }

  stop(): void {
    for (const i of this.informers.values()) i.stop();
    this.starting = undefined;
  }

  get started(): boolean {
    return this.starting !== undefined;
  }

  get ready(): boolean {
    return [...this.informers.values()].every((i) => i.synced);
  }

  /** Relists done per kind (the first list included). */
  relists(): Record<string, number> {
    return Object.fromEntries([...this.informers].map(([k, i]) => [k, i.relists]));
  }

  workloads(ref?: AppRef): KubeObject[] {
    return WORKLOAD_KINDS.flatMap((k) => this.objects(k, ref));
  }

  pods(ref?: AppRef): KubeObject[] {
    return this.objects("Pod", ref);
  }

  objects(kind: string, ref?: AppRef): KubeObject[] {
    const i = this.informers.get(kind);
    if (!i) return [];
    return ref ? i.byIndex(`${ref.service}.${ref.instance}`) : i.list();
  }

  get(kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.informers.get(kind)?.get(namespace, name);
  }

  has(kind: string): boolean {
    return this.informers.has(kind);
  }

  onChange(fn: (c: CacheChange) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** The server's answer to our write: kept unless the copy already has a later version. */
  noteApplied(obj: KubeObject): void {
    this.informers.get(obj.kind)?.upsert(obj);
  }

  /** This process deleted the object: it stays, marked as being deleted, until the watch says it is gone. */
  noteDeleted(kind: string, namespace: string | undefined, name: string): void {
    this.informers.get(kind)?.markDeleting(namespace, name);
  }

  private emit(c: CacheChange): void {
    for (const fn of this.listeners) {
      try {
        fn(c);
      } catch {
        // a listener's failure is its own
      }
    }
  }
}

function refOf(o: KubeObject): AppRef | undefined {
  const l = o.metadata.labels;
  const service = l?.["paasta.yelp.com/service"];
  const instance = l?.["paasta.yelp.com/instance"];
  return service && instance ? { service, instance } : undefined;
}
