/**
 * The API's own wire shapes, in zod: the one definition behind request validation and /openapi.json. The
 * status shapes themselves live in model/status.ts (backends return them); this file adds what only the API
 * says: errors, path parameters, and the fields the status route adds.
 */
import { z } from "@hono/zod-openapi";
import { InstanceStatus } from "../model/status.js";

export { BounceStatus } from "../model/status.js";

export const ErrorBody = z
  .object({ code: z.string(), message: z.string(), fix: z.string() })
  .openapi("Error", { description: "Every error: a stable code, what went wrong, how to fix it (docs/errors.md)." });

/** `/status`: the backend's InstanceStatus plus the backend's kind and the desired version's sha. */
export const InstanceStatusBody = InstanceStatus.extend({
  backend: z.string(),
  git_sha: z.string().nullable(),
  /** The located problems (`file:line:col key: message`) that freeze the service: it is left as it runs. */
  config_problems: z.array(z.string()).optional(),
}).openapi("InstanceStatus");

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
