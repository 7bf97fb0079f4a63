/** Image names (reference §3.4): repository `services-SERVICE`, tag `paasta-SHA[-IMAGEVERSION]`. */

/** `services-SERVICE:paasta-SHA[-IV]`, relative to the registry (as deployments.json stores it). */
export function dockerImageName(service: string, sha: string, imageVersion?: string | null): string {
  return `services-${service}:paasta-${sha}${imageVersion ? `-${imageVersion}` : ""}`;
}

/** `REGISTRY/services-SERVICE:paasta-SHA[-IV]`: the full URL, also the DOCKER_TAG of `make cook-image`. */
export function dockerImageUrl(registry: string, service: string, sha: string, imageVersion?: string | null): string {
  return `${registry.replace(/\/+$/, "")}/${dockerImageName(service, sha, imageVersion)}`;
}

/** The git SHA and image version encoded in an image name or URL, or undefined. */
export function parseImageTag(image: string): { sha: string; imageVersion: string | null } | undefined {
  const m = /:paasta-([A-Za-z0-9]+)(?:-(.+))?$/.exec(image);
  return m ? { sha: m[1] as string, imageVersion: m[2] ?? null } : undefined;
}
