/** `service.yaml`: service metadata. Every other top-level key becomes a default for each instance. */
import { z } from "zod";
import { costOwner } from "./common.js";
import { field, ignoredField } from "./meta.js";

export const serviceKeys = {
  description: z.string().meta({ description: "What the service does (required)." }),
  external_link: z.string().meta({ description: "A link to the service's docs or homepage (required)." }),
  git_url: field(z.union([z.string(), z.null()]), {
    description: "The service's git repository: any git URL or local path. null means the service has no deployments.",
    defaultText: "none (deploy commands then need -u/--git-url)",
  }),
  docker_registry: field(z.string(), {
    description: "Registry for this service's images.",
    defaultText: "system docker_registry",
  }),
  cost_owner: field(costOwner, "Cost attribution label, inherited by every instance."),
  needs_puppet_help: ignoredField(z.boolean(), "Legacy.", "Yelp-specific"),
};

/**
 * service.yaml is open, as in PaaSTA: keys other than these become instance defaults (e.g. `env:` or
 * `cpus:`), and are checked when instances are resolved.
 */
export const serviceFileSchema = z.looseObject(serviceKeys);
export type ServiceYaml = z.infer<typeof serviceFileSchema>;
