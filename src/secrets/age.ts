/**
 * The `age` provider (https://age-encryption.org, npm `age-encryption`): each secret environment has
 * recipients (public keys `age1…`, to encrypt) and, where the platform runs, an identity file (age-keygen's
 * private key, to decrypt). Ciphertexts are stored ASCII-armoured, so Debian's `age -d -i KEY` decrypts a
 * file's ciphertext as it is, and `age -r age1… -a` writes one paasta decrypts.
 */
import { createHash } from "node:crypto";
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

type Decrypter = InstanceType<AgeModule["Decrypter"]>;

/**
 * Per identity file (by path, while its size and mtime stay the same): its Decrypter, and the plaintexts it
 * decrypted, by ciphertext hash. A task restarting, or another replica starting, then costs no decryption; a
 * rotated value is a new ciphertext, and a changed identity file drops them all. The process holding them is
 * the one holding the key.
 */
interface IdentityState {
  readonly stamp: string;
  readonly decrypter: Decrypter;
  readonly plaintexts: Map<string, Uint8Array>;
}
const identities = new Map<string, IdentityState>();
/** Plaintexts kept per identity file (the oldest is dropped first). */
const PLAINTEXTS_KEPT = 1024;

export class AgeProvider implements SecretProvider {
  readonly name = "age";

  constructor(private readonly environments: Environments) {}

  /**
   * Imports the library and runs one round trip with a throwaway key, then one with each environment's own
   * identity (read and parsed once, as the first task start would), so that the first real decryption is not
   * cold. An identity that cannot be read is not an error here: the first use reports it.
   */
  async preload(): Promise<void> {
    const { Encrypter, Decrypter, armor, generateX25519Identity, identityToRecipient } = await age();
    const key = await generateX25519Identity();
    const e = new Encrypter();
    e.addRecipient(await identityToRecipient(key));
    const d = new Decrypter();
    d.addIdentity(key);
    await d.decrypt(armor.decode(armor.encode(await e.encrypt("warm-up"))));
    for (const [environment, cfg] of Object.entries(this.environments)) {
      if (!cfg.identity_file) continue;
      try {
        const state = await this.identity(environment);
        const own = readFileSync(cfg.identity_file, "utf8").match(/AGE-SECRET-KEY-1\S+/)?.[0];
        if (!own) continue;
        const mine = new Encrypter();
        mine.addRecipient(await identityToRecipient(own));
        await state.decrypter.decrypt(await mine.encrypt("warm-up"));
      } catch {
        // reported at the first real use
      }
    }
  }

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
    const state = await this.identity(environment);
    const hash = createHash("sha256").update(ciphertext).digest("hex");
    const known = state.plaintexts.get(hash);
    if (known) return known.slice();
    const { armor } = await age();
    let bytes: Uint8Array;
    try {
      bytes = armor.decode(ciphertext);
    } catch (e) {
      throw new CiphertextError(`not an ASCII-armoured age file (${(e as Error).message})`);
    }
    let plaintext: Uint8Array;
    try {
      plaintext = await state.decrypter.decrypt(bytes);
    } catch (e) {
      throw new CiphertextError((e as Error).message);
    }
    if (state.plaintexts.size >= PLAINTEXTS_KEPT)
      state.plaintexts.delete(state.plaintexts.keys().next().value as string);
    state.plaintexts.set(hash, plaintext.slice());
    return plaintext;
  }

  /** The environment's identity file, parsed once into a Decrypter (making one derives each key's public key). */
  private async identity(environment: string): Promise<IdentityState> {
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
      stamp = `${st.ino}:${st.size}:${st.mtimeMs}`;
    } catch (e) {
      throw unreadable((e as Error).message);
    }
    const cached = identities.get(file);
    if (cached?.stamp === stamp) return cached;
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
    const { Decrypter } = await age();
    const decrypter = new Decrypter();
    try {
      for (const k of keys) decrypter.addIdentity(k);
    } catch (e) {
      throw unreadable(`not an age identity (${(e as Error).message})`);
    }
    const state = { stamp, decrypter, plaintexts: new Map<string, Uint8Array>() };
    identities.set(file, state);
    return state;
  }
}
