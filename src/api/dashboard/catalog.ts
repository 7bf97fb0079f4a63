/**
 * What soa-configs says about the services of this cluster, for the pages: each service's description, link
 * and owner team, and its instances here (long-running ones resolved by the reconciler's own `desiredState`,
 * which caches each service until its files change; jobs by name). Services whose config is broken are listed
 * with their problems, as the reconciler leaves them running as they are.
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { listInstances } from "../../config/instances.js";
import { LONG_RUNNING_TYPES } from "../../config/kinds.js";
import { formatProblem } from "../../config/problem.js";
import { fileValue, readServiceDir } from "../../config/soa.js";
import type { SystemConfig } from "../../config/system.js";
import type { ResolvedInstanceConfig } from "../../config/types.js";
import type { DesiredApp } from "../../model/app.js";
import { desiredState } from "../../reconcile/desired.js";

export interface CatalogInstance {
  readonly service: string;
  readonly instance: string;
  readonly deployGroup: string | null;
  /** The resolved config, when the service's config is valid. */
  readonly config?: ResolvedInstanceConfig;
  /** The deployed version, when the deploy group has a deployment. */
  readonly app?: DesiredApp;
}

export interface CatalogService {
  readonly name: string;
  readonly description: string | null;
  readonly externalLink: string | null;
  readonly team: string | null;
  readonly instances: readonly CatalogInstance[];
  /** Tron jobs of this cluster. */
  readonly jobs: readonly string[];
  /** Why the config cannot be used (the reconciler leaves the service as it runs). */
  readonly problems: readonly string[];
}

interface ServiceFacts {
  readonly description: string | null;
  readonly externalLink: string | null;
  readonly team: string | null;
  readonly longRunning: readonly string[];
  readonly jobs: readonly string[];
}

/** What each service directory says, re-read only when one of its YAML files changes. */
const factsCache = new Map<string, { stamp: string; facts: ServiceFacts }>();

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

function text(v: unknown): string | null {
  return typeof v === "string" && v !== "" ? v : null;
}

export function serviceFacts(soaDir: string, service: string, cluster: string): ServiceFacts {
  const dir = join(soaDir, service);
  let key: string;
  try {
    key = `${cluster}|${dirStamp(dir)}`;
  } catch {
    return { description: null, externalLink: null, team: null, longRunning: [], jobs: [] };
  }
  const hit = factsCache.get(dir);
  if (hit && hit.stamp === key) return hit.facts;
  const svc = readServiceDir(soaDir, service);
  const refs = listInstances(svc, [cluster]);
  const jobs = refs.filter((r) => r.kind === "tron").map((r) => r.instance.split(".")[0] as string);
  const facts: ServiceFacts = {
    description: text(fileValue(svc, "service").description),
    externalLink: text(fileValue(svc, "service").external_link),
    team: text(fileValue(svc, "monitoring").team),
    longRunning: refs.filter((r) => (LONG_RUNNING_TYPES as readonly string[]).includes(r.kind)).map((r) => r.instance),
    jobs: [...new Set(jobs)],
  };
  factsCache.set(dir, { stamp: key, facts });
  return facts;
}

/** Every service of the tree with its instances on `cluster`. */
export function catalog(soaDir: string, system: SystemConfig | undefined, cluster: string): CatalogService[] {
  const desired = desiredState(soaDir, system, cluster);
  const apps = new Map<string, DesiredApp[]>();
  for (const a of desired.apps) apps.set(a.service, [...(apps.get(a.service) ?? []), a]);
  const undeployed = new Map<string, Array<{ instance: string; deploy_group: string }>>();
  for (const u of desired.undeployed) undeployed.set(u.service, [...(undeployed.get(u.service) ?? []), u]);
  return desired.services.map((name) => {
    const facts = serviceFacts(soaDir, name, cluster);
    const problems = (desired.frozen.get(name) ?? []).map(formatProblem);
    const instances: CatalogInstance[] = facts.longRunning.map((instance) => {
      const app = apps.get(name)?.find((a) => a.instance === instance);
      const u = undeployed.get(name)?.find((x) => x.instance === instance);
      return {
        service: name,
        instance,
        deployGroup: app?.config.deploy_group ?? u?.deploy_group ?? null,
        config: app?.config,
        app,
      };
    });
    const team = facts.team ?? instances.find((i) => i.config?.monitoring.team)?.config?.monitoring.team ?? null;
    const { description, externalLink, jobs } = facts;
    return { name, description, externalLink, team, instances, jobs, problems };
  });
}
