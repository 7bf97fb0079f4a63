/**
 * Adaptive write flow control, pure: how many writes may be in flight against the API server, decided from
 * what the server answers (like client-go's back-off on 429/Retry-After, with the limit itself adapting as in
 * TCP's AIMD). A throttled or failing answer (429, 5xx, a transport error) halves the limit — once per
 * cool-down, so one burst of 429s halves it once; a slow answer (slower than `slowFactor` × the server's usual
 * latency, which follows drops at once and rises by 0.2% of the gap per answer, and than `slowMs`) shrinks it by a quarter —
 * the server queues our writes, which only delays everyone's, its controllers' too; a healthy answer grows
 * it by 1/limit (about one more per round of writes), except during the cool-down after a decrease, so the limit
 * settles just under what the server accepts instead of bouncing off it. The throttled write itself waits for
 * the server's Retry-After and is tried again (client.ts), as client-go does; the others go on at the new limit.
 */

export interface FlowSettings {
  /** The limit to start from. */
  readonly initial: number;
  readonly min: number;
  readonly max: number;
  /** An answer slower than `slowFactor` × the usual latency and than `slowMs` (ms) is a sign of overload. */
  readonly slowMs: number;
  readonly slowFactor: number;
  /** After a decrease, further bad signals within this time (ms) neither decrease nor increase it. */
  readonly cooldownMs: number;
}

export const FLOW_DEFAULTS: FlowSettings = {
  initial: 8,
  min: 1,
  max: 64,
  slowMs: 500,
  slowFactor: 4,
  cooldownMs: 1000,
};

export interface FlowState {
  /** Writes allowed in flight (fractional: grows by 1/limit per healthy answer). */
  readonly limit: number;
  /** The server's usual latency (ms; 0 = none seen yet). */
  readonly usualMs: number;
  /** When the limit last went down (ms). */
  readonly lastDecrease: number;
  /** Counters, for metrics and the bench. */
  readonly throttled: number;
  readonly failed: number;
  readonly slow: number;
}

/** What one write's answer said. */
export type FlowSignal =
  | { readonly kind: "ok"; readonly ms: number }
  /** 429 or 503 with the server's Retry-After (seconds) when it gave one. */
  | { readonly kind: "throttled"; readonly retryAfterSeconds?: number }
  /** Other 5xx, a timeout or a broken connection. */
  | { readonly kind: "failed" }
  /** A 4xx other than 429: the request was wrong, the server is fine. */
  | { readonly kind: "rejected" };

export function initialFlow(s: FlowSettings = FLOW_DEFAULTS): FlowState {
  return { limit: s.initial, usualMs: 0, lastDecrease: Number.NEGATIVE_INFINITY, throttled: 0, failed: 0, slow: 0 };
}

/** Writes that may be in flight now. */
export function allowed(state: FlowState): number {
  return Math.max(1, Math.floor(state.limit));
}

function decrease(state: FlowState, factor: number, now: number, s: FlowSettings): FlowState {
  if (now - state.lastDecrease < s.cooldownMs) return state;
  return { ...state, limit: Math.max(s.min, state.limit * factor), lastDecrease: now };
}

export function nextFlow(
  state: FlowState,
  signal: FlowSignal,
  now: number,
  s: FlowSettings = FLOW_DEFAULTS,
): FlowState {
  switch (signal.kind) {
    case "ok": {
      const usualMs =
        state.usualMs === 0 ? signal.ms : Math.min(signal.ms, state.usualMs + (signal.ms - state.usualMs) * 0.002);
      if (signal.ms > s.slowMs && signal.ms > s.slowFactor * state.usualMs && state.usualMs > 0)
        return { ...decrease(state, 0.75, now, s), usualMs, slow: state.slow + 1 };
      if (now - state.lastDecrease < s.cooldownMs) return { ...state, usualMs };
      return { ...state, usualMs, limit: Math.min(s.max, state.limit + 1 / Math.max(1, state.limit)) };
    }
    case "throttled":
      return { ...decrease(state, 0.5, now, s), throttled: state.throttled + 1 };
    case "failed":
      return { ...decrease(state, 0.5, now, s), failed: state.failed + 1 };
    case "rejected":
      return state;
  }
}

/** Delay before the attempt after `attempt` failed ones (1-based): Retry-After when given, else doubling with jitter. */
export function retryDelayMs(attempt: number, retryAfterSeconds: number | undefined, random = Math.random): number {
  if (retryAfterSeconds !== undefined) return Math.min(30_000, retryAfterSeconds * 1000) + random() * 250;
  const base = Math.min(16_000, 250 * 2 ** (attempt - 1));
  return base / 2 + random() * (base / 2);
}

/** The signal of an HTTP status (undefined status = transport error), and the answer's latency. */
export function signalOf(status: number | undefined, ms: number, retryAfter?: string): FlowSignal {
  if (status === 429 || status === 503) {
    const n = retryAfter === undefined ? Number.NaN : Number(retryAfter);
    return { kind: "throttled", retryAfterSeconds: Number.isFinite(n) && n >= 0 ? n : undefined };
  }
  if (status === undefined || status >= 500) return { kind: "failed" };
  if (status >= 400 && status !== 404 && status !== 409) return { kind: "rejected" };
  return { kind: "ok", ms };
}
