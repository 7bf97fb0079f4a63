/** Reading and writing SERVICE/deployments.json: atomically, and only when the content changes. */
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Control, DeploymentsJson, V2Deployment } from "./deployments.js";

export const DEPLOYMENTS_FILE = "deployments.json";

export function deploymentsPath(soaDir: string, service: string): string {
  return join(soaDir, service, DEPLOYMENTS_FILE);
}

/** The file's content, or undefined when it is missing or not valid JSON. */
export function readDeployments(soaDir: string, service: string): DeploymentsJson | undefined {
  try {
    const parsed = JSON.parse(readFileSync(deploymentsPath(soaDir, service), "utf8")) as Partial<DeploymentsJson>;
    if (!parsed || typeof parsed !== "object" || !parsed.v2) return undefined;
    return parsed as DeploymentsJson;
  } catch {
    return undefined;
  }
}

/** Writes through a temporary file and a rename; returns false (and writes nothing) when nothing changed. */
export function writeDeploymentsIfChanged(soaDir: string, service: string, content: DeploymentsJson): boolean {
  const path = deploymentsPath(soaDir, service);
  const text = `${JSON.stringify(content, null, 2)}\n`;
  let old: string | undefined;
  try {
    old = readFileSync(path, "utf8");
  } catch {
    old = undefined;
  }
  if (old !== undefined && sameJson(old, content)) return false;
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
  return true;
}

function sameJson(text: string, content: DeploymentsJson): boolean {
  try {
    return JSON.stringify(canonical(JSON.parse(text))) === JSON.stringify(canonical(content));
  } catch {
    return false;
  }
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v !== null && typeof v === "object") {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

/** The deployment of a deploy group (v2). */
export function deploymentFor(d: DeploymentsJson | undefined, deployGroup: string): V2Deployment | undefined {
  return d?.v2.deployments[deployGroup];
}

/** The control of an instance (v2); Tron actions always start (PaaSTA does not use controls for them). */
export function controlFor(
  d: DeploymentsJson | undefined,
  service: string,
  cluster: string,
  instance: string,
): Control {
  return d?.v2.controls[`${service}:${cluster}.${instance}`] ?? { desired_state: "start", force_bounce: null };
}
