/**
 * The desired state of a cluster: one DesiredApp per long-running instance that has a deployment, assembled
 * from the soa-configs tree, deployments.json and the system config. Services whose config cannot be read or
 * validated are *frozen*: reported, and left exactly as they run (never touched by the reconciler).
 */

import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { loadServiceDir } from "../config/file-check.js";
import { LONG_RUNNING_TYPES } from "../config/kinds.js";
import type { Problem } from "../config/problem.js";
import { generalProblems, instanceNames, resolveInstance } from "../config/resolve/index.js";
import { resolveNamespaces } from "../config/resolve/mesh.js";
import { findFile, listServiceNames, type ServiceDir } from "../config/soa.js";
import type { SystemConfig } from "../config/system.js";
import type { ResolvedInstanceConfig } from "../config/types.js";
import { controlFor, deploymentFor, readDeployments } from "../deploy/deployments-file.js";
import { resolveGitUrl } from "../deploy/git-url.js";
import { PaastaError } from "../errors.js";
import { dockerImageUrl } from "../image/naming.js";
import type { DesiredApp } from "../model/app.js";
import { type AutoscalingRecord, controlOf } from "../model/autoscaling.js";
import { secretSignatures } from "../secrets/index.js";
import { configHash } from "./hash.js";
import type { ServiceNamespace } from "./mesh-plan.js";

export type { DesiredApp };

export interface DesiredState {
  readonly cluster: string;
  readonly apps: DesiredApp[];
  /** Instances that have no deployment yet (skipped, not errors). */
  readonly undeployed: Array<{ service: string; instance: string; deploy_group: string }>;
  /** Services left exactly as they run because their config has problems. */
  readonly frozen: Map<string, Problem[]>;
  /**
   * Instances left exactly as they run because a secret they refer to cannot be delivered (no file, no
   * ciphertext for the cluster's environment): the rest of their service is applied as usual.
   */
  readonly held?: Array<{ service: string; instance: string; reason: string }>;
  /** Services of the tree (read or not). */
  readonly services: string[];
  /** The smartstack.yaml namespaces of the services that are not frozen. */
  readonly namespaces: ServiceNamespace[];
}

/**
 * Parsed, checked service directories, reused while none of their files changed (names, sizes, modification
 * times): a continuous reconciler re-reads only what was edited.
 */
const serviceCache = new Map<string, { stamp: string; svc: ServiceDir }>();

function dirStamp(dir: string): string {
  const parts: string[] = [];
  for (const f of readdirSync(dir).sort()) {
    if (!f.endsWith(".yaml")) continue;
    try {
      const st = statSync(join(dir, f));
      parts.push(`${f}:${st.size}:${st.mtimeMs}`);
    } catch {
      parts.push(`${f}:gone`);
    }
  }
  return parts.join("|");
}

function cachedServiceDir(soaDir: string, name: string): ServiceDir {
  const dir = join(soaDir, name);
  const stamp = dirStamp(dir);
  const hit = serviceCache.get(dir);
  if (hit && hit.stamp === stamp) return hit.svc;
  const svc = loadServiceDir(soaDir, name, `${name}/`);
  serviceCache.set(dir, { stamp, svc });
  return svc;
}

export function desiredReplicas(config: ResolvedInstanceConfig, desiredState: "start" | "stop"): number {
  if (desiredState === "stop") return 0;
  return config.autoscaled ? config.min_instances : config.instances;
}

/** Problems that freeze a service on `cluster`: its shared files, or its long-running files for the cluster. */
function blockingProblems(svc: ServiceDir, cluster: string): Problem[] {
  const own = LONG_RUNNING_TYPES.flatMap((k) => findFile(svc, k, cluster)?.problems ?? []);
  return [...generalProblems(svc), ...own];
}

export interface DesiredOptions {
  /** The cluster's autoscaling overrides and pause: attached to the apps they apply to (`app.autoscaling`). */
  readonly autoscaling?: AutoscalingRecord;
  /** The time overrides are compared with (ms since the epoch; tests pin it). */
  readonly now?: number;
}

export function desiredState(
  soaDir: string,
  system: SystemConfig | undefined,
  cluster: string,
  options: DesiredOptions = {},
): DesiredState {
  const services = listServiceNames(soaDir);
  const apps: DesiredApp[] = [];
  const undeployed: DesiredState["undeployed"] = [];
  const frozen = new Map<string, Problem[]>();
  const held: Held = [];
  const namespaces: ServiceNamespace[] = [];
  const systemKey = `${JSON.stringify(system?.data ?? {})}|${secretsDirStamp(join(soaDir, "_shared", "secrets"))}`;
  for (const name of services) {
    const r = serviceDesired(soaDir, name, system, cluster, systemKey);
    if (r.problems.length > 0) frozen.set(name, r.problems);
    else {
      apps.push(...r.apps);
      namespaces.push(...r.namespaces);
    }
    undeployed.push(...r.undeployed);
    held.push(...r.held);
  }
  const record = options.autoscaling;
  const now = options.now ?? Date.now();
  const controlled = record
    ? apps.map((app) => {
        const autoscaling = controlOf(record, app.config, now);
        return autoscaling ? { ...app, autoscaling } : app;
      })
    : apps;
  return { cluster, apps: controlled, undeployed, frozen, services, namespaces, held };
}

/**
 * The problems that freeze `service` on `cluster` (empty when it reconciles), as a pass computes them and
 * cached the same way: what the read paths show beside a frozen service's running state.
 */
export function frozenProblems(
  soaDir: string,
  system: SystemConfig | undefined,
  cluster: string,
  service: string,
): Problem[] {
  return serviceDesired(soaDir, service, system, cluster, JSON.stringify(system?.data ?? {})).problems;
}

type Held = NonNullable<DesiredState["held"]>;

interface ServiceDesired {
  readonly apps: DesiredApp[];
  readonly undeployed: DesiredState["undeployed"];
  readonly held: Held;
  /** Problems that freeze the service (it is then left as it runs). */
  readonly problems: Problem[];
  readonly namespaces: ServiceNamespace[];
}

/** Names, sizes and times of a `secrets/` directory's files ("" when it has none). */
function secretsDirStamp(dir: string): string {
  try {
    return readdirSync(dir)
      .sort()
      .map((f) => `${f}:${fileStamp(join(dir, f))}`)
      .join(",");
  } catch {
    return "";
  }
}

/** Each service's result, reused while its files, its deployments.json and the system config are unchanged. */
const desiredCache = new Map<string, { key: string; result: ServiceDesired }>();

function fileStamp(path: string): string {
  try {
    const st = statSync(path);
    return `${st.size}:${st.mtimeMs}`;
  } catch {
    return "-";
  }
}

function serviceDesired(
  soaDir: string,
  name: string,
  system: SystemConfig | undefined,
  cluster: string,
  systemKey: string,
): ServiceDesired {
  const dir = join(soaDir, name);
  let key: string;
  try {
    key = `${cluster}|${dirStamp(dir)}|${fileStamp(join(dir, "deployments.json"))}|${secretsDirStamp(join(dir, "secrets"))}|${systemKey}`;
  } catch (e) {
    return {
      apps: [],
      undeployed: [],
      held: [],
      problems: [{ file: `${name}/`, message: (e as Error).message }],
      namespaces: [],
    };
  }
  const hit = desiredCache.get(dir);
  if (hit && hit.key === key) return hit.result;
  const result = computeServiceDesired(soaDir, name, system, cluster);
  desiredCache.set(dir, { key, result });
  return result;
}

function computeServiceDesired(
  soaDir: string,
  name: string,
  system: SystemConfig | undefined,
  cluster: string,
): ServiceDesired {
  let svc: ServiceDir;
  try {
    svc = cachedServiceDir(soaDir, name);
  } catch (e) {
    return {
      apps: [],
      undeployed: [],
      held: [],
      problems: [{ file: `${name}/`, message: (e as Error).message }],
      namespaces: [],
    };
  }
  const blocking = blockingProblems(svc, cluster);
  if (blocking.length > 0) return { apps: [], undeployed: [], held: [], problems: blocking, namespaces: [] };
  const undeployed: DesiredState["undeployed"] = [];
  const held: Held = [];
  const deployments = readDeployments(soaDir, name);
  const serviceApps: DesiredApp[] = [];
  const problems: Problem[] = [];
  for (const kind of LONG_RUNNING_TYPES) {
    for (const instance of instanceNames(svc, kind, cluster)) {
      const r = resolveInstance(svc, system, cluster, instance, kind);
      if (!r.ok) {
        problems.push(...r.problems);
        continue;
      }
      const config = r.config;
      const deployment = deploymentFor(deployments, config.deploy_group);
      if (!deployment) {
        undeployed.push({ service: name, instance, deploy_group: config.deploy_group });
        continue;
      }
      const secrets = signaturesOf(soaDir, system, config);
      if (typeof secrets === "string") {
        held.push({ service: name, instance, reason: secrets });
        continue;
      }
      const control = controlFor(deployments, name, cluster, instance);
      const imageUrl = config.docker_registry
        ? dockerImageUrl(config.docker_registry, name, deployment.git_sha, deployment.image_version)
        : null;
      serviceApps.push({
        service: name,
        instance,
        cluster,
        config,
        git_sha: deployment.git_sha,
        image_version: deployment.image_version,
        docker_image: deployment.docker_image,
        image_url: imageUrl,
        git_url: config.git_url ? resolveGitUrl(config.git_url, svc.dir) : null,
        desired_state: control.desired_state,
        force_bounce: control.force_bounce,
        config_hash: configHash({
          config,
          git_sha: deployment.git_sha,
          image_version: deployment.image_version,
          image: imageUrl ?? deployment.docker_image,
          force_bounce: control.force_bounce,
          secrets,
        }),
        replicas: desiredReplicas(config, control.desired_state),
        ...(Object.keys(secrets).length > 0 ? { secret_signatures: secrets } : {}),
      });
    }
  }
  const namespaces = resolveNamespaces(svc).map((settings) => ({ service: name, settings }));
  return { apps: problems.length > 0 ? [] : serviceApps, undeployed, held, problems, namespaces };
}

/**
 * The signatures of the secrets an instance refers to (read from the files, no key needed), or why one cannot
 * be delivered (the instance is then left as it runs; its service's other instances go on).
 */
function signaturesOf(
  soaDir: string,
  system: SystemConfig | undefined,
  config: ResolvedInstanceConfig,
): Record<string, string> | string {
  try {
    return secretSignatures({
      soaDir,
      system,
      service: config.service,
      cluster: config.cluster,
      env: config.env,
      secretVolumes: config.secret_volumes as unknown as Readonly<Record<string, unknown>>[],
    });
  } catch (e) {
    if (e instanceof PaastaError && e.code.startsWith("PAASTA_SECRET")) return e.message;
    throw e;
  }
}
