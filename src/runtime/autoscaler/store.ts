/**
 * Where a cluster's autoscaling overrides and pause are kept: one record through the backend's RecordStore
 * power (a file in the local state dir; a ConfigMap in the control plane's namespace on Kubernetes), so they
 * survive restarts and every `paasta api` replica and deployd read the same. Only the API writes it (read,
 * change, write, with what has expired dropped); the autoscaler and deployd read it. Without the power it
 * lives in memory (and says so).
 */
import { type Backend, canStoreRecords } from "../../backends/backend.js";
import { type AutoscalingRecord, parseAutoscalingRecord, withoutExpired } from "../../model/autoscaling.js";

export interface AutoscalingStore {
  readonly durable: boolean;
  load(): Promise<AutoscalingRecord>;
  /** Applies `change` to the current record (expired entries dropped) and writes it; one change at a time. */
  update(change: (r: AutoscalingRecord) => AutoscalingRecord, now?: number): Promise<AutoscalingRecord>;
}

export function autoscalingRecordName(cluster: string): string {
  return `autoscaling-${cluster.toLowerCase().replace(/[^a-z0-9._-]/g, "-")}`;
}

export function autoscalingStore(backend: Backend, cluster: string): AutoscalingStore {
  let kept: string | undefined;
  const durable = canStoreRecords(backend);
  const name = autoscalingRecordName(cluster);
  const read = async () => (durable ? backend.readRecord(name) : kept);
  const write = async (text: string) => {
    if (durable) await backend.writeRecord(name, text);
    else kept = text;
  };
  let queue: Promise<unknown> = Promise.resolve();
  return {
    durable,
    load: async () => parseAutoscalingRecord(await read()),
    update(change, now = Date.now()) {
      const next = queue.then(async () => {
        const r = change(withoutExpired(parseAutoscalingRecord(await read()), now));
        await write(JSON.stringify(r));
        return r;
      });
      queue = next.catch(() => undefined);
      return next;
    },
  };
}
