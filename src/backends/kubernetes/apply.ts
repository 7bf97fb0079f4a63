/**
 * Applying one desired app against what runs (a LiveState): the namespace once, its Secrets (secrets.ts: per
 * service secret, shared by the service's instances, so not a companion), the workload, then the objects
 * rendered beside it (COMPANIONS: HPA, PDB; a kind added per app is one more entry), each written only when
 * the live object differs (drift.ts). Namespace moves: the new copy is created (for downthenup only after the
 * old one is gone) and the old copy removed once the new one is ready.
 */
import type { DesiredApp } from "../../model/app.js";
import type { ApplyResult, SecretReader } from "../backend.js";
import type { Kube } from "./client.js";
import { firstDifference } from "./drift.js";
import { isDeleting, type Live, type LiveState } from "./live.js";
import type { KubeObject } from "./render/types.js";
import { type RenderedApp, renderApp } from "./render/workload.js";
import { syncSecrets } from "./secrets.js";
import { isWorkload, type RolloutWindow } from "./window.js";

/** Objects rendered beside the workload, by kind: applied when rendered, deleted when not (and live). */
export const COMPANIONS: ReadonlyArray<{
  readonly apiVersion: string;
  readonly kind: string;
  readonly pick: (r: RenderedApp) => KubeObject | undefined;
}> = [
  { apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", pick: (r) => r.hpa },
  { apiVersion: "policy/v1", kind: "PodDisruptionBudget", pick: (r) => r.pdb },
];

export interface ApplyContext {
  readonly kube: Kube;
  readonly live: LiveState;
  /** Why each object was last written (what differed), for `paasta reconcile -v` and tests. */
  readonly lastDrift: Map<string, string>;
  /** Namespace creations in flight (several apps of one namespace are applied at once). */
  readonly namespaceWrites: Map<string, Promise<void>>;
  /** How SECRET() values are decrypted for the app's Secrets (secrets.ts); absent: apps with secrets fail. */
  readonly secrets?: SecretReader;
  /** Paces workload writes by the controllers' progress (window.ts); absent without a watched copy. */
  readonly rollouts?: RolloutWindow;
}

export async function applyApp(c: ApplyContext, app: DesiredApp): Promise<ApplyResult> {
  const copies = c.live.copies(app);
  const namespace = app.config.namespace;
  const here = copies.find((w) => w.metadata.namespace === namespace);
  const elsewhere = copies.filter((w) => w.metadata.namespace !== namespace);
  const rendered = renderApp(app, { currentReplicas: here?.spec?.replicas });
  let wrote = await ensureNamespace(c, rendered);
  // The Secrets first: the pods of a new template find their (rotated) values.
  wrote = (await syncSecrets(c.kube, c.live, app, c.secrets)) || wrote;
  if ((!here || isDeleting(here)) && elsewhere.length > 0 && app.config.bounce_method === "downthenup") {
    // Only one copy at a time: remove the old one and create the new one when it is gone.
    for (const old of elsewhere) if (!isDeleting(old)) await removeCopy(c, old);
    return "updated";
  }
  // An autoscaled workload's replica count belongs to the HPA: not compared (and rendered as it is live).
  wrote = (await applyIfDifferent(c, rendered.workload, here, app.config.autoscaled ? ["spec.replicas"] : [])) || wrote;
  for (const companion of COMPANIONS) {
    const live = c.live.get(companion.kind, namespace, rendered.name);
    const want = companion.pick(rendered);
    if (want) wrote = (await applyIfDifferent(c, want, live)) || wrote;
    else if (live && !isDeleting(live)) {
      await c.kube.delete(companion.apiVersion, companion.kind, namespace, rendered.name);
      c.live.noteDeleted(companion.kind, namespace, rendered.name);
      wrote = true;
    }
  }
  if (here && elsewhere.length > 0 && (here.status?.readyReplicas ?? 0) >= (here.spec?.replicas ?? 0)) {
    for (const old of elsewhere) if (!isDeleting(old)) await removeCopy(c, old);
    wrote = true;
  }
  if (!wrote) return "unchanged";
  return here ? "updated" : "created";
}

/**
 * Creates the namespace once, even when several of its apps are applied at the same time; true if written.
 * Its workloads are written once the ServiceAccount controller has made the namespace's `default` account: a
 * pod created before is refused, and the ReplicaSet controller then retries it only after a growing back-off,
 * which delays the first replicas of a new namespace by seconds to minutes on a busy cluster.
 */
async function ensureNamespace(c: ApplyContext, rendered: RenderedApp): Promise<boolean> {
  if (c.live.hasNamespace(rendered.namespace)) return false;
  let p = c.namespaceWrites.get(rendered.namespace);
  if (p) {
    await p;
    return false;
  }
  p = c.kube
    .apply(rendered.namespaceObject)
    .then((answer) => c.live.noteApplied(answer))
    .then(() => defaultServiceAccount(c.kube, rendered.namespace));
  c.namespaceWrites.set(rendered.namespace, p);
  try {
    await p;
  } finally {
    c.namespaceWrites.delete(rendered.namespace);
  }
  return true;
}

/** Waits (up to 30 s, then goes on) until the namespace's `default` ServiceAccount exists. */
async function defaultServiceAccount(kube: Kube, namespace: string): Promise<void> {
  const end = Date.now() + 30_000;
  for (let delay = 50; Date.now() < end; delay = Math.min(1000, delay * 2)) {
    if (await kube.get("v1", "ServiceAccount", namespace, "default")) return;
    await new Promise((r) => setTimeout(r, delay));
  }
}

/**
 * Applies `obj` unless `live` already says everything it says (drift.ts); `ignore` lists paths not compared.
 * Records what differed in lastDrift. Returns whether it wrote.
 */
async function applyIfDifferent(
  c: ApplyContext,
  obj: KubeObject,
  live: KubeObject | undefined,
  ignore: readonly string[] = [],
): Promise<boolean> {
  // Being deleted: written again once it is gone (the watch's DELETED event wakes the next pass).
  if (live && isDeleting(live)) return false;
  const compared = ignore.includes("spec.replicas") ? withoutReplicas(obj) : obj;
  const drift = live
    ? (firstDifference(compared.spec, live.spec, "spec") ??
      firstDifference(compared.metadata.labels, live.metadata.labels, "metadata.labels") ??
      firstDifference(compared.metadata.annotations, live.metadata.annotations, "metadata.annotations"))
    : "absent";
  if (!drift) return false;
  c.lastDrift.set(`${obj.kind}/${obj.metadata.namespace}/${obj.metadata.name}`, drift);
  const slot = isWorkload(obj.kind) ? await c.rollouts?.enter() : undefined;
  let answer: KubeObject;
  try {
    answer = await c.kube.apply(obj);
  } catch (e) {
    slot?.cancel();
    throw e;
  }
  c.live.noteApplied(answer);
  slot?.started(answer);
  return true;
}

/** Deletes one copy of a workload (foreground: its pods go first) and its companions. */
export async function removeCopy(c: ApplyContext, w: Live): Promise<void> {
  const ns = w.metadata.namespace;
  await c.kube.delete("apps/v1", w.kind, ns, w.metadata.name, "Foreground");
  c.live.noteDeleted(w.kind, ns, w.metadata.name);
  for (const companion of COMPANIONS) {
    if (!c.live.get(companion.kind, ns, w.metadata.name)) continue;
    await c.kube.delete(companion.apiVersion, companion.kind, ns, w.metadata.name);
    c.live.noteDeleted(companion.kind, ns, w.metadata.name);
  }
}

function withoutReplicas(o: KubeObject): KubeObject {
  const spec = { ...(o.spec as Record<string, unknown>) };
  delete spec.replicas;
  return { ...o, spec };
}
