/**
 * What happened to each item of a reconcile pass, as a discriminated union: callers switch on `kind`
 * instead of parsing strings. A failure says whether trying again later can help (`retryable`: the cluster
 * or a dependency was unavailable or busy) or not until the input changes (the cluster refused the object).
 */
import type { ApplyResult } from "../backends/backend.js";
import { isPaastaError } from "../errors.js";
import type { PlanItem } from "./plan.js";

export interface OutcomeError {
  readonly code: string;
  readonly message: string;
  readonly retryable: boolean;
}

export type Outcome =
  | { readonly kind: ApplyResult; readonly item: PlanItem }
  | { readonly kind: "deleted"; readonly item: PlanItem }
  /** Dry run: this would write. */
  | { readonly kind: "planned"; readonly item: PlanItem }
  /** The pass's write budget was spent; the next pass takes it. */
  | { readonly kind: "deferred"; readonly item: PlanItem }
  | { readonly kind: "failed"; readonly item: PlanItem; readonly error: OutcomeError };

export type OutcomeKind = Outcome["kind"];

const TRANSIENT_SYSTEM_ERRORS = new Set(["ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EPIPE", "EAI_AGAIN", "EBUSY"]);

/** Catalogue errors of an unavailable dependency (exit code 3) and transient system errors can be retried. */
export function outcomeError(e: unknown): OutcomeError {
  if (isPaastaError(e)) return { code: e.code, message: e.message, retryable: e.exitCode === 3 };
  const sys = (e as { code?: unknown }).code;
  const code = typeof sys === "string" ? sys : "PAASTA_INTERNAL";
  return { code, message: (e as Error)?.message ?? String(e), retryable: TRANSIENT_SYSTEM_ERRORS.has(code) };
}

/** Whether the outcome is worth a line in a log: something was written, deferred or failed. */
export function isNews(o: Outcome): boolean {
  return o.kind !== "unchanged";
}

/** `service.instance` of an item. */
export function itemName(item: PlanItem): string {
  return item.action === "apply" ? `${item.app.service}.${item.app.instance}` : `${item.service}.${item.instance}`;
}

/** One line: what happened and why. */
export function describeOutcome(o: Outcome): string {
  const what =
    o.kind === "failed" ? `error (${o.error.message})` : o.kind === "deferred" ? "deferred (write budget)" : o.kind;
  return `${itemName(o.item)}: ${what} — ${o.item.reason}`;
}
