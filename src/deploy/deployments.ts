/**
 * deployments.json (reference §3.3): which image each deploy group runs, and the start/stop controls of each
 * instance, computed from a remote's refs. Pure.
 */
import { dockerImageName } from "../image/naming.js";
import { controlStates, latestDeploys, type ParsedRefs } from "./tags.js";

export interface V2Deployment {
  readonly docker_image: string;
  readonly git_sha: string;
  readonly image_version: string | null;
}

export interface Control {
  readonly desired_state: "start" | "stop";
  readonly force_bounce: string | null;
}

export interface DeploymentsJson {
  readonly v1: Record<string, { docker_image: string; desired_state: "start" | "stop"; force_bounce: string | null }>;
  readonly v2: {
    readonly deployments: Record<string, V2Deployment>;
    readonly controls: Record<string, Control>;
  };
}

export function emptyDeployments(): DeploymentsJson {
  return { v1: {}, v2: { deployments: {}, controls: {} } };
}

/**
 * @param branches control branch `CLUSTER.INSTANCE` (Tron: `CLUSTER.JOB.ACTION`) → its deploy group
 */
export function computeDeployments(
  service: string,
  branches: ReadonlyMap<string, string>,
  parsed: ParsedRefs,
): DeploymentsJson {
  const out = emptyDeployments();
  const latest = latestDeploys(parsed);
  const states = controlStates(parsed);
  for (const branch of [...branches.keys()].sort()) {
    const dg = branches.get(branch) as string;
    const tag = latest.get(dg);
    if (!tag) continue;
    const image = dockerImageName(service, tag.sha, tag.imageVersion);
    const control = states.get(`${branch}\u0000${tag.sha}`);
    const desired = control?.state ?? "start";
    const forceBounce = control?.forceBounce ?? null;
    out.v2.deployments[dg] = { docker_image: image, git_sha: tag.sha, image_version: tag.imageVersion };
    out.v1[`${service}:paasta-${branch}`] = { docker_image: image, desired_state: desired, force_bounce: forceBounce };
    out.v2.controls[`${service}:${branch}`] = { desired_state: desired, force_bounce: forceBounce };
  }
  return out;
}
