/** `tron-CLUSTER.yaml`: scheduled batch jobs, each a DAG of actions. Top-level keys are job names. */
import { z } from "zod";
import {
  costOwner,
  cryptoKeys,
  env,
  extraVolume,
  iamRole,
  integer,
  nodeSelectors,
  projectedSaVolume,
  secretVolume,
  ssmSecrets,
  stringList,
  TRON_NAME,
  timeDelta,
} from "./common.js";
import { field, ignoredField } from "./meta.js";
import { tronMonitoringSchema } from "./monitoring.js";

const tronName = z
  .string()
  .regex(TRON_NAME, "must start with a letter or '_' and contain only letters, digits, '_' and '-'");
const YELP = "Yelp-specific secret delivery; use env SECRET(name) or secret_volumes instead";
const SPARK = "Spark on PaaSTA is Yelp-specific; spark actions are validated but not run";

export const tronActionKeys = {
  name: field(tronName, "Action name (when actions are given as a list)."),
  command: z.string().meta({ description: "The shell command the action runs (required)." }),
  executor: field(z.enum(["paasta", "ssh", "spark"]), {
    description: "paasta runs the service image; ssh runs on a node.",
    default: "paasta",
  }),
  requires: field(stringList, {
    description: "Names of sibling actions that must succeed first (the DAG).",
    default: [],
  }),
  retries: field(integer().min(0), { description: "Retries after a failure.", default: 0 }),
  retries_delay: field(timeDelta, "Delay between retries."),
  expected_runtime: field(timeDelta, "Alert when a run takes longer."),
  max_runtime: field(timeDelta, "Kill a run that takes longer."),
  triggered_by: field(stringList, "Cross-job triggers this action waits for."),
  trigger_downstreams: field(z.union([z.boolean(), z.record(z.string(), z.string())]), "Triggers emitted on success."),
  on_upstream_rerun: field(z.string(), "What to do when an upstream reruns."),
  trigger_timeout: field(timeDelta, "How long to wait for triggers."),
  idempotent: field(z.boolean(), { description: "Safe to retry without side effects.", default: false }),
  node: field(tronName, { description: "Tron node (ssh executor).", default: "paasta" }),
  service: field(z.string(), { description: "Service whose image runs the action.", defaultText: "the job's service" }),
  deploy_group: field(z.string(), {
    description: "Deploy group whose image the action runs (required for paasta/spark).",
    defaultText: "the job's deploy_group",
  }),
  cluster: field(z.string(), "Cluster override."),
  cpus: field(z.number().positive(), { description: "CPU request.", default: 1 }),
  mem: field(z.number().gt(32), { description: "Memory in MB.", default: 4096 }),
  disk: field(z.number().positive(), { description: "Disk in MB.", default: 4096 }),
  cap_add: field(stringList, "Linux capabilities to add."),
  env: field(env, { description: "Environment variables.", default: {} }),
  extra_volumes: field(z.array(extraVolume), { description: "Host path mounts.", default: [] }),
  secret_volumes: field(z.array(secretVolume), { description: "Secrets as files.", default: [] }),
  projected_sa_volumes: field(z.array(projectedSaVolume), { description: "Projected SA tokens.", default: [] }),
  pool: field(z.string(), {
    description: "Node pool.",
    defaultText: "system tron_default_pool_override, else default",
  }),
  node_selectors: field(nodeSelectors, "Node label requirements."),
  cost_owner: field(costOwner, "Cost attribution label."),
  service_account_name: field(z.string(), "Kubernetes ServiceAccount."),
  iam_role: field(iamRole, "AWS IAM role."),
  iam_role_provider: field(z.enum(["aws"]), "IAM role provider."),
  boto_keys: ignoredField(stringList, "Yelp boto keys.", YELP),
  crypto_keys: ignoredField(cryptoKeys, "Yelp crypto keys.", YELP),
  ssm_secrets: ignoredField(ssmSecrets, "AWS SSM parameters.", YELP),
  uses_bulkdata: ignoredField(z.boolean(), "Yelp bulkdata mount.", "Yelp-specific host path"),
  constraints: ignoredField(z.array(z.array(z.unknown())), "Mesos constraints.", "Mesos-era; unused"),
  extra_constraints: ignoredField(z.array(z.array(z.unknown())), "Mesos constraints.", "Mesos-era; unused"),
  aws_credentials: ignoredField(z.string(), "Spark AWS credentials.", SPARK),
  force_spark_resource_configs: ignoredField(z.boolean(), "Spark resources.", SPARK),
  mrjob: ignoredField(z.boolean(), "mrjob on Spark.", SPARK),
  spark_args: ignoredField(z.record(z.string(), z.unknown()), "Spark arguments.", SPARK),
};

export const tronActionSchema = z.strictObject(tronActionKeys);

export const tronJobKeys = {
  name: field(tronName, "Job name override."),
  node: field(tronName, { description: "Tron node.", default: "paasta" }),
  schedule: z.union([z.string(), z.record(z.string(), z.unknown())]).meta({
    description:
      "When to run: 'cron 0 * * * *', 'daily 04:00:00', 'interval 10m', or {type: cron, value: …} (required).",
  }),
  actions: z
    .union([z.record(z.string(), tronActionSchema), z.array(tronActionSchema)])
    .meta({ description: "The job's actions: a map name → action, or a list of actions with `name` (required)." }),
  cleanup_action: field(tronActionSchema, "Action run after every run, success or not."),
  monitoring: field(tronMonitoringSchema, "Alerting for this job (merged over monitoring.yaml)."),
  queueing: field(z.boolean(), { description: "Queue a run that is due while another runs.", default: true }),
  allow_overlap: field(z.boolean(), { description: "Allow runs to overlap.", default: false }),
  run_limit: field(integer().positive(), { description: "Number of past runs kept.", default: 50 }),
  all_nodes: field(z.boolean(), { description: "Run on every node of the pool.", default: false }),
  enabled: field(z.boolean(), { description: "Schedule the job.", default: true }),
  max_runtime: field(timeDelta, "Kill runs that take longer."),
  expected_runtime: field(timeDelta, "Alert when a run takes longer."),
  time_zone: field(z.string(), {
    description: "Time zone of the schedule.",
    defaultText: "the system's tron time zone, else UTC",
  }),
  service: field(z.string(), {
    description: "Default service for every action.",
    defaultText: "the directory's service",
  }),
  deploy_group: field(z.string(), "Default deploy group for every action."),
  cost_owner: field(costOwner, "Default cost owner for every action."),
  cluster: field(z.string(), "Cluster override."),
};

export const tronJobSchema = z.strictObject(tronJobKeys);
export type TronJobConfig = z.infer<typeof tronJobSchema>;
export type TronActionConfig = z.infer<typeof tronActionSchema>;
