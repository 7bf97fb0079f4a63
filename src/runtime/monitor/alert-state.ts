/**
 * The alert state machine, pure: what one check result does to the state of its check (reference §8.2 and
 * Sensu's filters, which PaaSTA relies on).
 *
 * - A failing result starts an episode (first failure = now) or continues it.
 * - Nothing is sent while the episode is younger than `alert_after` ("pending").
 * - Then the first eligible run fires; later runs re-alert every `realert_every` runs, or with -1 at runs
 *   1, 2, 4, 8 … of the episode's eligible runs (exponential back-off); other runs are "still firing"
 *   (sinks that hold state, like Alertmanager, are refreshed then, and nobody is re-paged).
 * - An OK result resolves a fired episode and forgets the check.
 *
 * The state is persisted by the monitor, so a restart continues the episode: what was sent is not sent again.
 */
import { durationSeconds } from "../../config/resolve/coerce.js";
import type { CheckStatus, MonitoringEvent } from "./event.js";

export interface AlertState {
  readonly event: MonitoringEvent;
  readonly status: CheckStatus;
  /** First failure of the current episode (ISO). */
  readonly since: string;
  /** Failing runs in this episode, and those past alert_after. */
  readonly runs: number;
  readonly eligibleRuns: number;
  /** Whether a firing notification went out (and no resolve yet); when the last one did. */
  readonly fired: boolean;
  readonly lastSentAt: string | null;
  readonly sentCount: number;
}

export type Transition = "ok" | "pending" | "fire" | "refire" | "still_firing" | "resolve";

export interface Step {
  readonly state: AlertState | undefined;
  readonly transition: Transition;
}

/** Seconds of an event's alert_after ("10m", "30s", "2D"); unparseable values count as 0 (alert at once). */
export function alertAfterSeconds(e: Pick<MonitoringEvent, "alert_after">): number {
  return durationSeconds(e.alert_after) ?? 0;
}

/** Whether the k-th eligible run (1-based) re-alerts. */
export function realertsAt(k: number, realertEvery: number): boolean {
  if (k <= 1) return true;
  if (realertEvery === -1) return (k & (k - 1)) === 0;
  if (realertEvery <= 0) return false;
  return (k - 1) % realertEvery === 0;
}

export function step(prev: AlertState | undefined, e: MonitoringEvent, now: Date): Step {
  if (e.status === 0) {
    return { state: undefined, transition: prev?.fired ? "resolve" : "ok" };
  }
  const at = now.toISOString();
  const since = prev?.since ?? at;
  const runs = (prev?.runs ?? 0) + 1;
  // The long description is sent with each notification, not kept: the record stays small (a ConfigMap).
  const base = { event: { ...e, description: null }, status: e.status, since, runs };
  const failingFor = (now.getTime() - Date.parse(since)) / 1000;
  if (failingFor < alertAfterSeconds(e)) {
    return {
      state: { ...base, eligibleRuns: 0, fired: false, lastSentAt: null, sentCount: 0 },
      transition: "pending",
    };
  }
  const eligibleRuns = (prev?.eligibleRuns ?? 0) + 1;
  const sends = !prev?.fired || realertsAt(eligibleRuns, e.realert_every);
  const transition: Transition = !prev?.fired ? "fire" : sends ? "refire" : "still_firing";
  return {
    state: {
      ...base,
      eligibleRuns,
      fired: true,
      lastSentAt: sends ? at : (prev?.lastSentAt ?? null),
      sentCount: (prev?.sentCount ?? 0) + (sends ? 1 : 0),
    },
    transition,
  };
}
