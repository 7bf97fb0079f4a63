/**
 * The token a command sends with an API write: the system config's api_auth_token, else $PAASTA_API_TOKEN,
 * else (for a local cluster) the one `paasta up` generated in its state dir. Never creates one.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { SystemConfig } from "../config/system.js";

export function writeToken(system: SystemConfig, cluster: string, env: NodeJS.ProcessEnv): string | undefined {
  const configured = system.get("api_auth_token") ?? env.PAASTA_API_TOKEN;
  if (configured) return configured;
  try {
    const spec = system.clusterBackend(cluster);
    if (spec.type === "local") return readFileSync(join(spec.state_dir, "api-token"), "utf8").trim();
  } catch {
    // no token file: the API refuses the write and says why
  }
  return undefined;
}
