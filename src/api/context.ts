/** What every route module is given: the cluster it serves and the parts it reads. */
import type { Backend, MeshStatusReader } from "../backends/backend.js";
import type { SystemConfig } from "../config/system.js";
import type { AlertSource } from "../model/alerts.js";
import type { AutoscalingApi } from "../model/autoscaling.js";
import type { JobsApi } from "../model/jobs/wire.js";
import type { DeployQueue } from "../reconcile/queue.js";
import type { Metrics } from "./metrics.js";

export interface ApiContext {
  readonly cluster: string;
  readonly backend: Backend;
  readonly soaDir: string;
  readonly system?: SystemConfig;
  /** Bearer token for writes; writes are refused when undefined. */
  readonly token: string | undefined;
  readonly metrics?: Metrics;
  readonly version: string;
  /** PaaSTA's mesh_status: the local proxy's view, or the backend's (Kubernetes Services). */
  readonly mesh?: MeshStatusReader;
  /** The event log's files that may hold a service's deploy events (the backend's output is a LogSource power). */
  readonly eventLogFiles?: (service: string) => string[];
  /** Jobs, runs and one-off runs, where the cluster's backend runs batch work (the BatchRunner power). */
  readonly jobs?: JobsApi;
  /** The reconcile loop's queue, where the loop runs in the same process (`paasta up`). */
  readonly deployQueue?: () => DeployQueue;
  /** Answer 504 after this many seconds (`paasta api --max-request-seconds`). */
  readonly maxRequestSeconds?: number;
  /** Log each request here (`paasta api -D`). */
  readonly requestLog?: (line: string) => void;
  /** The cluster's active alerts (the monitor's); an empty list where no monitor runs. */
  readonly alerts?: AlertSource;
  /** The autoscaler routes' work (the local autoscaler, or the cluster's HPAs); absent: they answer 501. */
  readonly autoscaling?: AutoscalingApi;
}
