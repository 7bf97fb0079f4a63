/** The JobsApi the API's routes are given: jobs (service.ts) and one-off runs (one-off.ts) over one BatchStore. */
import type { BatchStore } from "../../backends/batch.js";
import type { SystemConfig } from "../../config/system.js";
import type { JobRef } from "../../model/jobs/records.js";
import type { JobsApi } from "../../model/jobs/wire.js";
import type { JobConfigs } from "./configs.js";
import { OneOffService } from "./one-off.js";
import { JobsService } from "./service.js";

export function jobsApi(o: {
  cluster: string;
  soaDir: string;
  system?: SystemConfig;
  configs: JobConfigs;
  store: BatchStore;
  poke?: (ref: JobRef) => void;
  now?: () => number;
}): JobsApi {
  const jobs = new JobsService(o);
  const oneOff = new OneOffService(o);
  return {
    list: () => jobs.list(),
    job: (service, job) => jobs.job(service, job),
    run: (service, job, run) => jobs.run(service, job, run),
    verb: (target, verb) => jobs.verb(target, verb),
    startOneOff: (req) => oneOff.start(req),
    oneOffs: (service) => oneOff.list(service),
    oneOff: (id, offset) => oneOff.output(id, offset),
    stopOneOff: (id) => oneOff.stop(id),
  };
}
