/**
 * tronctl's identifiers: SERVICE.JOB (a job), SERVICE.JOB.RUN (a run), SERVICE.JOB.RUN.ACTION (an action of a
 * run). Names are letters, digits, '_' and '-' (never a dot); RUN is a number.
 */
import type { JobTarget } from "./wire.js";

const NAME = /^[A-Za-z0-9_-]+$/;

export type ParsedId = { readonly target: JobTarget } | { readonly error: string };

export function parseJobId(id: string): ParsedId {
  const parts = id.split(".");
  if (parts.length < 2 || parts.length > 4) return { error: "it needs two to four dot-separated parts" };
  const [service, job, run, action] = parts as [string, string, string | undefined, string | undefined];
  const bad = [service, job, ...(action !== undefined ? [action] : [])].find((p) => !NAME.test(p));
  if (bad !== undefined) return { error: `"${bad}" is not a name (letters, digits, '_' and '-')` };
  if (run !== undefined && !/^\d+$/.test(run)) return { error: `the run "${run}" is not a number` };
  return {
    target: {
      service,
      job,
      ...(run !== undefined ? { run: Number(run) } : {}),
      ...(action !== undefined ? { action } : {}),
    },
  };
}
