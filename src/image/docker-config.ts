/**
 * Registry credentials from the Docker config file (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`),
 * as `docker login` writes them: `auths[REGISTRY].auth` (base64 `user:password`) or `username`/`password`.
 * Credential helpers (`credsStore`, `credHelpers`) are not run.
 */
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export interface RegistryCredentials {
  readonly username: string;
  readonly password: string;
  readonly serveraddress: string;
}

export function dockerConfigPath(env: NodeJS.ProcessEnv): string {
  return join(env.DOCKER_CONFIG ?? join(env.HOME ?? homedir(), ".docker"), "config.json");
}

/** The host[:port] part of a registry or image reference key (`https://r.example.org/v1/` → `r.example.org`). */
function registryHost(key: string): string {
  return key.replace(/^[a-z]+:\/\//i, "").replace(/\/.*$/, "");
}

export function credentialsFor(registry: string, env: NodeJS.ProcessEnv): RegistryCredentials | undefined {
  let config: { auths?: Record<string, { auth?: string; username?: string; password?: string }> };
  try {
    config = JSON.parse(readFileSync(dockerConfigPath(env), "utf8"));
  } catch {
    return undefined;
  }
  const host = registryHost(registry);
  for (const [key, entry] of Object.entries(config.auths ?? {})) {
    if (registryHost(key) !== host || !entry) continue;
    if (entry.username && entry.password)
      return { username: entry.username, password: entry.password, serveraddress: host };
    if (entry.auth) {
      const decoded = Buffer.from(entry.auth, "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      if (colon > 0)
        return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), serveraddress: host };
    }
  }
  return undefined;
}
