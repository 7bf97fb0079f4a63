/**
 * wait-for-deployment (reference §3.6): poll each instance of a deploy group, on every cluster, until it runs
 * only the new version with enough ready replicas; report progress; give up after a timeout.
 */
import type { ApiClient } from "../api/client.js";
import type { BounceStatus } from "../model/status.js";

/** The fields of the API's bounce_status that the wait reads. */
export type BounceStatusBody = Pick<
  BounceStatus,
  "expected_instance_count" | "running_instance_count" | "desired_state" | "deploy_status" | "active_versions"
>;

export interface WaitTarget {
  readonly cluster: string;
  readonly instance: string;
  readonly marginFactor: number;
}

export interface Progress {
  readonly target: WaitTarget;
  readonly done: boolean;
  /** Ready replicas on the new version / expected, when known. */
  readonly ready: number;
  readonly expected: number;
  readonly detail: string;
  /** Why it is not done yet, in the status's words ("health check failed 3/3: HTTP 500 from /status"). */
  readonly reason?: string;
}

/** Whether an instance is done deploying `sha` (PaaSTA's rules), and why not. */
export function instanceDone(
  b: BounceStatusBody,
  sha: string,
  marginFactor: number,
): { done: boolean; detail: string } {
  if (b.expected_instance_count === 0 || b.desired_state === "stop")
    return { done: true, detail: "stopped or scaled to 0" };
  const shas = [...new Set(b.active_versions.map((v) => v[0]))];
  if (!shas.some((s) => s.startsWith(sha)))
    return { done: false, detail: `not running ${sha.slice(0, 8)} yet (${b.deploy_status})` };
  if (shas.length > 1)
    return {
      done: false,
      detail: `old versions still running: ${shas
        .filter((s) => !s.startsWith(sha))
        .map((s) => s.slice(0, 8))
        .join(", ")}`,
    };
  const needed = Math.ceil(marginFactor * b.expected_instance_count);
  if (b.running_instance_count < needed)
    return { done: false, detail: `${b.running_instance_count}/${b.expected_instance_count} ready (need ${needed})` };
  return { done: true, detail: `${b.running_instance_count}/${b.expected_instance_count} ready` };
}

export async function checkTargets(
  clients: ReadonlyMap<string, ApiClient>,
  service: string,
  sha: string,
  targets: readonly WaitTarget[],
): Promise<Progress[]> {
  return Promise.all(
    targets.map(async (target) => {
      const client = clients.get(target.cluster);
      if (!client) return { target, done: false, ready: 0, expected: 0, detail: "no API endpoint for this cluster" };
      try {
        const r = await client.get<BounceStatusBody & { message?: string }>(
          `/v1/services/${service}/${target.instance}/bounce_status`,
        );
        if (r.status === 204) return { target, done: true, ready: 0, expected: 0, detail: "not bounceable" };
        if (r.status !== 200)
          return { target, done: false, ready: 0, expected: 0, detail: r.body?.message ?? `HTTP ${r.status}` };
        const { done, detail } = instanceDone(r.body, sha, target.marginFactor);
        const onNew = r.body.active_versions.some((v) => v[0].startsWith(sha)) && r.body.active_versions.length === 1;
        return {
          target,
          done,
          ready: onNew ? r.body.running_instance_count : 0,
          expected: r.body.expected_instance_count,
          detail,
        };
      } catch (e) {
        return { target, done: false, ready: 0, expected: 0, detail: (e as Error).message };
      }
    }),
  );
}

export interface WaitOptions {
  readonly timeoutMs: number;
  readonly pollMs?: number;
  /** Ask each unfinished instance's status why (its deploy_status_message) this often (default 5 s)… */
  readonly diagnosisMs?: number;
  /** …from this long after the start (default 0). */
  readonly firstDiagnosisMs?: number;
  readonly onProgress?: (p: readonly Progress[]) => void;
}

/** The status's own words for why an instance is not done, or undefined when it has none. */
async function diagnose(client: ApiClient | undefined, service: string, instance: string): Promise<string | undefined> {
  try {
    const r = await client?.get<{ deploy_status_message?: string | null; error_message?: string | null }>(
      `/v1/services/${service}/${instance}/status`,
    );
    if (r?.status !== 200) return undefined;
    return r.body.deploy_status_message ?? r.body.error_message ?? undefined;
  } catch {
    return undefined;
  }
}

/** Polls until every target is done (true) or the timeout passes (false). */
export async function waitForTargets(
  clients: ReadonlyMap<string, ApiClient>,
  service: string,
  sha: string,
  targets: readonly WaitTarget[],
  o: WaitOptions,
): Promise<{ ok: boolean; last: Progress[] }> {
  const started = Date.now();
  const deadline = started + o.timeoutMs;
  let last: Progress[] = [];
  let lastDiagnosis = Number.NEGATIVE_INFINITY;
  const reasons = new Map<WaitTarget, string>();
  for (;;) {
    last = await checkTargets(clients, service, sha, targets);
    const now = Date.now();
    if (now - started >= (o.firstDiagnosisMs ?? 0) && now - lastDiagnosis >= (o.diagnosisMs ?? 5000)) {
      lastDiagnosis = now;
      await Promise.all(
        last
          .filter((p) => !p.done)
          .map(async (p) => {
            const why = await diagnose(clients.get(p.target.cluster), service, p.target.instance);
            if (why) reasons.set(p.target, why);
          }),
      );
    }
    last = last.map((p) => (p.done || !reasons.has(p.target) ? p : { ...p, reason: reasons.get(p.target) }));
    o.onProgress?.(last);
    if (last.every((p) => p.done)) return { ok: true, last };
    if (Date.now() >= deadline) return { ok: false, last };
    await new Promise((r) => setTimeout(r, Math.min(o.pollMs ?? 1000, Math.max(0, deadline - Date.now()))));
  }
}
