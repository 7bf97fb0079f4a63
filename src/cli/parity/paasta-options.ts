/**
 * PaaSTA's own command-line options, per command, as its argparse parsers define them (paasta_tools/cli/cmds/,
 * and paasta_tools/api/api.py for `paasta api`): the data the option-parity table of docs/compatibility.md is
 * generated from, held against our command definitions. Each entry lists every spelling PaaSTA accepts; one we
 * do not accept needs a `missing` reason. `positional` marks a positional argument.
 */

export interface PaastaOption {
  /** Every spelling PaaSTA accepts, e.g. ["-f", "-F", "--tail"]; a positional's metavar for positionals. */
  readonly flags: readonly string[];
  readonly positional?: boolean;
  /** How it behaves here when that differs from PaaSTA (shown in the table). */
  readonly note?: string;
  /** Why a spelling is not accepted here (required when any spelling is missing). */
  readonly missing?: string;
}

const SOA_D = { flags: ["-d", "--soa-dir"] } as const;
const SOA_Y = { flags: ["-y", "--yelpsoa-config-root"] } as const;
const SERVICE = { flags: ["-s", "--service"] } as const;
const POLLING = [
  { flags: ["--polling-interval"] },
  { flags: ["--diagnosis-interval"], note: "asks the status why an instance is not done" },
  { flags: ["--time-before-first-diagnosis"] },
] as const;

/** status/start/stop/restart's `add_instance_filter_arguments`. */
const FILTERS: readonly PaastaOption[] = [
  { flags: ["-s", "--service"], note: "guessed from the current directory when omitted, as in PaaSTA" },
  { flags: ["-c", "--clusters"] },
  { flags: ["-i", "--instances"] },
  { flags: ["-l", "--deploy-group"] },
  { flags: ["-o", "--owner"], note: "the instance's monitoring team" },
  { flags: ["-r", "--registration"] },
  { flags: ["SERVICE.INSTANCE"], positional: true, note: "SERVICE.INST1,INST2" },
  SOA_D,
];

export const PAASTA_OPTIONS: Readonly<Record<string, readonly PaastaOption[]>> = {
  validate: [SERVICE, SOA_Y, { flags: ["-v", "--verbose"] }],
  check: [SERVICE, SOA_Y],
  info: [SERVICE, SOA_D],
  list: [{ flags: ["-a", "--all"] }, { flags: ["-i", "--print-instances"] }, SOA_Y],
  "list-clusters": [SOA_Y],
  "list-namespaces": [
    SERVICE,
    { flags: ["-i", "--instance"] },
    { flags: ["-c", "--cluster"] },
    { flags: ["-y", "-d", "--soa-dir"] },
  ],
  status: [
    { flags: ["-v", "--verbose"], note: "-v lists tasks with absolute times, -vv adds pids" },
    { flags: ["-A", "--all-namespaces"], note: "accepted: every namespace is always searched" },
    { flags: ["--new"], note: "accepted: one status format here" },
    { flags: ["--old"], note: "accepted: one status format here" },
    ...FILTERS,
  ],
  start: FILTERS,
  stop: FILTERS,
  restart: [
    ...FILTERS,
    { flags: ["--replica"], note: "through the API's replica restart" },
    { flags: ["--force"], note: "accepted; the replica is replaced gracefully either way" },
  ],
  logs: [
    { flags: ["-s", "--service"] },
    { flags: ["-C", "--components"] },
    { flags: ["-c", "--clusters", "--cluster"] },
    { flags: ["-i", "--instances", "--instance"] },
    { flags: ["-p", "--pods"], note: "task ids (full or short) on the local runtime, pod names on Kubernetes" },
    { flags: ["-f", "-F", "--tail"] },
    { flags: ["-v", "--verbose"], note: "accepted" },
    { flags: ["-r", "--raw-mode"] },
    SOA_D,
    { flags: ["-a", "--from", "--after"], note: "ISO 8601, durations (10m, 1d3h), yesterday/today/now" },
    { flags: ["-t", "--to"] },
    { flags: ["-l", "-n", "--lines"] },
    { flags: ["-o", "--line-offset"] },
    { flags: ["-S", "--strip-headers"] },
  ],
  "mark-for-deployment": [
    { flags: ["-u", "--git-url"] },
    { flags: ["-c", "-k", "--commit"] },
    { flags: ["-l", "--deploy-group", "--clusterinstance"] },
    { flags: ["-s", "--service"] },
    { flags: ["-i", "--image-version"] },
    { flags: ["--verify-image-exists"] },
    { flags: ["--wait-for-deployment"] },
    { flags: ["-t", "--timeout"] },
    { flags: ["-w", "--warn"] },
    { flags: ["--auto-rollback"] },
    SOA_D,
    { flags: ["-v", "--verbose"], note: "accepted" },
    { flags: ["--auto-certify-delay"], note: "accepted: no Slack certify step" },
    { flags: ["--auto-abandon-delay"], note: "accepted: no Slack abandon step" },
    { flags: ["--auto-rollback-delay"], note: "accepted: no SLO watcher" },
    { flags: ["--author"], note: "named in the deploy event (no Slack)" },
    ...POLLING,
  ],
  "wait-for-deployment": [
    { flags: ["-u", "--git-url"] },
    { flags: ["-c", "-k", "--commit"] },
    { flags: ["-i", "--image-version"] },
    { flags: ["-l", "--deploy-group"] },
    { flags: ["-s", "--service"] },
    { flags: ["-t", "--timeout"] },
    SOA_D,
    { flags: ["-v", "--verbose"], note: "accepted" },
    ...POLLING,
  ],
  rollback: [
    { flags: ["-k", "--commit"] },
    { flags: ["-i", "--image-version"] },
    { flags: ["-l", "--deploy-groups"] },
    { flags: ["-a", "--all-deploy-groups"] },
    { flags: ["-s", "--service"] },
    SOA_D,
    { flags: ["-f", "--force"] },
  ],
  "get-latest-deployment": [SERVICE, { flags: ["-i", "-l", "--deploy-group"] }, SOA_D],
  "get-docker-image": [SERVICE, { flags: ["-i", "-l", "--deploy-group"] }, SOA_D],
  "get-image-version": [
    { flags: ["-f", "--force"] },
    { flags: ["--max-age"] },
    SERVICE,
    { flags: ["-c", "--commit"] },
    { flags: ["-y", "--soa-dir"] },
  ],
  "check-rollback-status": [SERVICE, { flags: ["-k", "--commit"] }, { flags: ["-l", "--deploy-group"] }, SOA_D],
  itest: [SERVICE, { flags: ["-c", "--commit"] }, { flags: ["--image-version"] }, SOA_D, { flags: ["--timeout"] }],
  "cook-image": [SERVICE, { flags: ["-c", "--commit"] }, { flags: ["--image-version"] }, SOA_D],
  "push-to-registry": [
    SERVICE,
    { flags: ["-c", "--commit"] },
    { flags: ["--image-version"] },
    SOA_D,
    { flags: ["-f", "--force"] },
  ],
  "verify-image-exists": [
    SERVICE,
    { flags: ["-c", "--commit"] },
    { flags: ["--image-version"] },
    SOA_D,
    { flags: ["--wait"] },
    { flags: ["--poll-period"] },
    { flags: ["--timeout"] },
  ],
  "local-run": [
    SERVICE,
    { flags: ["-c", "--cluster"] },
    { flags: ["-y", "--yelpsoa-config-root"] },
    { flags: ["-b", "--build"], note: "the default when the current directory can be built" },
    { flags: ["-p", "--pull"] },
    { flags: ["-d", "--dry-run"] },
    { flags: ["--json-dict"] },
    { flags: ["-C", "--cmd"], note: "the health check is not simulated with -C unless -t asks" },
    { flags: ["-i", "--instance"] },
    { flags: ["--date"] },
    { flags: ["-v", "--verbose"], note: "accepted: build and engine output is always shown" },
    { flags: ["-I", "--interactive"] },
    { flags: ["-k", "--no-healthcheck"] },
    { flags: ["-t", "--healthcheck-only"] },
    { flags: ["-o", "--port"] },
    {
      flags: ["--vault-auth-method"],
      missing: "Vault-specific: secrets are age-encrypted files here (docs/secrets.md)",
    },
    {
      flags: ["--vault-token-file"],
      missing: "Vault-specific: secrets are age-encrypted files here (docs/secrets.md)",
    },
    {
      flags: ["--skip-secrets"],
      note: "SECRET(...) values are passed as written (decrypted with the age identity otherwise)",
    },
    { flags: ["--sha"] },
    { flags: ["--volume"] },
  ],
  autoscale: [
    SERVICE,
    { flags: ["-i", "--instance"] },
    { flags: ["-c", "--cluster"] },
    { flags: ["--set"], note: "bespoke instances: the count now; others: pinned as min = max = N for --for" },
    { flags: ["--set-min"] },
    { flags: ["--set-max"] },
    { flags: ["--for"], note: "1 h when omitted" },
    SOA_D,
  ],
  pause_service_autoscaler: [
    { flags: ["-c", "--cluster"] },
    { flags: ["-d", "--pause-duration"] },
    { flags: ["-f", "--force"] },
    { flags: ["-i", "--info"] },
    { flags: ["-r", "--resume"] },
  ],
  "list-deploy-queue": [{ flags: ["-c", "--cluster"] }, { flags: ["--json"] }, SOA_D],
  fsm: [SOA_Y],
  api: [
    { flags: ["-D", "--debug"], note: "logs each request" },
    { flags: ["PORT"], positional: true, note: "optional: default api_endpoints[cluster]'s port" },
    SOA_D,
    { flags: ["-c", "--cluster"] },
    { flags: ["--max-request-seconds"] },
    { flags: ["-w", "--workers"], note: "accepted: one Node process serves every request" },
  ],
};
