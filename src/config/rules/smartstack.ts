/**
 * smartstack.yaml rules: name lengths, discover within advertise, registrations naming existing namespaces;
 * proxy_port uniqueness is tree-wide (validate.ts).
 */
import { splitRegistration } from "../naming.js";
import type { Problem } from "../problem.js";
import { fileValue, readServiceDir, type ServiceDir } from "../soa.js";
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

/**
 * Explicit `registrations` must name a namespace that exists: `SERVICE.NAMESPACE` with NAMESPACE in SERVICE's
 * smartstack.yaml (the default registration, the instance's own name, needs none: such an instance is simply
 * not in the mesh).
 */
export function checkRegistrationNamespaces(ctx: RuleContext): CheckResult {
  const problems: Problem[] = [];
  const namespaces = new Map<string, Set<string> | null>();
  const namespacesOf = (service: string): Set<string> | null => {
    if (!namespaces.has(service)) {
      let svc: ServiceDir | null = service === ctx.svc.name ? ctx.svc : null;
      if (!svc) {
        try {
          svc = readServiceDir(ctx.soaDir, service);
        } catch {
          svc = null;
        }
      }
      namespaces.set(service, svc ? new Set(Object.keys(fileValue(svc, "smartstack"))) : null);
    }
    return namespaces.get(service) ?? null;
  };
  for (const inst of ctx.instances) {
    if (!inst.explicit.includes("registrations")) continue;
    inst.registrations.forEach((reg, i) => {
      const parts = splitRegistration(reg);
      if (!parts) return; // checkRegistrations reports the shape
      const known = namespacesOf(parts.service);
      const message =
        known === null
          ? `registration "${reg}": there is no service "${parts.service}" in this soa-configs tree`
          : known.has(parts.namespace)
            ? null
            : `registration "${reg}": ${parts.service}/smartstack.yaml has no namespace "${parts.namespace}"${known.size > 0 ? ` (it has: ${[...known].sort().join(", ")})` : ""}`;
      if (message) problems.push(locatedIn(ctx, inst.type, inst.cluster, [inst.instance, "registrations", i], message));
    });
  }
  return { ok: "All registrations name an existing namespace", problems };
}
