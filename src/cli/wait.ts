/** Waiting for a deploy group to run a SHA everywhere, with live progress (shared by two commands). */
import type { SystemConfig } from "../config/system.js";
import { PaastaError } from "../errors.js";
import { type Io, marks } from "./io.js";
import { clientsFor, longRunningTargets } from "./targets.js";

export async function waitForDeployment(
  io: Io,
  o: {
    soaDir: string;
    system: SystemConfig;
    service: string;
    sha: string;
    deployGroup: string;
    timeoutSeconds: number;
    pollMs?: number;
  },
): Promise<boolean> {
  const { waitForTargets } = await import("../deploy/wait.js");
  const targets = await longRunningTargets(o.soaDir, o.system, o.service, { deployGroup: o.deployGroup });
  const m = marks(io);
  if (targets.length === 0) {
    io.out(m.ok(`No long-running instance uses deploy group ${o.deployGroup}: nothing to wait for`));
    return true;
  }
  const clients = await clientsFor(o.system, new Set(targets.map((t) => t.cluster)));
  let lastText = "";
  const started = Date.now();
  const r = await waitForTargets(clients, o.service, o.sha, targets, {
    timeoutMs: o.timeoutSeconds * 1000,
    pollMs: o.pollMs,
    onProgress: (ps) => {
      const done = ps.filter((p) => p.done).length;
      const text = `${done}/${ps.length} instances on ${o.sha.slice(0, 8)}: ${ps.map((p) => `${p.target.cluster}.${p.target.instance} ${p.done ? "✓" : p.detail}`).join("; ")}`;
      if (text === lastText) return;
      lastText = text;
      io.out(`${m.dim(`[${Math.round((Date.now() - started) / 1000)}s]`)} ${text}`);
    },
  });
  if (r.ok)
    io.out(
      m.ok(
        `${o.service} ${o.deployGroup} runs ${o.sha.slice(0, 8)} everywhere (${Math.round((Date.now() - started) / 1000)}s)`,
      ),
    );
  else {
    const stuck = r.last.filter((p) => !p.done).map((p) => `${p.target.cluster}.${p.target.instance}: ${p.detail}`);
    io.out(m.fail(`Timed out after ${o.timeoutSeconds}s waiting for ${o.sha.slice(0, 8)}: ${stuck.join("; ")}`));
  }
  return r.ok;
}

export function deployTimeout(service: string, group: string, sha: string, seconds: number): PaastaError {
  return new PaastaError("PAASTA_DEPLOY_TIMEOUT", {
    service,
    detail: `${service} ${group} did not finish deploying ${sha.slice(0, 8)} within ${seconds}s`,
  });
}
