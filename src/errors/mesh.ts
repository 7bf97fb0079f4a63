/** The mesh (smartstack.yaml): discovery, the local proxy, mesh_status. */
import type { ErrorDef } from "./def.js";

export const MESH_ERRORS = {
  PAASTA_MESH_UNSUPPORTED: {
    message: "cluster {cluster} has no mesh data plane to ask about {what}",
    fix: "mesh_status is served by `paasta up` (its HAProxy) and by `paasta api` for Kubernetes clusters (their Services); check that api_endpoints.{cluster} points at one of them.",
    exit: 1,
    http: 405,
  },
} as const satisfies Record<string, ErrorDef>;
