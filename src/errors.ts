/**
 * The error catalogue: every error paasta reports to a user is created here, from a stable code.
 *
 * Each entry carries a message template (`{name}` placeholders), a "how to fix" text, the CLI exit code and
 * the HTTP status the API answers with. `docs/errors.md` lists every code; a test keeps the two in step.
 * Retired codes MUST NOT be reused: move them to RETIRED_CODES instead.
 */

export interface ErrorDef {
  /** What went wrong, with `{placeholders}` filled from the error's params. */
  readonly message: string;
  /** How to solve it: shown under the message in the CLI and returned by the API. */
  readonly fix: string;
  /** CLI exit code: 1 failure, 2 usage / bad input, 3 unavailable dependency. */
  readonly exit: 1 | 2 | 3;
  /** HTTP status for the API. */
  readonly http: number;
}

export const ERRORS = {
  PAASTA_USAGE: {
    message: "{detail}",
    fix: "Run the command with --help to see its flags and an example.",
    exit: 2,
    http: 400,
  },
  PAASTA_CONFIG_INVALID: {
    message: "{count} problem(s) found in soa-configs",
    fix: "Fix each located problem listed above, then run `paasta validate` again.",
    exit: 1,
    http: 422,
  },
  PAASTA_YAML_SYNTAX: {
    message: "{file}:{line}:{col}: YAML syntax error: {detail}",
    fix: "Correct the YAML at that position (indentation, quoting, a missing colon).",
    exit: 1,
    http: 422,
  },
  PAASTA_SOA_DIR_MISSING: {
    message: "soa-configs directory {dir} does not exist or is not a directory",
    fix: "Pass -d/--soa-dir DIR (or -y), set PAASTA_SOA_DIR, or set `soa_dir` in the system config.",
    exit: 2,
    http: 500,
  },
  PAASTA_SERVICE_NOT_FOUND: {
    message: "service {service} not found in {dir}",
    fix: "Check the spelling with `paasta list`, or pass the right -d/--soa-dir.",
    exit: 1,
    http: 404,
  },
  PAASTA_INSTANCE_NOT_FOUND: {
    message: "instance {instance} of service {service} is not configured in cluster {cluster}",
    fix: "List the service's instances with `paasta list -i` or `paasta info -s SERVICE`.",
    exit: 1,
    http: 404,
  },
  PAASTA_SYSTEM_CONFIG_MISSING: {
    message: "system config directory {dir} does not exist",
    fix: "Create it with *.json files (see docs/system-config.md) or point PAASTA_SYSTEM_CONFIG_DIR at one.",
    exit: 2,
    http: 500,
  },
  PAASTA_SYSTEM_CONFIG_UNREADABLE: {
    message: "{file}: {detail}",
    fix: "Make the file valid JSON whose top level is an object.",
    exit: 2,
    http: 500,
  },
  PAASTA_SYSTEM_CONFIG_DUPLICATE_KEY: {
    message: "system config key {key} is set by both {first} and {second}",
    fix: "Keep the key in one of the two files: system config files are merged and must not overlap.",
    exit: 2,
    http: 500,
  },
  PAASTA_SYSTEM_CONFIG_KEY_MISSING: {
    message: "system config key {key} is not set in any *.json file under {dir}",
    fix: "Add {key} to a file in {dir}; see docs/system-config.md for its format.",
    exit: 2,
    http: 500,
  },
  PAASTA_SYSTEM_CONFIG_INVALID: {
    message: "system config key {key} (from {file}): {detail}",
    fix: "Correct the value; see docs/system-config.md for the expected format.",
    exit: 2,
    http: 500,
  },
  PAASTA_CLUSTER_UNKNOWN: {
    message: "cluster {cluster} is not listed in the system config key `clusters` ({known})",
    fix: "Add the cluster to `clusters` in the system config, or pick one of the listed clusters.",
    exit: 2,
    http: 404,
  },
  PAASTA_SERVICE_EXISTS: {
    message: "service directory {dir} already exists",
    fix: "Pick another service name, or remove the directory first.",
    exit: 1,
    http: 409,
  },
  PAASTA_NO_GIT_URL: {
    message: "service {service} has no git_url in service.yaml and none was given",
    fix: "Set git_url in {service}/service.yaml (any git URL or path), or pass -u/--git-url.",
    exit: 2,
    http: 400,
  },
  PAASTA_GIT_UNREACHABLE: {
    message: "cannot reach git remote {url}: {detail}",
    fix: "Check the URL (git_url in service.yaml or -u), your network and your credentials; `git ls-remote {url}` must work.",
    exit: 3,
    http: 503,
  },
  PAASTA_GIT_UNKNOWN_SHA: {
    message: "commit {sha} is not in {url}",
    fix: "Push the commit to the service's repository first, or check the SHA (`git log` shows the full SHA).",
    exit: 2,
    http: 400,
  },
  PAASTA_GIT_PUSH_FAILED: {
    message: "could not push tag {tag} to {url}: {detail}",
    fix: "Check that you may push tags to the repository; nothing was changed.",
    exit: 1,
    http: 502,
  },
  PAASTA_DEPLOY_GROUP_UNKNOWN: {
    message: "deploy group {group} is not a step of {service}/deploy.yaml (steps: {known})",
    fix: "Use one of the listed deploy groups, or add a step for it to deploy.yaml.",
    exit: 2,
    http: 400,
  },
  PAASTA_NOT_DEPLOYED: {
    message: "{what} has no deployment yet: deploy group {group} was never marked for deployment",
    fix: "Run `paasta mark-for-deployment -s SERVICE -c SHA -l {group}` first.",
    exit: 1,
    http: 404,
  },
  PAASTA_ROLLBACK_UNKNOWN_SHA: {
    message: "{sha} was never deployed to {group}",
    fix: "Pick a version from the history (`paasta rollback -s SERVICE -l {group}`), or pass --force.",
    exit: 1,
    http: 400,
  },
  PAASTA_NO_INSTANCES_MATCH: {
    message: "no instance of {service} matches {filters}",
    fix: "List the service's instances with `paasta list -i` and adjust -c/-i/-l.",
    exit: 2,
    http: 404,
  },
  PAASTA_ABORTED: {
    message: "aborted: {detail}",
    fix: "Nothing was changed. Re-run with --yes to confirm without a prompt.",
    exit: 1,
    http: 400,
  },
  PAASTA_API_UNAUTHORIZED: {
    message: "write refused: {detail}",
    fix: "Send `Authorization: Bearer TOKEN` with the system config's api_auth_token (or $PAASTA_API_TOKEN).",
    exit: 2,
    http: 401,
  },
  PAASTA_API_UNREACHABLE: {
    message: "cannot reach the paasta API of cluster {cluster} at {url}: {detail}",
    fix: "Start it (`paasta up --cluster {cluster}` or `paasta api --cluster {cluster}`), or fix api_endpoints.{cluster} in the system config.",
    exit: 3,
    http: 503,
  },
  PAASTA_API_ERROR: {
    message: "the paasta API of cluster {cluster} answered {status}: {detail}",
    fix: "Read the message; `paasta status` and `paasta logs` show more about the instance.",
    exit: 1,
    http: 502,
  },
  PAASTA_DEPLOY_TIMEOUT: {
    message: "{detail}",
    fix: "Look at `paasta status -s {service} -v` and `paasta logs -s {service}` to see why the new version is not healthy.",
    exit: 1,
    http: 504,
  },
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
  PAASTA_CONTAINER_FAILED: {
    message: "could not run the container of {what}: {detail}",
    fix: "Read the engine's message; `paasta local-run --dry-run` shows what would run, and `docker logs`/`docker inspect` show more.",
    exit: 1,
    http: 500,
  },
  PAASTA_PIPELINE_INVALID: {
    message: "the pipeline of {service} cannot run: {detail}",
    fix: "Fix deploy.yaml at the place named (`paasta validate -s {service}` checks it); see docs/pipeline.md.",
    exit: 1,
    http: 422,
  },
  PAASTA_PIPELINE_NOT_FOUND: {
    message: "no pipeline of {service}{which} is recorded in {url}",
    fix: "Start one with `paasta pipeline run -s {service} -k SHA` (in the service's repository, -k defaults to HEAD).",
    exit: 1,
    http: 404,
  },
  PAASTA_PIPELINE_BUSY: {
    message: "the pipeline of {service} {sha} is being run by {runner}",
    fix: "Watch it with `paasta pipeline status -s {service} -k {sha}`. If that process is gone, wait {stale} for its heartbeat to lapse (another machine) and run again; on the same machine a dead runner is noticed at once.",
    exit: 1,
    http: 409,
  },
  PAASTA_PIPELINE_NOT_PAUSED: {
    message: "the pipeline of {service} {sha} is not paused at a gate (its status: {status})",
    fix: "`paasta pipeline status -s {service}` shows where it is. Only a pipeline paused by trigger_next_step_manually or confirmation_required can be continued; a stopped or interrupted one resumes with `paasta pipeline run`.",
    exit: 1,
    http: 409,
  },
  PAASTA_PIPELINE_FAILED: {
    message: "the pipeline of {service} {sha} failed at {detail}",
    fix: "`paasta pipeline status -s {service} -k {sha}` shows each step's log. Fix it in a new commit, or re-run the failed steps with `paasta pipeline run --retry` (a deploy group is never marked twice for one commit).",
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

export type ErrorCode = keyof typeof ERRORS;

/** Codes that were used once and are gone; never reuse them. */
export const RETIRED_CODES: readonly string[] = [];

/** An error from the catalogue. `params` fill the message's placeholders and travel to API clients. */
export class PaastaError extends Error {
  readonly code: ErrorCode;
  readonly params: Readonly<Record<string, string | number>>;
  readonly fix: string;
  readonly exitCode: number;
  readonly httpStatus: number;

  constructor(code: ErrorCode, params: Record<string, string | number> = {}, options?: { cause?: unknown }) {
    const def: ErrorDef = ERRORS[code];
    super(fill(def.message, params), options);
    this.name = "PaastaError";
    this.code = code;
    this.params = params;
    this.fix = fill(def.fix, params);
    this.exitCode = def.exit;
    this.httpStatus = def.http;
  }

  toJSON(): { code: string; message: string; fix: string } {
    return { code: this.code, message: this.message, fix: this.fix };
  }
}

function fill(template: string, params: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : String(value);
  });
}

export function isPaastaError(e: unknown): e is PaastaError {
  return e instanceof PaastaError;
}
