/**
 * The `age` provider (https://age-encryption.org, npm `age-encryption`): each secret environment has
 * recipients (public keys `age1…`, to encrypt) and, where the platform runs, an identity file (age-keygen's
 * private key, to decrypt). Ciphertexts are stored ASCII-armoured, so Debian's `age -d -i KEY` decrypts a
 * file's ciphertext as it is, and `age -r age1… -a` writes one paasta decrypts.
 */
import { readFileSync, statSync } from "node:fs";
import type { SecretsConfig } from "../config/system.js";
import { PaastaError } from "../errors.js";
import { CiphertextError, type SecretProvider } from "./provider.js";

type AgeModule = typeof import("age-encryption");
type Environments = SecretsConfig["environments"];

let loaded: Promise<AgeModule> | undefined;
/** The library, imported once per process (its first import costs ~0.2 s; see bench/secrets.js). */
function age(): Promise<AgeModule> {
  loaded ??= import("age-encryption");
  return loaded;
}

/** Parsed identity files, by path, reused while the file's size and mtime stay the same. */
const identities = new Map<string, { stamp: string; keys: string[] }>();

export class AgeProvider implements SecretProvider {
  readonly name = "age";

  constructor(private readonly environments: Environments) {}

  async encrypt(environment: string, plaintext: Uint8Array): Promise<string> {
    const recipients = this.environments[environment]?.recipients ?? [];
    if (recipients.length === 0)
      throw new PaastaError("PAASTA_SECRETS_NOT_CONFIGURED", {
        environment,
        detail: "no recipients (age1… public keys) to encrypt to",
      });
    const { Encrypter, armor } = await age();
    const e = new Encrypter();
    for (const r of recipients) e.addRecipient(r);
    return armor.encode(await e.encrypt(plaintext));
  }

  async decrypt(environment: string, ciphertext: string): Promise<Uint8Array> {
    const { file, keys } = this.identityKeys(environment);
    const { Decrypter, armor } = await age();
    const d = new Decrypter();
    try {
      for (const k of keys) d.addIdentity(k);
    } catch (e) {
      const detail = `not an age identity (${(e as Error).message})`;
      throw new PaastaError("PAASTA_SECRET_IDENTITY_UNREADABLE", { file, environment, detail });
    }
    let bytes: Uint8Array;
    try {
      bytes = armor.decode(ciphertext);
    } catch (e) {
      throw new CiphertextError(`not an ASCII-armoured age file (${(e as Error).message})`);
    }
    try {
      return await d.decrypt(bytes);
    } catch (e) {
      throw new CiphertextError((e as Error).message);
    }
  }

  /** The AGE-SECRET-KEY-1… lines of the environment's identity file. */
  private identityKeys(environment: string): { file: string; keys: string[] } {
    const file = this.environments[environment]?.identity_file;
    if (!file)
      throw new PaastaError("PAASTA_SECRETS_NOT_CONFIGURED", {
        environment,
        detail: "no identity_file (the private key) to decrypt with on this machine",
      });
    const unreadable = (detail: string) =>
      new PaastaError("PAASTA_SECRET_IDENTITY_UNREADABLE", { file, environment, detail });
    let stamp: string;
    try {
      const st = statSync(file);
      stamp = `${st.size}:${st.mtimeMs}`;
    } catch (e) {
      throw unreadable((e as Error).message);
    }
    const cached = identities.get(file);
    if (cached?.stamp === stamp) return { file, keys: cached.keys };
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      throw unreadable((e as Error).message);
    }
    const keys = text
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l.startsWith("AGE-SECRET-KEY-"));
    if (keys.length === 0) throw unreadable("no AGE-SECRET-KEY-1… line (make one with age-keygen -o FILE)");
    identities.set(file, { stamp, keys });
    return { file, keys };
  }
}
