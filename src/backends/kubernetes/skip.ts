/**
 * When `apply` may skip rendering: the app's inputs (the whole DesiredApp: resolved config, deployment,
 * controls, replicas) are what this process last verified, and the live objects are the versions it verified
 * against. Live versions are fingerprinted by what a controller's status update leaves alone (generation,
 * labels, annotations, deletion), so a Deployment's status churn during a rollout costs no render, while a
 * hand edit of its spec or labels does. Both are memoised per object: an unchanged app costs two map lookups.
 */
import { createHash } from "node:crypto";
import type { DesiredApp } from "../../model/app.js";
import { stableJson } from "../../model/stable-json.js";
import type { KubeObject } from "./render/types.js";

const inputs = new WeakMap<DesiredApp, string>();

/** A digest of everything an app's objects are rendered from (memoised: DesiredApps are reused while unchanged). */
export function inputHash(app: DesiredApp): string {
  let h = inputs.get(app);
  if (h === undefined) {
    h = createHash("md5").update(stableJson(app)).digest("hex");
    inputs.set(app, h);
  }
  return h;
}

const prints = new WeakMap<KubeObject, string>();

type Meta = KubeObject["metadata"] & {
  generation?: number;
  resourceVersion?: string;
  uid?: string;
  deletionTimestamp?: unknown;
};

/**
 * Annotations other than Kubernetes' own (`*.kubernetes.io/…`, `*.k8s.io/…`): the deployment controller sets
 * `deployment.kubernetes.io/revision` on every rollout, which must not count as a change to repair (it would
 * wake a pass per Deployment rolled). paasta renders none in those domains on its objects.
 */
export function ownAnnotations(a: Record<string, string> | undefined): Record<string, string> {
  if (!a) return {};
  const kubernetes = (k: string) => /^(?:[^/]*\.)?(?:kubernetes\.io|k8s\.io)\//.test(k);
  return Object.fromEntries(Object.entries(a).filter(([k]) => !kubernetes(k)));
}

/** What identifies a live object's spec and metadata (not its status); "-" for an absent object. */
export function fingerprint(o: KubeObject | undefined): string {
  if (!o) return "-";
  let f = prints.get(o);
  if (f === undefined) {
    const m = o.metadata as Meta;
    const version = m.generation ?? m.resourceVersion ?? "";
    f = `${m.uid ?? ""}:${version}:${m.deletionTimestamp ? "d" : ""}:${JSON.stringify(m.labels ?? {})}:${JSON.stringify(ownAnnotations(m.annotations))}`;
    prints.set(o, f);
  }
  return f;
}

/** What `apply` verified for an app: its inputs and the fingerprints of the live objects after the pass. */
export interface Verified {
  readonly input: string;
  readonly live: string;
}
