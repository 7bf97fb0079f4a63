/** The API's wire shapes, in zod: the one definition behind request validation and /openapi.json. */
import { z } from "@hono/zod-openapi";

export const ErrorBody = z
  .object({ code: z.string(), message: z.string(), fix: z.string() })
  .openapi("Error", { description: "Every error: a stable code, what went wrong, how to fix it (docs/errors.md)." });

export const TaskStatus = z
  .object({
    id: z.string(),
    host: z.string(),
    port: z.number().int().nullable(),
    state: z.enum(["launching", "starting", "healthy", "unhealthy", "draining", "stopped", "failed"]),
    healthy: z.boolean(),
    restarts: z.number().int(),
    started_at: z.string().nullable(),
    last_exit_code: z.number().int().nullable(),
    reason: z.string().nullable(),
    pid: z.number().int().nullable().optional(),
  })
  .openapi("Task");

export const VersionStatus = z
  .object({
    git_sha: z.string(),
    image_version: z.string().nullable(),
    config_hash: z.string(),
    desired: z.boolean(),
    replicas: z.number().int(),
    ready_replicas: z.number().int(),
    tasks: z.array(TaskStatus),
  })
  .openapi("Version");

export const InstanceStatus = z
  .object({
    service: z.string(),
    instance: z.string(),
    cluster: z.string(),
    backend: z.string(),
    git_sha: z.string().nullable(),
    desired_state: z.enum(["start", "stop"]),
    desired_instances: z.number().int(),
    bounce_method: z.string(),
    deploy_status: z.enum(["Running", "Deploying", "Waiting", "Stopped"]),
    deploy_status_message: z.string().nullable(),
    versions: z.array(VersionStatus),
    error_message: z.string().nullable(),
  })
  .openapi("InstanceStatus");

export const BounceStatus = z
  .object({
    expected_instance_count: z.number().int(),
    running_instance_count: z.number().int(),
    desired_state: z.enum(["start", "stop"]),
    deploy_status: z.enum(["Running", "Deploying", "Waiting", "Stopped"]),
    active_shas: z.array(z.tuple([z.string(), z.string()])),
    active_versions: z.array(z.tuple([z.string(), z.string().nullable(), z.string()])),
    app_count: z.number().int(),
  })
  .openapi("BounceStatus");

export const ServiceParams = z.object({
  service: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .openapi({ param: { name: "service", in: "path" } }),
});
export const InstanceParams = ServiceParams.extend({
  instance: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/)
    .openapi({ param: { name: "instance", in: "path" } }),
});
export const ReplicaParams = InstanceParams.extend({
  replica: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/)
    .openapi({ param: { name: "replica", in: "path" } }),
});
