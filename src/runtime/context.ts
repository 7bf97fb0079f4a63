/**
 * What every component of a running cluster shares: where the configs are, the backend (through its
 * contract and detected powers only), the event log, the internal event stream and the metrics registry.
 */

import type { Metrics } from "../api/metrics.js";
import type { Backend } from "../backends/backend.js";
import type { SystemConfig } from "../config/system.js";
import type { LogWriter } from "../logs/writer.js";
import type { EventBus } from "./events.js";

export interface RuntimeContext {
  readonly cluster: string;
  readonly soaDir: string;
  readonly system: SystemConfig;
  readonly backend: Backend;
  /** The event log (deploy events and such, `paasta logs -C deploy`). */
  readonly log: LogWriter;
  readonly events: EventBus;
  readonly metrics: Metrics;
  readonly version: string;
  readonly env: NodeJS.ProcessEnv;
}
