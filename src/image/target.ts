/**
 * Which image a command is about: the registry (the service's service.yaml `docker_registry`, else the system
 * config's), the full git SHA (HEAD of the service's repository by default) and the image version.
 */
import { execFileSync } from "node:child_process";
import type { SystemConfig } from "../config/system.js";
import { PaastaError } from "../errors.js";
import { dockerImageUrl } from "./naming.js";

export interface ImageTarget {
  readonly service: string;
  readonly sha: string;
  readonly imageVersion: string | null;
  readonly registry: string;
  /** `REGISTRY/services-S:paasta-SHA[-IV]` */
  readonly url: string;
}

/** `service.yaml: docker_registry` when the service's soa-configs directory is known, else the system config's. */
export async function registryFor(
  service: string,
  soaDir: string | undefined,
  system: SystemConfig | undefined,
): Promise<string> {
  if (soaDir) {
    try {
      const { readServiceDir, fileValue } = await import("../config/soa.js");
      const own = fileValue(readServiceDir(soaDir, service), "service").docker_registry;
      if (typeof own === "string" && own !== "") return own;
    } catch {
      // no soa-configs for it: the system config decides
    }
  }
  const fromSystem = system?.get("docker_registry");
  if (typeof fromSystem === "string" && fromSystem !== "") return fromSystem;
  throw new PaastaError("PAASTA_NO_DOCKER_REGISTRY", { service });
}

/** The full SHA of `commit` (default HEAD) in the git repository `dir`; a SHA as given when `dir` is no repo. */
export function resolveCommit(dir: string, commit: string | undefined): string {
  const rev = commit ?? "HEAD";
  try {
    return execFileSync("git", ["rev-parse", "--verify", "--quiet", `${rev}^{commit}`], {
      cwd: dir,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    if (commit && /^[0-9a-f]{40}$/i.test(commit)) return commit.toLowerCase();
    throw new PaastaError("PAASTA_USAGE", {
      detail: commit
        ? `${commit} is not a commit of the git repository ${dir} (pass the full 40-character SHA)`
        : `${dir} is not a git repository: run the command in the service's repository, or pass -c SHA`,
    });
  }
}

export function imageTarget(service: string, sha: string, imageVersion: string | null, registry: string): ImageTarget {
  return { service, sha, imageVersion, registry, url: dockerImageUrl(registry, service, sha, imageVersion) };
}

/** Splits `NAME:TAG` (the tag after the last colon that follows the last slash). */
export function splitTag(image: string): { repo: string; tag: string } {
  const slash = image.lastIndexOf("/");
  const colon = image.lastIndexOf(":");
  if (colon > slash) return { repo: image.slice(0, colon), tag: image.slice(colon + 1) };
  return { repo: image, tag: "latest" };
}
