/**
 * What runs, as `apply` and `status` read it. Two sources behind one interface: the watched copy (cache/, used
 * by `deployd` and `paasta api`), or a snapshot listed by `observe()` (one-shot `paasta reconcile`). After a
 * write the source takes the server's answer, so the same pass and the next compare against what was written.
 */
import type { AppRef } from "../../model/app.js";
import { appKey } from "../../model/app.js";
import { instanceKey, type KubeCache, WORKLOAD_KINDS } from "./cache/index.js";
import { nsName } from "./cache/informer.js";
import type { KubeObject } from "./render/types.js";

export type Live = KubeObject & {
  metadata: KubeObject["metadata"] & { deletionTimestamp?: unknown; generation?: number; resourceVersion?: string };
  status?: { replicas?: number; readyReplicas?: number };
  spec?: { replicas?: number };
};

export interface LiveState {
  /** The app's workloads (several while it moves namespace). */
  copies(ref: AppRef): Live[];
  get(kind: string, namespace: string | undefined, name: string): KubeObject | undefined;
  hasNamespace(name: string): boolean;
  /** Every known object of a kind (our Secrets, all workloads …). */
  all(kind: string): KubeObject[];
  noteApplied(obj: KubeObject): void;
  /** The object is being deleted: kept, marked with a deletionTimestamp, until the cluster says it is gone. */
  noteDeleted(kind: string, namespace: string | undefined, name: string): void;
}

export const isDeleting = (o: KubeObject): boolean =>
  Boolean((o.metadata as { deletionTimestamp?: unknown }).deletionTimestamp);

function deleting(o: KubeObject): KubeObject {
  return { ...o, metadata: { ...o.metadata, deletionTimestamp: new Date().toISOString() } as KubeObject["metadata"] };
}

/** The watched copy as a LiveState. */
export function cacheState(cache: KubeCache): LiveState {
  return {
    copies: (ref) => cache.workloads(ref) as Live[],
    get: (kind, ns, name) => cache.get(kind, ns, name),
    hasNamespace: (name) => cache.get("Namespace", undefined, name) !== undefined,
    all: (kind) => cache.objects(kind),
    noteApplied: (obj) => cache.noteApplied(obj),
    noteDeleted: (kind, ns, name) => cache.noteDeleted(kind, ns, name),
  };
}

/** A listed snapshot as a LiveState (what `observe()` read, updated by this process's writes). */
export class Snapshot implements LiveState {
  private readonly byKind = new Map<string, Map<string, KubeObject>>();
  private readonly byApp = new Map<string, Map<string, Live>>();
  private readonly namespaces = new Set<string>();

  constructor(objects: readonly KubeObject[] = []) {
    for (const o of objects) this.noteApplied(o);
  }

  copies(ref: AppRef): Live[] {
    return [...(this.byApp.get(appKey(ref))?.values() ?? [])];
  }

  get(kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.byKind.get(kind)?.get(`${namespace ?? ""}/${name}`);
  }

  hasNamespace(name: string): boolean {
    return this.namespaces.has(name);
  }

  all(kind: string): KubeObject[] {
    return [...(this.byKind.get(kind)?.values() ?? [])];
  }

  noteApplied(obj: KubeObject): void {
    if (obj.kind === "Namespace") this.namespaces.add(obj.metadata.name);
    const m = this.byKind.get(obj.kind) ?? new Map<string, KubeObject>();
    this.byKind.set(obj.kind, m);
    m.set(nsName(obj), obj);
    const key = instanceKey(obj);
    if (key && (WORKLOAD_KINDS as readonly string[]).includes(obj.kind)) {
      const copies = this.byApp.get(key) ?? new Map<string, Live>();
      this.byApp.set(key, copies);
      copies.set(nsName(obj), obj as Live);
    }
  }

  noteDeleted(kind: string, namespace: string | undefined, name: string): void {
    const o = this.get(kind, namespace, name);
    if (o && !isDeleting(o)) this.noteApplied(deleting(o));
  }

  /** Forgets an app's workloads (after `remove`). */
  forget(ref: AppRef): void {
    this.byApp.delete(appKey(ref));
  }
}
