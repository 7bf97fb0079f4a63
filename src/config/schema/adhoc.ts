/** `adhoc-CLUSTER.yaml`: one-off instances used by `paasta local-run` (and remote-run). */
import { z } from "zod";
import { integer } from "./common.js";
import { commandKeys, identityKeys, placementKeys, resourceKeys, volumeKeys } from "./instance-common.js";
import { field } from "./meta.js";

export const adhocInstanceKeys = {
  ...resourceKeys,
  ...commandKeys,
  ...volumeKeys,
  ...placementKeys,
  ...identityKeys,
  net: field(z.string(), { description: "Docker network mode.", default: "bridge" }),
  role: field(z.string(), "Role label for remote-run."),
  docker_url: field(z.string(), "An explicit image to run instead of the deployed one (toolboxes)."),
  container_port: field(integer().min(0).max(65535), {
    description: "Port the command listens on, if any.",
    default: 8888,
  }),
  extra_docker_args: field(z.record(z.string(), z.string()), "docker-only passthrough arguments."),
};

export const adhocInstanceSchema = z.strictObject(adhocInstanceKeys);
export type AdhocInstanceConfig = z.infer<typeof adhocInstanceSchema>;
