/** Keys shared by every runnable instance type (kubernetes, eks, adhoc, tron actions). */
import { z } from "zod";
import {
  costOwner,
  cryptoKeys,
  env,
  extraVolume,
  iamRole,
  integer,
  nodeSelectors,
  nodeSelectorsPreferred,
  projectedSaVolume,
  secretVolume,
  ssmSecrets,
  stringList,
} from "./common.js";
import { field, ignoredField } from "./meta.js";

const YELP_SECRETS = "Yelp-specific secret delivery; use env SECRET(name) or secret_volumes instead";

export const resourceKeys = {
  cpus: field(z.number().positive(), { description: "CPU request (cores).", default: 1 }),
  mem: field(z.number().min(32), { description: "Memory request and limit, in MB.", default: 4096 }),
  disk: field(z.number().positive(), {
    description: "Ephemeral disk request and limit, in MB.",
    defaultText: "1024 (4096 for Tron actions)",
  }),
  gpus: field(integer().min(0), "GPUs to request (nvidia.com/gpu)."),
  cpu_burst_add: field(z.number().min(0), {
    description: "Extra CPU allowed above `cpus` (limit = cpus + cpu_burst_add).",
    defaultText: "1 (0 for Tron actions)",
  }),
  cfs_period_us: field(integer().min(1000).max(1000000), {
    description: "CFS period for CPU quota (docker).",
    default: 100000,
  }),
};

export const commandKeys = {
  cmd: field(z.union([z.string(), z.array(z.union([z.string(), z.number()]))]), {
    description: "What to run: a string runs through `sh -c`, a list runs as is (exec form; numbers become strings).",
    defaultText: "the image's own command",
  }),
  args: field(z.array(z.union([z.string(), z.number()])), {
    description: "Arguments for the image's entrypoint; not allowed with `cmd`.",
    default: [],
  }),
  env: field(env, {
    description: "Environment variables; override the injected PAASTA_* ones. Values may be SECRET(name).",
    default: {},
  }),
};

export const volumeKeys = {
  extra_volumes: field(z.array(extraVolume), {
    description: "Host paths to mount: {containerPath, hostPath, mode: RO|RW}; added after the system `volumes`.",
    default: [],
  }),
  secret_volumes: field(z.array(secretVolume), {
    description: "Secrets mounted as files: {container_path, secret_name, default_mode?, items?}.",
    default: [],
  }),
  projected_sa_volumes: field(z.array(projectedSaVolume), {
    description: "Projected service-account tokens (Kubernetes).",
    default: [],
  }),
  uses_bulkdata: ignoredField(z.boolean(), "Mount Yelp's /nail/bulkdata.", "Yelp-specific host path"),
};

export const placementKeys = {
  pool: field(z.string(), { description: "Node pool; becomes a node selector on Kubernetes.", default: "default" }),
  node_selectors: field(nodeSelectors, "Node label requirements (Kubernetes)."),
  node_selectors_preferred: field(nodeSelectorsPreferred, "Weighted preferred node labels (Kubernetes)."),
  namespace: field(
    z.union([
      z.literal(""),
      z
        .string()
        .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)
        .max(63),
    ]),
    {
      description: 'Kubernetes namespace ("" means the default, as in PaaSTA).',
      defaultText: "paastasvc-SERVICE (kubernetes/eks), paasta (adhoc), tron (tron)",
    },
  ),
};

export const identityKeys = {
  deploy_group: field(z.string(), {
    description:
      "The deploy.yaml step whose deployment this instance runs. {cluster}, {instance}, {service} are filled in.",
    defaultText: "CLUSTER.INSTANCE (required for Tron actions)",
  }),
  cost_owner: field(costOwner, "Cost attribution label (defaults to service.yaml's)."),
  iam_role: field(iamRole, "AWS IAM role for the pods (Kubernetes, through a ServiceAccount)."),
  iam_role_provider: field(z.enum(["aws"]), { description: "IAM role provider.", default: "aws" }),
  service_account_name: field(z.string(), "Kubernetes ServiceAccount (not together with iam_role)."),
  fs_group: field(integer(), "Pod securityContext.fsGroup (Kubernetes)."),
  fs_group_change_policy: field(z.enum(["Always", "OnRootMismatch"]), "Pod fsGroupChangePolicy; needs fs_group."),
  cap_add: field(stringList, "Linux capabilities to add (the default drop list minus these)."),
  privileged: field(z.boolean(), "Run the container privileged."),
  boto_keys: ignoredField(stringList, "Yelp boto credential files.", YELP_SECRETS),
  crypto_keys: ignoredField(cryptoKeys, "Yelp crypto keys.", YELP_SECRETS),
  ssm_secrets: ignoredField(ssmSecrets, "AWS SSM parameters as env vars.", YELP_SECRETS),
  datastore_credentials: ignoredField(
    z.strictObject({ mysql: z.array(z.string()).optional() }),
    "Yelp datastore credentials.",
    YELP_SECRETS,
  ),
};

export const legacyKeys = {
  constraints: ignoredField(z.array(z.array(z.unknown())), "Marathon placement constraints.", "Marathon-era; unused"),
  extra_constraints: ignoredField(
    z.array(z.array(z.unknown())),
    "Marathon placement constraints.",
    "Marathon-era; unused",
  ),
};
