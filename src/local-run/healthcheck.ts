/**
 * Health checks simulated as production runs them (PaaSTA's local-run): checks every
 * `healthcheck_interval_seconds`, each bounded by `healthcheck_timeout_seconds`; failures within
 * `healthcheck_grace_period_seconds` are disregarded; after `healthcheck_max_consecutive_failures` failures in a
 * row it has failed. A run that exits meanwhile fails it at once.
 */

import type { HealthResult } from "../backends/local/health.js";
import type { ResolvedHealthcheck } from "../config/types.js";

export interface HealthSimulation {
  readonly passed: boolean;
  /** Checks made. */
  readonly checks: number;
  /** Seconds from the start of the simulation to its outcome. */
  readonly seconds: number;
  readonly detail: string;
  /** Set when the run exited before the check passed. */
  readonly exitCode?: number | null;
}

export interface SimulateOptions {
  readonly hc: ResolvedHealthcheck;
  /** `http://127.0.0.1:PORT/status`, `tcp://127.0.0.1:PORT`, or the command: for messages. */
  readonly via: string;
  readonly check: () => Promise<HealthResult>;
  /** undefined while the run is alive, else its exit code (null when unknown). */
  readonly exited: () => Promise<number | null | undefined>;
  readonly say: (line: string) => void;
  /** Stop early (Ctrl-C). */
  readonly cancelled?: () => boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function simulateHealthcheck(o: SimulateOptions): Promise<HealthSimulation> {
  const started = Date.now();
  const elapsed = () => Math.round((Date.now() - started) / 100) / 10;
  const graceEnd = started + o.hc.grace_period_seconds * 1000;
  o.say(
    `Starting health check via ${o.via} (every ${o.hc.interval_seconds}s, failures disregarded for the first ${o.hc.grace_period_seconds}s)`,
  );
  let checks = 0;
  let failures = 0;
  for (;;) {
    const code = await o.exited();
    if (code !== undefined) {
      o.say(`Health check failed: the run exited with code ${code ?? "unknown"} after ${elapsed()}s`);
      return {
        passed: false,
        checks,
        seconds: elapsed(),
        detail: `exited with code ${code ?? "unknown"}`,
        exitCode: code,
      };
    }
    if (o.cancelled?.()) return { passed: false, checks, seconds: elapsed(), detail: "cancelled" };
    checks++;
    const r = await o.check();
    if (r.ok) {
      o.say(`Health check succeeded after ${elapsed()}s (check ${checks}): ${r.detail}`);
      return { passed: true, checks, seconds: elapsed(), detail: r.detail };
    }
    if (Date.now() < graceEnd) o.say(`Health check failed (disregarded during the grace period): ${r.detail}`);
    else {
      failures++;
      o.say(`Health check failed (attempt ${failures} of ${o.hc.max_consecutive_failures}): ${r.detail}`);
      if (failures >= o.hc.max_consecutive_failures) {
        o.say(`Health check failed ${failures} times in a row after ${elapsed()}s`);
        return { passed: false, checks, seconds: elapsed(), detail: r.detail };
      }
    }
    await sleep(o.hc.interval_seconds * 1000);
  }
}

/** How to describe the check in messages. */
export function healthVia(hc: ResolvedHealthcheck, port: number | null): string {
  switch (hc.mode) {
    case "http":
    case "https":
      return `${hc.mode}://127.0.0.1:${port ?? "?"}${hc.uri}`;
    case "tcp":
      return `tcp://127.0.0.1:${port ?? "?"}`;
    case "cmd":
      return `cmd: ${hc.cmd}`;
    default:
      return "no health check";
  }
}
