/**
 * The pluggable secrets provider: encrypts a value for a secret environment (to its public keys) and decrypts
 * an environment's ciphertext (with its private key). Chosen by the system config key `secrets.provider`;
 * `age` is the one built in. A Vault or KMS provider is another module implementing SecretProvider, plus a
 * member of `secrets`' schema in src/config/system.ts and a line in providerFor.
 */
import type { SystemConfig } from "../config/system.js";
import { PaastaError } from "../errors.js";

export interface SecretProvider {
  /** `age`, … (what the system config's `secrets.provider` names). */
  readonly name: string;
  /**
   * The ciphertext of `plaintext` for `environment`, as stored in the file (text). Throws
   * PAASTA_SECRETS_NOT_CONFIGURED when the environment has nothing to encrypt to.
   */
  encrypt(environment: string, plaintext: Uint8Array): Promise<string>;
  /**
   * The plaintext of `ciphertext`. Throws CiphertextError when this ciphertext cannot be decrypted with the
   * environment's identity, and a PaastaError when the environment's identity is not configured or unreadable.
   */
  decrypt(environment: string, ciphertext: string): Promise<Uint8Array>;
  /** Loads what the provider needs ahead of the first use (the age library's import takes 0.2 s or more). */
  preload?(): Promise<void>;
}

/** A ciphertext that is malformed or not meant for the configured identity (callers name the file). */
export class CiphertextError extends Error {
  override readonly name = "CiphertextError";
}

/** The provider of the system config's `secrets` key; without it, a provider whose every use says so. */
export async function providerFor(system: SystemConfig | undefined): Promise<SecretProvider> {
  const cfg = system?.secrets();
  if (!cfg)
    return unconfigured(system ? `no key \`secrets\` in the system config (${system.dir})` : "no system config");
  switch (cfg.provider) {
    case "age": {
      const { AgeProvider } = await import("./age.js");
      return new AgeProvider(cfg.environments);
    }
  }
}

/** Call when a runtime starts, so that its first task start does not pay for loading the provider's library. */
export async function preloadProvider(system: SystemConfig | undefined): Promise<SecretProvider> {
  const p = await providerFor(system);
  await p.preload?.();
  return p;
}

function unconfigured(detail: string): SecretProvider {
  const fail = (environment: string): never => {
    throw new PaastaError("PAASTA_SECRETS_NOT_CONFIGURED", { environment, detail });
  };
  return { name: "none", encrypt: async (env) => fail(env), decrypt: async (env) => fail(env) };
}
