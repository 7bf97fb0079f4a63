/**
 * Services that share a git repository share its control tags: `paasta-CLUSTER.INSTANCE-TS-stop` in a monorepo
 * stops that instance of every service deployed from it (PaaSTA's tag semantics). Which other instances a
 * start/stop/restart reaches, so the CLI can say so before doing it.
 */
import { join } from "node:path";
import { listServiceNames, readServiceDir } from "../config/soa.js";
import type { SystemConfig } from "../config/system.js";
import { readYamlFile } from "../config/yaml.js";
import { type Branch, controlBranches } from "./branches.js";
import { resolveGitUrl } from "./git-url.js";

export interface SharedInstance {
  readonly service: string;
  readonly cluster: string;
  readonly instance: string;
}

/** The git_url of a service as its service.yaml says, resolved; undefined when none or unreadable. */
function gitUrlOf(soaDir: string, service: string): string | undefined {
  const dir = join(soaDir, service);
  const read = readYamlFile(join(dir, "service.yaml"), `${service}/service.yaml`);
  if (!read.ok) return undefined;
  const value = read.doc.value as { git_url?: unknown } | null;
  const url = value && typeof value === "object" ? value.git_url : undefined;
  return typeof url === "string" && url !== "" ? resolveGitUrl(url, dir) : undefined;
}

/**
 * Long-running instances of OTHER services of the tree, deployed from the same repository as `service`, that
 * the control tags of `selected` (cluster.instance names) also reach. Services that cannot be read are skipped.
 */
export function sharedControlTargets(
  soaDir: string,
  system: SystemConfig | undefined,
  service: string,
  selected: readonly Pick<Branch, "cluster" | "instance">[],
): SharedInstance[] {
  const url = gitUrlOf(soaDir, service);
  if (url === undefined || selected.length === 0) return [];
  const names = new Set(selected.map((b) => `${b.cluster}.${b.instance}`));
  const out: SharedInstance[] = [];
  for (const other of listServiceNames(soaDir)) {
    if (other === service || gitUrlOf(soaDir, other) !== url) continue;
    let branches: Branch[];
    try {
      branches = controlBranches(readServiceDir(soaDir, other), system).branches;
    } catch {
      continue;
    }
    for (const b of branches) {
      if (b.kind === "tron" || b.kind === "adhoc" || !names.has(`${b.cluster}.${b.instance}`)) continue;
      out.push({ service: other, cluster: b.cluster, instance: b.instance });
    }
  }
  return out;
}
