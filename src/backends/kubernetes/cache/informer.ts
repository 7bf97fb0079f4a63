/**
 * An informer for one kind (client-go's idea, small): list once, then watch from the list's resourceVersion
 * (with bookmarks), keeping an in-memory copy indexed by namespace/name and by an index key (service.instance).
 * A watch that ends is resumed from the last version seen; a version too old (410 Gone, as an HTTP status or
 * an ERROR event) or repeated watch failures lead to a relist; every `resyncMs` a full relist repairs anything
 * a watch could have missed. A relist reports only what differs from the copy. Objects are stored without
 * `managedFields` (the bulk of a big object, never read here) and are shared: readers must not modify them.
 */
import type { Kube, WatchEvent } from "../client.js";
import type { KubeObject } from "../render/types.js";

export interface KindSpec {
  readonly apiVersion: string;
  readonly kind: string;
  readonly labelSelector?: string;
  /** The index key of an object (e.g. `service.instance` from its labels), or undefined for none. */
  readonly index?: (o: KubeObject) => string | undefined;
}

export type ChangeType = "added" | "modified" | "deleted";

export interface InformerOptions {
  /** Full relist period (ms); 0 disables. */
  readonly resyncMs: number;
  readonly onChange: (type: ChangeType, obj: KubeObject, old: KubeObject | undefined) => void;
  readonly onError?: (e: unknown) => void;
}

type Meta = KubeObject["metadata"] & { resourceVersion?: string; managedFields?: unknown; uid?: string };

export const nsName = (o: KubeObject): string => `${o.metadata.namespace ?? ""}/${o.metadata.name}`;
const rvOf = (o: KubeObject) => (o.metadata as Meta).resourceVersion ?? "";

/** Whether `a` is a later version than `b`: by number when both are (etcd revisions), else assumed. */
export function isNewer(a: string, b: string): boolean {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) return a.length !== b.length ? a.length > b.length : a > b;
  return a !== b;
}

export class Informer {
  private readonly store = new Map<string, KubeObject>();
  private readonly indexed = new Map<string, Map<string, KubeObject>>();
  private version = "";
  private stopWatch: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private failures = 0;
  private watchStarted = 0;
  private relisting: Promise<void> | undefined;
  synced = false;
  /** Relists done (the first list included), for tests and metrics. */
  relists = 0;

  constructor(
    private readonly kube: Kube,
    readonly spec: KindSpec,
    private readonly o: InformerOptions,
  ) {}

  /** Lists (retrying until it works or `stop`), then watches; resolves once the copy is complete. */
  async start(): Promise<void> {
    this.stopped = false;
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        await this.relist();
        break;
      } catch (e) {
        this.o.onError?.(e);
        await new Promise((r) => setTimeout(r, Math.min(30_000, 500 * 2 ** attempt)));
      }
    }
    if (this.o.resyncMs > 0 && !this.stopped) this.scheduleResync();
  }

  stop(): void {
    this.stopped = true;
    this.stopWatch?.();
    this.stopWatch = undefined;
    clearTimeout(this.timer);
    clearTimeout(this.resyncTimer);
  }

  get(namespace: string | undefined, name: string): KubeObject | undefined {
    return this.store.get(`${namespace ?? ""}/${name}`);
  }

  list(): KubeObject[] {
    return [...this.store.values()];
  }

  byIndex(key: string): KubeObject[] {
    const m = this.indexed.get(key);
    return m ? [...m.values()] : [];
  }

  get size(): number {
    return this.store.size;
  }

  /** Watches again from `version` (as a controller resuming from a version it stored would); 410 → relist. */
  resumeFrom(version: string): void {
    this.version = version;
    this.watch();
  }

  /** Takes an object the server just returned (an apply's answer) unless the copy already has a later one. */
  upsert(obj: KubeObject): void {
    const old = this.store.get(nsName(obj));
    if (old && !isNewer(rvOf(obj), rvOf(old))) return;
    this.put(this.ingest(obj), old);
  }

  /**
   * Marks an object this process just deleted: kept with a deletionTimestamp (same version, so the watch's next
   * event for it, MODIFIED or DELETED, replaces or removes it) — never taken for alive in between.
   */
  markDeleting(namespace: string | undefined, name: string): void {
    const old = this.store.get(`${namespace ?? ""}/${name}`);
    if (!old || (old.metadata as { deletionTimestamp?: unknown }).deletionTimestamp) return;
    const metadata = { ...old.metadata, deletionTimestamp: new Date().toISOString() } as KubeObject["metadata"];
    this.put({ ...old, metadata }, old);
  }

  private ingest(obj: KubeObject): KubeObject {
    const meta = obj.metadata as Meta;
    if (meta.managedFields !== undefined) delete meta.managedFields;
    if (!obj.kind) obj.kind = this.spec.kind;
    if (!obj.apiVersion) obj.apiVersion = this.spec.apiVersion;
    return obj;
  }

  private put(obj: KubeObject, old: KubeObject | undefined): void {
    const key = nsName(obj);
    if (old) this.unindex(old);
    this.store.set(key, obj);
    const ix = this.spec.index?.(obj);
    if (ix !== undefined) {
      const m = this.indexed.get(ix) ?? new Map<string, KubeObject>();
      this.indexed.set(ix, m);
      m.set(key, obj);
    }
    this.o.onChange(old ? "modified" : "added", obj, old);
  }

  private drop(old: KubeObject): void {
    this.store.delete(nsName(old));
    this.unindex(old);
    this.o.onChange("deleted", old, old);
  }

  private unindex(o: KubeObject): void {
    const ix = this.spec.index?.(o);
    if (ix === undefined) return;
    const m = this.indexed.get(ix);
    m?.delete(nsName(o));
    if (m && m.size === 0) this.indexed.delete(ix);
  }

  /** Lists everything, reports what differs from the copy, and watches from the list's version (one at a time). */
  private relist(): Promise<void> {
    this.relisting ??= this.doRelist().finally(() => {
      this.relisting = undefined;
    });
    return this.relisting;
  }

  private async doRelist(): Promise<void> {
    this.stopWatch?.();
    this.stopWatch = undefined;
    const { items, resourceVersion } = await this.kube.listVersioned<KubeObject>(
      this.spec.apiVersion,
      this.spec.kind,
      this.spec.labelSelector,
    );
    if (this.stopped) return;
    const seen = new Set<string>();
    for (const raw of items) {
      const obj = this.ingest(raw);
      const key = nsName(obj);
      seen.add(key);
      const old = this.store.get(key);
      if (!old || rvOf(old) !== rvOf(obj)) this.put(obj, old);
    }
    for (const [key, old] of [...this.store]) if (!seen.has(key)) this.drop(old);
    this.version = resourceVersion;
    this.relists++;
    this.synced = true;
    this.watch();
  }

  private scheduleResync(): void {
    this.resyncTimer = setTimeout(() => {
      if (this.stopped) return;
      this.relist()
        .catch((e: unknown) => this.o.onError?.(e))
        .finally(() => this.scheduleResync());
    }, this.o.resyncMs);
  }

  private watch(): void {
    if (this.stopped) return;
    this.stopWatch?.();
    this.watchStarted = Date.now();
    // As client-go: a server-side timeout between 5 and 10 minutes, then resume from the last version.
    const timeoutSeconds = 300 + Math.floor(Math.random() * 300);
    this.stopWatch = this.kube.watchEvents(
      this.spec.apiVersion,
      this.spec.kind,
      { labelSelector: this.spec.labelSelector, resourceVersion: this.version, timeoutSeconds },
      (e) => this.onEvent(e),
      (err) => this.onEnd(err),
    );
  }

  private onEvent(e: WatchEvent): void {
    if (e.type === "ERROR") {
      const status = e.object as unknown as { code?: number; message?: string };
      this.stopWatch?.();
      this.onEnd(Object.assign(new Error(status.message ?? "watch error"), { code: status.code }));
      return;
    }
    const obj = this.ingest(e.object);
    if (rvOf(obj)) this.version = rvOf(obj);
    if (e.type === "BOOKMARK") return;
    this.failures = 0;
    const old = this.store.get(nsName(obj));
    if (e.type === "DELETED") {
      if (old) this.drop(old);
    } else if (!old || isNewer(rvOf(obj), rvOf(old))) this.put(obj, old);
  }

  /** The watch ended: resume it, or relist when the version is gone or watching keeps failing. */
  private onEnd(err?: unknown): void {
    this.stopWatch = undefined;
    if (this.stopped) return;
    const gone = (err as { code?: number } | undefined)?.code === 410;
    if (err && !gone) {
      this.failures++;
      this.o.onError?.(err);
    }
    if (gone || this.failures >= 3) {
      this.scheduleRelist(gone ? 0 : backoff(this.failures));
      return;
    }
    // A watch the server closes at once (or that failed) is not resumed in a tight loop.
    const delay = err ? backoff(this.failures) : Date.now() - this.watchStarted < 1000 ? 1000 : 0;
    this.timer = setTimeout(() => this.watch(), delay);
  }

  private scheduleRelist(delay: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (this.stopped) return;
      this.relist()
        .then(() => {
          this.failures = 0;
        })
        .catch((e: unknown) => {
          this.failures++;
          this.o.onError?.(e);
          this.scheduleRelist(backoff(this.failures));
        });
    }, delay);
  }
}

const backoff = (failures: number) => Math.min(30_000, 250 * 2 ** failures);
