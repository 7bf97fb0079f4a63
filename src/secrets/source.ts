/**
 * What a running cluster decrypts secrets with: soa-configs' secret files and the system config's provider,
 * loaded once (`preloadProvider`, started when the host starts so that the first task start does not pay for
 * the library). Backends receive it through their SecretDelivery power; the plaintexts it returns live only in
 * the memory of the process holding the key, the task's environment and its secret files.
 */
import type { SystemConfig } from "../config/system.js";
import type { DesiredApp } from "../model/app.js";
import { preloadProvider, type SecretProvider } from "./provider.js";
import { referencedSecrets, secretVolumesOf } from "./refs.js";
import { decryptSecretValues, decryptTaskSecrets, type TaskSecrets, type TaskSecretsRequest } from "./task.js";

/** The request of an app's secrets: its service, cluster, `env` and `secret_volumes`. */
export function secretsRequest(soaDir: string, system: SystemConfig | undefined, app: DesiredApp): TaskSecretsRequest {
  return {
    soaDir,
    system,
    service: app.service,
    cluster: app.cluster,
    env: app.config.env,
    secretVolumes: app.config.secret_volumes as unknown as Readonly<Record<string, unknown>>[],
  };
}

/** Whether an app refers to any secret (env value or secret volume). */
export function refersToSecrets(app: DesiredApp): boolean {
  const volumes = secretVolumesOf(app.config.secret_volumes as unknown as Readonly<Record<string, unknown>>[]);
  return referencedSecrets(app.config.env, volumes).length > 0;
}

export class SecretSource {
  private provider: Promise<SecretProvider> | undefined;

  constructor(
    private readonly soaDir: string,
    private readonly system: SystemConfig | undefined,
  ) {}

  /** Starts loading the provider (idempotent); a failure is reported at the first use, not here. */
  preload(): this {
    if (!this.provider) {
      this.provider = preloadProvider(this.system);
      this.provider.catch(() => {});
    }
    return this;
  }

  private loaded(): Promise<SecretProvider> {
    return this.preload().provider as Promise<SecretProvider>;
  }

  async values(app: DesiredApp): Promise<ReadonlyMap<string, Uint8Array>> {
    if (!refersToSecrets(app)) return new Map();
    return decryptSecretValues(secretsRequest(this.soaDir, this.system, app), await this.loaded());
  }

  async task(app: DesiredApp): Promise<TaskSecrets> {
    if (!refersToSecrets(app)) return { env: {}, files: [] };
    return decryptTaskSecrets(secretsRequest(this.soaDir, this.system, app), await this.loaded());
  }
}
