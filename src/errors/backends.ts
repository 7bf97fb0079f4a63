/** Backends (Kubernetes, the container engine) and internal errors. */
import type { ErrorDef } from "./def.js";

export const BACKENDS_ERRORS = {
  PAASTA_KUBERNETES_UNREACHABLE: {
    message: "cannot talk to the Kubernetes API of cluster {cluster}: {detail}",
    fix: "Check cluster_backends.{cluster} (kubeconfig, context) in the system config and that `kubectl get ns` works with it.",
    exit: 3,
    http: 503,
  },
  PAASTA_KUBERNETES_REJECTED: {
    message: "the Kubernetes API of cluster {cluster} refused a request: {detail}",
    fix: "Read the API server's message; check the instance's config (paasta validate) and the credentials' permissions (RBAC).",
    exit: 1,
    http: 502,
  },
  PAASTA_ENGINE_UNREACHABLE: {
    message: "cannot reach a container engine at {where}: {detail}",
    fix: "Start one and point DOCKER_HOST at its API socket: `dockerd` (Debian docker.io) listens on unix:///var/run/docker.sock; Podman: `podman system service --time=0 unix:///run/podman/podman.sock &` then DOCKER_HOST=unix:///run/podman/podman.sock. `paasta local-run --executor process` runs without an engine.",
    exit: 3,
    http: 503,
  },
  PAASTA_STATE_DIR_LOCKED: {
    message: "state dir {dir} is in use by another paasta up (pid {pid})",
    fix: "One paasta up per state dir: stop that one first (Ctrl-C), or give this cluster another state_dir. The lock goes with its holder, even when it is killed.",
    exit: 1,
    http: 409,
  },
  PAASTA_CONTAINER_FAILED: {
    message: "could not run the container of {what}: {detail}",
    fix: "Read the engine's message; `paasta local-run --dry-run` shows what would run, and `docker logs`/`docker inspect` show more.",
    exit: 1,
    http: 500,
  },
  PAASTA_INTERNAL: {
    message: "internal error: {detail}",
    fix: "This is a bug in paasta; please report it with the command you ran and this message.",
    exit: 1,
    http: 500,
  },
} as const satisfies Record<string, ErrorDef>;
