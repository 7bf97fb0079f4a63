/** The local runtime's BatchStore: job runs (runner.ts) and one-off runs (one-off.ts), one executor for both. */
import type { JobRecords } from "../../../model/jobs/records.js";
import type { BatchStore, JobFilter, OneOffRecord, OneOffSpec } from "../../batch.js";
import { LocalOneOffs } from "./one-off.js";
import { type LocalBatchOptions, LocalJobRuns } from "./runner.js";

export class LocalBatch extends LocalJobRuns implements BatchStore {
  private readonly oneOff: LocalOneOffs;

  constructor(o: LocalBatchOptions) {
    super(o);
    this.oneOff = new LocalOneOffs(o.store.db, o);
    o.executor.onExit = () => this.notify();
  }

  override async read(filter?: JobFilter): Promise<JobRecords> {
    await this.oneOff.refresh(); // one-off runs are reaped (and their deadlines kept) on the scheduler's ticks
    return super.read(filter);
  }

  startOneOff(spec: OneOffSpec): Promise<OneOffRecord> {
    return this.oneOff.startOneOff(spec);
  }

  oneOffs(filter?: { service?: string; instance?: string }): Promise<OneOffRecord[]> {
    return this.oneOff.oneOffs(filter);
  }

  stopOneOff(id: string): Promise<boolean> {
    return this.oneOff.stopOneOff(id);
  }

  oneOffOutput(id: string, offset: number) {
    return this.oneOff.oneOffOutput(id, offset);
  }
}
