/**
 * The cluster's batch Jobs as an informer keeps them (cache/informer.ts: list once, then watch, relist on a
 * gap and every few minutes): a scheduler pass reads memory, not the API server, so a pass over 1,000 jobs
 * with nothing to do makes no request. Only a copy of the server's objects — a restarted process lists again.
 * Objects this process writes go in at once (so the next read sees them before their watch event).
 */
import { Informer } from "../cache/informer.js";
import type { Kube } from "../client.js";
import type { KubeJob } from "./read.js";

const RESYNC_MS = 5 * 60_000;
/** A first read waits this long for the first list, then fails (the pass is retried). */
const FIRST_LIST_MS = 30_000;

export class JobCache {
  private readonly informer: Informer;
  private started: Promise<void> | undefined;

  constructor(kube: Kube, selector: string) {
    this.informer = new Informer(
      kube,
      { apiVersion: "batch/v1", kind: "Job", labelSelector: selector },
      { resyncMs: RESYNC_MS, onChange: () => {} },
    );
  }

  /** The Jobs (without those this process is deleting), current as of the last watch event. */
  async all(): Promise<KubeJob[]> {
    if (!this.informer.synced) {
      this.started ??= this.informer.start();
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error("the Kubernetes API did not answer the list of Jobs")),
          FIRST_LIST_MS,
        );
      });
      try {
        await Promise.race([this.started, late]);
      } finally {
        clearTimeout(timer);
      }
    }
    return (this.informer.list() as KubeJob[]).filter(
      (j) => !(j.metadata as { deletionTimestamp?: string }).deletionTimestamp,
    );
  }

  /** An object this process just wrote (a create's or an apply's answer). */
  put(j: KubeJob): void {
    this.informer.upsert(j);
  }

  remove(namespace: string | undefined, name: string): void {
    this.informer.markDeleting(namespace, name);
  }

  close(): void {
    this.informer.stop();
  }
}
