/**
 * The mesh's optional powers (docs/mesh.md), detected like the others in powers.ts:
 *
 * - `MeshRouter`: the backend publishes routes (smartstack.yaml namespaces). The reconcile pass observes,
 *   plans under the rails (reconcile/mesh-plan.ts) and applies them like apps. Kubernetes: a Service per
 *   namespace. Local: the routes are recorded for the proxy component, which serves them with HAProxy.
 * - `MeshMembership`: which tasks are registered in which route and whether they should take traffic (the
 *   local runtime; on Kubernetes the control plane's EndpointSlices do this from pod readiness).
 * - `MeshStatusReader`: PaaSTA's `mesh_status` of an instance as the data plane sees it.
 */
import type { AppRef } from "../model/app.js";
import type { DesiredRoute, MeshMember, MeshStatus, ObservedRoute } from "../model/mesh.js";
import type { ApplyResult } from "./backend.js";

export interface MeshRouter {
  /** Every route this platform published on the cluster (our records / managed label only). */
  observeRoutes(): Promise<ObservedRoute[]>;
  /** Converges one route; "unchanged" when nothing was written. */
  applyRoute(route: DesiredRoute): Promise<ApplyResult>;
  removeRoute(route: ObservedRoute): Promise<void>;
}

export interface MeshMembership {
  /** The published routes (what the proxy should serve). */
  meshRoutes(): DesiredRoute[];
  /** Every live task of every registration, with the state the proxy should give it. */
  meshMembers(): MeshMember[];
  /** An instance's registrations; undefined when the runtime does not run it. */
  registrationsOf(ref: AppRef): readonly string[] | undefined;
  /** Called after anything that may change routes or members; returns the unsubscribe function. */
  onMeshChange(fn: () => void): () => void;
}

export interface MeshStatusReader {
  /** The namespaces the instance registers in, with their backends; undefined when the instance is unknown. */
  meshStatus(ref: AppRef): Promise<MeshStatus | undefined>;
}

type Any = object;

export function canRouteMesh<B extends Any>(b: B): b is B & MeshRouter {
  const r = b as Partial<MeshRouter>;
  return typeof r.observeRoutes === "function" && typeof r.applyRoute === "function";
}

export function canListMeshMembers<B extends Any>(b: B): b is B & MeshMembership {
  return typeof (b as Partial<MeshMembership>).meshMembers === "function";
}

export function canReadMeshStatus<B extends Any>(b: B): b is B & MeshStatusReader {
  return typeof (b as Partial<MeshStatusReader>).meshStatus === "function";
}
