/** Rules about which files exist: monitoring.yaml beside service.yaml (secrets files: rules/secrets.ts). */
import type { Problem } from "../problem.js";
import { findFile } from "../soa.js";
import { type CheckResult, displayName, type RuleContext } from "./context.js";

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
