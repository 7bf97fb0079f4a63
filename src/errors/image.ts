/** Images: builds, pushes, the registry. */
import type { ErrorDef } from "./def.js";

export const IMAGE_ERRORS = {
  PAASTA_REGISTRY_UNREACHABLE: {
    message: "cannot reach the image registry {registry}: {detail}",
    fix: "Check docker_registry (system config, or the service's service.yaml) and that the registry answers GET /v2/; registries on 127.0.0.1 are spoken to over plain HTTP, others over HTTPS.",
    exit: 3,
    http: 503,
  },
  PAASTA_REGISTRY_REFUSED: {
    message: "the image registry {registry} refused access: {detail}",
    fix: "Log in (`docker login {registry}` writes the credentials paasta reads from $DOCKER_CONFIG/config.json or ~/.docker/config.json) and check that you may read and push the repository.",
    exit: 1,
    http: 502,
  },
  PAASTA_NO_DOCKER_REGISTRY: {
    message: "no image registry is configured for {service}",
    fix: "Set docker_registry in the system config (e.g. registry.example.org), or in {service}/service.yaml of soa-configs.",
    exit: 2,
    http: 500,
  },
  PAASTA_NO_IMAGE_RECIPE: {
    message: "{dir} has neither a Dockerfile nor a Makefile with a cook-image target",
    fix: "Run the command in the service's repository (the current directory, as in PaaSTA); it needs a Dockerfile, or a `cook-image` Makefile target that builds $(DOCKER_TAG).",
    exit: 2,
    http: 400,
  },
  PAASTA_IMAGE_BUILD_FAILED: {
    message: "building {image} failed: {detail}",
    fix: "Read the build output above, fix the Dockerfile (or the Makefile's cook-image target), then run `paasta cook-image` again.",
    exit: 1,
    http: 500,
  },
  PAASTA_MAKE_FAILED: {
    message: "`make {target}` {detail}",
    fix: "Read its output above; reproduce it in the service's repository with `DOCKER_TAG={image} make {target}`.",
    exit: 1,
    http: 500,
  },
  PAASTA_IMAGE_NOT_BUILT: {
    message: "image {image} is not in the local engine ({where})",
    fix: "Build it first: `paasta cook-image -s {service} -c {sha}` in the service's repository.",
    exit: 1,
    http: 404,
  },
  PAASTA_IMAGE_PUSH_FAILED: {
    message: "pushing {image} failed: {detail}",
    fix: "Check that the registry runs and that you may push to it (`docker login REGISTRY`), then run `paasta push-to-registry` again.",
    exit: 1,
    http: 502,
  },
  PAASTA_IMAGE_NOT_FOUND: {
    message: "image {image} is not in the registry",
    fix: "Build and push it first (CI usually does): `paasta cook-image -s {service} -c {sha}` then `paasta push-to-registry -s {service} -c {sha}`; `paasta verify-image-exists --wait` waits for it.",
    exit: 1,
    http: 404,
  },
  PAASTA_IMAGE_PULL_FAILED: {
    message: "pulling {image} failed: {detail}",
    fix: "Check that the image exists (`paasta verify-image-exists`), that the engine can reach the registry, and your credentials (`docker login REGISTRY`).",
    exit: 1,
    http: 502,
  },
} as const satisfies Record<string, ErrorDef>;
