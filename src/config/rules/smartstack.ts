/** smartstack.yaml rules: name lengths, discover within advertise; proxy_port uniqueness is tree-wide (validate.ts). */
import type { Problem } from "../problem.js";
import { fileValue } from "../soa.js";
import { type CheckResult, locatedIn, type RuleContext } from "./context.js";

export function checkSmartstack(ctx: RuleContext): CheckResult {
  const problems: Problem[] = [];
  const smartstack = fileValue(ctx.svc, "smartstack");
  for (const [ns, raw] of Object.entries(smartstack)) {
    if (ns.startsWith("_") || raw === null || typeof raw !== "object") continue;
    const entry = raw as Record<string, unknown>;
    const length = ctx.svc.name.length + ns.length;
    if (length > 118)
      problems.push(
        locatedIn(
          ctx,
          "smartstack",
          undefined,
          [ns],
          `service and namespace names are ${length} characters together; the limit is 118`,
          "key",
        ),
      );
    else if (typeof entry.proxy_port === "number" && length > 55) {
      problems.push(
        locatedIn(
          ctx,
          "smartstack",
          undefined,
          [ns],
          `service and namespace names are ${length} characters together; with a proxy_port the limit is 55`,
          "key",
        ),
      );
    }
    const advertise = Array.isArray(entry.advertise) ? (entry.advertise as string[]) : ["region"];
    const discover = typeof entry.discover === "string" ? entry.discover : "region";
    if (!advertise.includes(discover)) {
      problems.push(
        locatedIn(
          ctx,
          "smartstack",
          undefined,
          [ns, entry.discover !== undefined ? "discover" : "advertise"],
          `discover "${discover}" must be one of advertise (${advertise.join(", ")})`,
        ),
      );
    }
  }
  return { ok: "All SmartStack configs are valid", problems };
}
