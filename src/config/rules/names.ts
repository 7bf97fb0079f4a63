/** Naming rules: service names, instance name lengths, unique instance names per cluster across types. */

import { sanitiseForKubernetes } from "../naming.js";
import { instanceNames } from "../resolve/index.js";
import { type InstanceType, LONG_RUNNING_TYPES } from "../schema/index.js";
import { type CheckResult, locatedIn, type RuleContext } from "./context.js";

const SERVICE_NAME = /^[a-z0-9]([a-z0-9_-]*[a-z0-9])?$/;

export function checkServiceName(ctx: RuleContext): CheckResult {
  const name = ctx.svc.name;
  // Reported against the service's directory (`NAME/`), whether or not file names carry the tree prefix.
  const file = ctx.svc.displayPrefix || `${name}/`;
  const problems = [];
  if (!SERVICE_NAME.test(name)) {
    problems.push({
      file,
      message: `service name "${name}" must use lowercase letters, digits, '_' and '-', and start and end with a letter or digit`,
    });
  } else if (sanitiseForKubernetes(name).length > 63) {
    problems.push({
      file,
      message: `service name "${name}" is too long: ${sanitiseForKubernetes(name).length} characters once sanitised ('_' counts 2); the limit is 63`,
    });
  }
  return { ok: `Service name ${name} is valid`, problems };
}

export function checkInstanceNames(ctx: RuleContext): CheckResult {
  const problems = [];
  const types: InstanceType[] = [...LONG_RUNNING_TYPES, "adhoc"];
  for (const cluster of ctx.clusters) {
    const seen = new Map<string, InstanceType>();
    for (const kind of types) {
      for (const name of instanceNames(ctx.svc, kind, cluster)) {
        const first = seen.get(name);
        if (first) {
          problems.push(
            locatedIn(
              ctx,
              kind,
              cluster,
              [name],
              `instance "${name}" is also defined in ${first}-${cluster}.yaml: instance names must be unique in a cluster across file types`,
              "key",
            ),
          );
        } else seen.set(name, kind);
        const length = sanitiseForKubernetes(name).length;
        if (length > 63) {
          problems.push(
            locatedIn(
              ctx,
              kind,
              cluster,
              [name],
              `instance name is ${length} characters once sanitised ('_' counts 2); the limit is 63`,
              "key",
            ),
          );
        }
      }
    }
  }
  return { ok: `All ${ctx.svc.name}'s instance names are unique in each cluster`, problems };
}
