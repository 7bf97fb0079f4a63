/** The API token that guards writes: system config, then $PAASTA_API_TOKEN, else one generated for the cluster. */
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { SystemConfig } from "../config/system.js";

export interface ApiToken {
  readonly token: string | undefined;
  /** Where it comes from, for the start-up message. */
  readonly source: string;
}

/** `stateDir`: where a token is generated (0600) when none is configured; without one, writes are refused. */
export function apiToken(system: SystemConfig, env: NodeJS.ProcessEnv, stateDir?: string): ApiToken {
  const configured = system.get("api_auth_token");
  if (configured) return { token: configured, source: "system config api_auth_token" };
  if (env.PAASTA_API_TOKEN) return { token: env.PAASTA_API_TOKEN, source: "$PAASTA_API_TOKEN" };
  if (!stateDir) return { token: undefined, source: "none (writes are refused)" };
  const file = join(stateDir, "api-token");
  if (!existsSync(file)) {
    writeFileSync(file, `${randomBytes(24).toString("hex")}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return { token: readFileSync(file, "utf8").trim(), source: file };
}
