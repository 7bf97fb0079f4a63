/**
 * PaaSTA's secrets check: every SECRET(name) / SHARED_SECRET(name) reference (env values of instances and Tron
 * actions, secret_volumes) has a secrets file with a ciphertext for the secret environment of the cluster it is
 * configured in (`vault_cluster_map[cluster]`, else the cluster's name). Problems are located at the reference.
 */
import { readSecretFile, type SecretLocation, secretLocation } from "../../secrets/files.js";
import type { SecretFileData } from "../../secrets/format.js";
import { formatSecretRef, parseSecretRef, type SecretRef } from "../../secrets/refs.js";
import type { PathSegment, Problem } from "../problem.js";
import type { FileKind } from "../schema/index.js";
import { type CheckResult, locatedIn, type RuleContext, tronActionPath } from "./context.js";

export function checkSecrets(ctx: RuleContext): CheckResult {
  const problems: Problem[] = [];
  const files = new Map<string, SecretFileData | string | undefined>();
  const read = (loc: SecretLocation) => {
    if (!files.has(loc.path)) {
      try {
        files.set(loc.path, readSecretFile(loc));
      } catch (e) {
        files.set(loc.path, (e as Error).message);
      }
    }
    return files.get(loc.path);
  };
  const check = (ref: SecretRef | undefined, kind: FileKind, cluster: string, path: PathSegment[]) => {
    if (!ref) return;
    const message = referenceProblem(ctx, ref, cluster, read);
    if (message) problems.push(locatedIn(ctx, kind, cluster, path, message));
  };
  for (const inst of ctx.instances) {
    for (const [k, v] of Object.entries(inst.env))
      check(parseSecretRef(v), inst.type, inst.cluster, [inst.instance, "env", k]);
    inst.secret_volumes.forEach((sv, i) => {
      if (typeof sv.secret_name === "string")
        check({ name: sv.secret_name, shared: false }, inst.type, inst.cluster, [
          inst.instance,
          "secret_volumes",
          i,
          "secret_name",
        ]);
    });
  }
  for (const job of ctx.jobs) {
    for (const action of job.actions) {
      const at = tronActionPath(ctx, job.cluster, job.name, action.name);
      for (const [k, v] of Object.entries(action.env)) check(parseSecretRef(v), "tron", job.cluster, [...at, "env", k]);
    }
  }
  return { ok: "All SECRET() references have a ciphertext for their cluster's secret environment", problems };
}

/** What is wrong with one reference in one cluster, or undefined. */
function referenceProblem(
  ctx: RuleContext,
  ref: SecretRef,
  cluster: string,
  read: (loc: SecretLocation) => SecretFileData | string | undefined,
): string | undefined {
  const shown = formatSecretRef(ref);
  const loc = secretLocation(ctx.soaDir, ctx.svc.name, ref);
  const file = read(loc);
  if (file === undefined)
    return `${shown} refers to a secret with no file ${loc.display} (create it with \`paasta secret add\`)`;
  if (typeof file === "string") return `${shown}: ${file}`;
  const environment = ctx.system?.secretEnvironment(cluster) ?? cluster;
  if (file.environments[environment]?.ciphertext) return undefined;
  const who = ref.shared ? "--shared" : `-s ${ctx.svc.name}`;
  return `${shown} has no ciphertext for secret environment ${environment} (cluster ${cluster}) in ${loc.display} (add it with \`paasta secret update ${who} -n ${ref.name} -c ${cluster}\`)`;
}
