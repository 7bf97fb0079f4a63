/**
 * The cluster's batch Jobs, listed once and then kept current by a watch (an informer, as controllers keep
 * one): a scheduler pass reads memory, not the API server, so a pass over 1,000 jobs with nothing to do makes
 * no request at all. Only a cache of the server's objects — nothing is kept that the server does not have:
 * a restarted process lists again. A watch that ends (timeout, disconnect) makes the next read list again; a
 * full list also happens every few minutes as a safety net.
 */
import type { Kube } from "../client.js";
import type { KubeJob } from "./read.js";

const RELIST_MS = 5 * 60_000;

export class JobCache {
  private readonly objects = new Map<string, KubeJob>();
  private synced: Promise<void> | undefined;
  private syncedAt = 0;
  private stopWatch: (() => void) | undefined;
  private closed = false;

  constructor(
    private readonly kube: Kube,
    private readonly selector: string,
  ) {}

  private key(j: KubeJob): string {
    return `${j.metadata.namespace}/${j.metadata.name}`;
  }

  /** The Jobs, current as of the last watch event (listing first when there is no live watch). */
  async all(): Promise<KubeJob[]> {
    if (!this.synced || Date.now() - this.syncedAt > RELIST_MS) this.synced = this.sync();
    try {
      await this.synced;
    } catch (e) {
      this.synced = undefined;
      throw e;
    }
    return [...this.objects.values()];
  }

  private async sync(): Promise<void> {
    this.stopWatch?.();
    this.stopWatch = undefined;
    // Watch first (from "now"; it also replays what exists as ADDED), then list: nothing falls in between.
    const generation = {};
    this.current = generation;
    this.stopWatch = await this.kube.watch(
      "/apis/batch/v1/jobs",
      this.selector,
      (type, obj) => {
        if (this.current !== generation) return;
        const j = obj as KubeJob | undefined;
        if (!j?.metadata?.name) return;
        if (type === "DELETED") this.objects.delete(this.key(j));
        else if (type === "ADDED" || type === "MODIFIED") this.put(j);
      },
      () => {
        if (this.current === generation && !this.closed) this.synced = undefined;
      },
    );
    const items = await this.kube.list<KubeJob>("batch/v1", "Job", this.selector);
    this.objects.clear();
    for (const j of items) this.put(j);
    this.syncedAt = Date.now();
  }

  private current: object | undefined;

  /** An object this process just wrote (so the next read sees it before its watch event arrives). */
  put(j: KubeJob): void {
    const old = this.objects.get(this.key(j));
    const newer = !old || Number(j.metadata.resourceVersion ?? 0) >= Number(old.metadata.resourceVersion ?? 0);
    if (newer) this.objects.set(this.key(j), j);
  }

  remove(namespace: string, name: string): void {
    this.objects.delete(`${namespace}/${name}`);
  }

  close(): void {
    this.closed = true;
    this.stopWatch?.();
  }
}
