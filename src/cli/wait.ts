/** Waiting for a deploy group to run a SHA everywhere, with live progress (shared by two commands). */
import type { SystemConfig } from "../config/system.js";
import type { Progress } from "../deploy/wait.js";
import { PaastaError } from "../errors.js";
import { type Io, marks } from "./io.js";
import { clientsFor, longRunningTargets } from "./targets.js";

export interface WaitRequest {
  soaDir: string;
  system: SystemConfig;
  service: string;
  sha: string;
  deployGroup: string;
  timeoutSeconds: number;
  pollMs?: number;
  diagnosisMs?: number;
  firstDiagnosisMs?: number;
  /** Warn once when this percent of the timeout has passed (mark-for-deployment -w/--warn). */
  warnPercent?: number;
  /** Progress goes to stderr and the caller prints a JSON result. */
  json?: boolean;
}

export interface WaitResult {
  readonly ok: boolean;
  readonly seconds: number;
  readonly instances: ReadonlyArray<{
    cluster: string;
    instance: string;
    done: boolean;
    detail: string;
    reason: string | null;
  }>;
}

/** One instance's words: its progress detail, and the status's reason when it has one. */
export function progressText(p: Progress): string {
  if (p.done) return "✓";
  return p.reason && !p.detail.includes(p.reason) ? `${p.detail}: ${p.reason}` : p.detail;
}

export async function waitForDeployment(io: Io, o: WaitRequest): Promise<WaitResult> {
  const { waitForTargets } = await import("../deploy/wait.js");
  const targets = await longRunningTargets(o.soaDir, o.system, o.service, { deployGroup: o.deployGroup });
  const m = marks(io);
  const say = o.json ? io.err : io.out;
  if (targets.length === 0) {
    say(m.ok(`No long-running instance uses deploy group ${o.deployGroup}: nothing to wait for`));
    return { ok: true, seconds: 0, instances: [] };
  }
  const clients = await clientsFor(o.system, new Set(targets.map((t) => t.cluster)));
  let lastText = "";
  let warned = false;
  const started = Date.now();
  const elapsed = () => Math.round((Date.now() - started) / 1000);
  const r = await waitForTargets(clients, o.service, o.sha, targets, {
    timeoutMs: o.timeoutSeconds * 1000,
    pollMs: o.pollMs,
    diagnosisMs: o.diagnosisMs,
    firstDiagnosisMs: o.firstDiagnosisMs,
    onProgress: (ps) => {
      const done = ps.filter((p) => p.done).length;
      const text = `${done}/${ps.length} instances on ${o.sha.slice(0, 8)}: ${ps.map((p) => `${p.target.cluster}.${p.target.instance} ${progressText(p)}`).join("; ")}`;
      if (!warned && o.warnPercent && elapsed() >= (o.timeoutSeconds * o.warnPercent) / 100 && done < ps.length) {
        warned = true;
        say(m.warn(`Still deploying after ${elapsed()}s (${o.warnPercent}% of the ${o.timeoutSeconds}s timeout)`));
      }
      if (text === lastText) return;
      lastText = text;
      say(`${m.dim(`[${elapsed()}s]`)} ${text}`);
    },
  });
  if (r.ok) say(m.ok(`${o.service} ${o.deployGroup} runs ${o.sha.slice(0, 8)} everywhere (${elapsed()}s)`));
  else {
    const stuck = r.last
      .filter((p) => !p.done)
      .map((p) => `${p.target.cluster}.${p.target.instance}: ${progressText(p)}`);
    say(m.fail(`Timed out after ${o.timeoutSeconds}s waiting for ${o.sha.slice(0, 8)}: ${stuck.join("; ")}`));
  }
  return {
    ok: r.ok,
    seconds: elapsed(),
    instances: r.last.map((p) => ({
      cluster: p.target.cluster,
      instance: p.target.instance,
      done: p.done,
      detail: p.detail,
      reason: p.reason ?? null,
    })),
  };
}

export function deployTimeout(service: string, group: string, sha: string, seconds: number): PaastaError {
  return new PaastaError("PAASTA_DEPLOY_TIMEOUT", {
    service,
    detail: `${service} ${group} did not finish deploying ${sha.slice(0, 8)} within ${seconds}s`,
  });
}

/** A positive number of seconds from a flag, else a PAASTA_CLI_BAD_VALUE. */
export function seconds(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0)
    throw new PaastaError("PAASTA_CLI_BAD_VALUE", {
      flag,
      detail: `"${value}" is not a number of seconds`,
      hint: "Give seconds as a number, e.g. 10 or 0.5.",
    });
  return n;
}
