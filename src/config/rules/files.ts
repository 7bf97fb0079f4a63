/** Rules about which files exist: monitoring.yaml beside service.yaml, secrets files for SECRET() references. */
import { join } from "node:path";
import { SECRET_REF } from "../patterns.js";
import type { Problem } from "../problem.js";
import { fileExists, findFile } from "../soa.js";
import { type CheckResult, displayName, locatedIn, type RuleContext, tronActionPath } from "./context.js";

export function checkMonitoringFile(ctx: RuleContext): CheckResult {
  const problems: Problem[] = [];
  if (findFile(ctx.svc, "service") && !findFile(ctx.svc, "monitoring")) {
    problems.push({
      file: displayName(ctx, "monitoring.yaml"),
      message: "file is missing: every service with a service.yaml needs a monitoring.yaml (with at least `team:`)",
    });
  }
  return { ok: "Service has a monitoring.yaml file", problems };
}

/** SECRET(name) → SERVICE/secrets/name.json; SHARED_SECRET(name) → _shared/secrets/name.json. */
export function checkSecrets(ctx: RuleContext): CheckResult {
  const problems: Problem[] = [];
  const check = (value: string, where: () => Problem) => {
    const m = SECRET_REF.exec(value);
    if (!m) return;
    const shared = m[1] !== undefined;
    const name = m[2] ?? "";
    const path = shared
      ? join(ctx.soaDir, "_shared", "secrets", `${name}.json`)
      : join(ctx.svc.dir, "secrets", `${name}.json`);
    if (!fileExists(path)) {
      const expected = shared ? `_shared/secrets/${name}.json` : `${ctx.svc.name}/secrets/${name}.json`;
      const p = where();
      problems.push({
        ...p,
        message: `${value} refers to a secret with no file ${expected} (create it with \`paasta secret add\`)`,
      });
    }
  };
  for (const inst of ctx.instances) {
    for (const [k, v] of Object.entries(inst.env))
      check(v, () => locatedIn(ctx, inst.type, inst.cluster, [inst.instance, "env", k], ""));
    inst.secret_volumes.forEach((sv, i) => {
      if (typeof sv.secret_name === "string") {
        check(`SECRET(${sv.secret_name})`, () =>
          locatedIn(ctx, inst.type, inst.cluster, [inst.instance, "secret_volumes", i, "secret_name"], ""),
        );
      }
    });
  }
  for (const job of ctx.jobs) {
    for (const action of job.actions) {
      for (const [k, v] of Object.entries(action.env))
        check(v, () =>
          locatedIn(
            ctx,
            "tron",
            job.cluster,
            [...tronActionPath(ctx, job.cluster, job.name, action.name), "env", k],
            "",
          ),
        );
    }
  }
  return { ok: "All SECRET() references have a secrets file", problems };
}
