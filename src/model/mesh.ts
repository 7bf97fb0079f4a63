/**
 * The mesh (smartstack.yaml, reference §1.11) as the platform moves it around: the routes a reconcile pass
 * publishes (one per namespace: HAProxy frontends on the local runtime, Services on Kubernetes), the tasks
 * registered in each (the local proxy's servers), and `mesh_status`'s wire shape. The zod schemas are the
 * source of the API's shapes, as in status.ts.
 */
import { z } from "@hono/zod-openapi";
import type { ResolvedNamespace } from "../config/types.js";

/** An instance registered in a route, as the route needs it (Kubernetes: where its pods run, their port). */
export interface RouteMember {
  readonly service: string;
  readonly instance: string;
  /** The Kubernetes namespace of the instance's pods. */
  readonly namespace: string;
  readonly container_port: number;
}

/** A namespace of a service's smartstack.yaml as a cluster should publish it. */
export interface DesiredRoute {
  /** `SERVICE.NAMESPACE`. */
  readonly registration: string;
  readonly service: string;
  readonly settings: ResolvedNamespace;
  /** The deployed long-running instances registered in it on this cluster, sorted. */
  readonly members: readonly RouteMember[];
}

/** A route as a backend publishes it now. */
export interface ObservedRoute {
  readonly registration: string;
  readonly service: string;
  /** Its settings as last published, when the backend keeps them (drift is the backend's to judge). */
  readonly settings?: ResolvedNamespace;
}

/** One task in one namespace, and whether the proxy should send it requests. */
export interface MeshMember {
  readonly registration: string;
  readonly task: string;
  readonly service: string;
  readonly instance: string;
  readonly host: string;
  readonly port: number;
  /** The instance's `weight` (traffic splits by replica count × weight). */
  readonly weight: number;
  /** up: in rotation; draining: no new requests, in-flight ones finish; down: starting or failing its check. */
  readonly state: MeshState;
  readonly healthy: boolean;
}

export const MeshState = z.enum(["up", "draining", "down"]).openapi("MeshState");
export type MeshState = z.infer<typeof MeshState>;

export const MeshBackend = z
  .object({
    task: z.string(),
    service: z.string(),
    instance: z.string(),
    /** host:port of the task (local) or pod IP:port (Kubernetes). */
    address: z.string(),
    state: MeshState,
    healthy: z.boolean(),
    /** Requests in flight on this backend (HAProxy's scur); null when the data plane does not say. */
    sessions: z.number().int().nullable(),
    weight: z.number().int().nullable(),
  })
  .openapi("MeshBackend");
export type MeshBackend = Readonly<z.infer<typeof MeshBackend>>;

export const MeshNamespaceStatus = z
  .object({
    /** `SERVICE.NAMESPACE`. */
    name: z.string(),
    proxy_port: z.number().int().nullable(),
    /** Where clients connect (`127.0.0.1:PORT` locally, the Service's DNS name on Kubernetes), when served. */
    address: z.string().nullable(),
    /** Whether the data plane serves the namespace now (a listening frontend, an existing Service). */
    served: z.boolean(),
    backends: z.array(MeshBackend).readonly(),
  })
  .openapi("MeshNamespaceStatus");
export type MeshNamespaceStatus = Readonly<z.infer<typeof MeshNamespaceStatus>>;

export const MeshStatus = z
  .object({
    service: z.string(),
    instance: z.string(),
    cluster: z.string(),
    /** The data plane: whether it runs, in words ("HAProxy 2.6 serving 2 namespaces", "HAProxy not installed…"). */
    proxy: z.object({ available: z.boolean(), detail: z.string() }),
    namespaces: z.array(MeshNamespaceStatus).readonly(),
  })
  .openapi("MeshStatus");
export type MeshStatus = Readonly<z.infer<typeof MeshStatus>>;
