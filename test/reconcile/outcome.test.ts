/** Reconcile outcomes: which failures a retry can help (pure). */
import { describe, expect, it } from "vitest";
import { PaastaError } from "../../src/errors.js";
import { describeOutcome, outcomeError } from "../../src/reconcile/outcome.js";

describe("outcomeError", () => {
  it("an unavailable dependency (exit code 3) is retryable; a rejected object is not", () => {
    const down = outcomeError(new PaastaError("PAASTA_KUBERNETES_UNREACHABLE", { cluster: "c", detail: "x" }));
    expect(down).toMatchObject({ code: "PAASTA_KUBERNETES_UNREACHABLE", retryable: true });
    const rejected = outcomeError(new PaastaError("PAASTA_KUBERNETES_REJECTED", { cluster: "c", detail: "422" }));
    expect(rejected).toMatchObject({ code: "PAASTA_KUBERNETES_REJECTED", retryable: false });
  });

  it("transient system errors are retryable, other errors are not", () => {
    expect(outcomeError(Object.assign(new Error("reset"), { code: "ECONNRESET" })).retryable).toBe(true);
    expect(outcomeError(new Error("boom"))).toEqual({ code: "PAASTA_INTERNAL", message: "boom", retryable: false });
  });
});

describe("describeOutcome", () => {
  const item = { action: "delete" as const, service: "s", instance: "i", reason: "no longer configured" };
  it("names the app, what happened and why", () => {
    expect(describeOutcome({ kind: "deleted", item })).toBe("s.i: deleted — no longer configured");
    expect(describeOutcome({ kind: "deferred", item })).toBe("s.i: deferred (write budget) — no longer configured");
    const error = { code: "X", message: "refused", retryable: false };
    expect(describeOutcome({ kind: "failed", item, error })).toBe("s.i: error (refused) — no longer configured");
  });
});
