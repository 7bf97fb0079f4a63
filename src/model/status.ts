/**
 * What an instance looks like as it runs: the one definition of the status shapes. Backends return them
 * (`Backend.status`), the API serves them (`/status`, `/bounce_status`, and /openapi.json is generated from
 * these schemas), the CLI prints them. The zod schemas are the source; the TS types are inferred from them, so
 * there is no hand-written twin to drift. `z` comes from @hono/zod-openapi so that `.openapi()` names the
 * components of the OpenAPI document.
 */
import { z } from "@hono/zod-openapi";

/** PaaSTA's deploy status of an instance (reference §7.6); computed by `deployStatusOf` in backends/backend.ts. */
export const DeployStatus = z.enum(["Running", "Deploying", "Waiting", "Stopped"]).openapi("DeployStatus");
export type DeployStatus = z.infer<typeof DeployStatus>;

/** Whether an instance should run (`paasta start` / `paasta stop`). */
export const DesiredState = z.enum(["start", "stop"]).openapi("DesiredState");
export type DesiredState = z.infer<typeof DesiredState>;

export const TaskState = z
  .enum(["launching", "starting", "healthy", "unhealthy", "draining", "stopped", "failed"])
  .openapi("TaskState");
export type TaskState = z.infer<typeof TaskState>;

/** One replica: a supervised process group or container (local), a pod (Kubernetes). */
export const TaskStatus = z
  .object({
    id: z.string(),
    host: z.string(),
    port: z.number().int().nullable(),
    state: TaskState,
    healthy: z.boolean(),
    restarts: z.number().int(),
    started_at: z.string().nullable(),
    last_exit_code: z.number().int().nullable(),
    reason: z.string().nullable(),
    pid: z.number().int().nullable().optional(),
  })
  .openapi("Task");
export type TaskStatus = Readonly<z.infer<typeof TaskStatus>>;

/**
 * Replicas of a version that failed and that the backend still remembers (the local runtime's task history):
 * how many, and the latest one's exit code and reason. Lets a reader see a crash loop between two restarts,
 * when no replica of the version is alive. Absent where the backend reports restarts per task only.
 */
export const VersionFailures = z
  .object({
    count: z.number().int(),
    last_exit_code: z.number().int().nullable(),
    last_reason: z.string().nullable(),
    last_at: z.string().nullable(),
  })
  .openapi("VersionFailures");

/** One version of an instance as it runs, identified by its config hash. */
export const VersionStatus = z
  .object({
    git_sha: z.string(),
    image_version: z.string().nullable(),
    config_hash: z.string(),
    desired: z.boolean(),
    replicas: z.number().int(),
    ready_replicas: z.number().int(),
    tasks: z.array(TaskStatus).readonly(),
    failures: VersionFailures.optional(),
  })
  .openapi("Version");
export type VersionStatus = Readonly<z.infer<typeof VersionStatus>>;

/** What a backend reports for one instance (the API adds `backend` and `git_sha`: api/schemas.ts). */
export const InstanceStatus = z.object({
  service: z.string(),
  instance: z.string(),
  cluster: z.string(),
  desired_state: DesiredState,
  desired_instances: z.number().int(),
  bounce_method: z.string(),
  deploy_status: DeployStatus,
  /** Why the instance is not Running, in words ("0/3 new tasks healthy: HTTP 500 from /status"). */
  deploy_status_message: z.string().nullable(),
  versions: z.array(VersionStatus).readonly(),
  error_message: z.string().nullable(),
  /** The command line tasks run, credential-looking parts redacted (model/redact.ts). */
  command: z.string().nullable().optional(),
  /** The instance's env, credential-looking values redacted; SECRET() references shown as written. */
  env: z.record(z.string(), z.string()).optional(),
});
export type InstanceStatus = Readonly<z.infer<typeof InstanceStatus>>;

/** PaaSTA's bounce_status (drives wait-for-deployment): derived from an InstanceStatus by the API. */
export const BounceStatus = z
  .object({
    expected_instance_count: z.number().int(),
    running_instance_count: z.number().int(),
    desired_state: DesiredState,
    deploy_status: DeployStatus,
    /** [git_sha, config_hash] of each version with replicas. */
    active_shas: z.array(z.tuple([z.string(), z.string()])),
    /** [git_sha, image_version, config_hash] of each version with replicas. */
    active_versions: z.array(z.tuple([z.string(), z.string().nullable(), z.string()])),
    app_count: z.number().int(),
  })
  .openapi("BounceStatus");
export type BounceStatus = z.infer<typeof BounceStatus>;
