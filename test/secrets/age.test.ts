/**
 * The age provider against Debian's `age`, the reference implementation: what paasta encrypts, `age -d`
 * decrypts, and what `age -a` encrypts, paasta decrypts. Keys come from age-keygen.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadSystemConfig } from "../../src/config/system.js";
import type { PaastaError } from "../../src/errors.js";
import { CiphertextError, preloadProvider, providerFor } from "../../src/secrets/provider.js";
import { ageDecrypt, ageEncrypt, ageKeygen, writeSecretsSystemConfig } from "../helpers/age.js";
import { tempDir } from "../helpers/paths.js";

const root = tempDir("paasta-age-");
afterAll(() => rmSync(root, { recursive: true, force: true }));
const dev = ageKeygen(root, "dev");
const ops = ageKeygen(root, "ops");
const prod = ageKeygen(root, "prod");
const etc = writeSecretsSystemConfig(join(root, "etc"), {
  dev: { recipients: [dev.recipient, ops.recipient], identity_file: "../dev.txt" },
  prod: { recipients: [prod.recipient] },
});
const provider = await providerFor(loadSystemConfig(etc));
const bytes = (s: string) => new TextEncoder().encode(s);

async function thrown(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a rejection");
}

describe("the age provider and Debian's age", () => {
  it("paasta encrypts (armoured, to every recipient); `age -d -i` decrypts with either key", async () => {
    const plaintext = "s3cret wïth ünïcode\nand a second line";
    const ct = await provider.encrypt("dev", bytes(plaintext));
    expect(ct.startsWith("-----BEGIN AGE ENCRYPTED FILE-----\n")).toBe(true);
    expect(ct).not.toContain("s3cret");
    expect(ageDecrypt(ct, dev.identityFile).toString()).toBe(plaintext);
    expect(ageDecrypt(ct, ops.identityFile).toString()).toBe(plaintext);
    expect(() => ageDecrypt(ct, prod.identityFile)).toThrow(/no identity matched/);
  });

  it("`age -r -a` encrypts; paasta decrypts with the environment's identity_file (relative to the config dir)", async () => {
    const binary = new Uint8Array([0, 1, 2, 255, 10, 13]);
    const ct = ageEncrypt(binary, dev.recipient);
    expect(await provider.decrypt("dev", ct)).toEqual(binary);
  });

  it("a replaced identity file is read again: values decrypted with the old key are not served from memory", async () => {
    const rotating = ageKeygen(join(root, "rotating"), "key");
    const etcR = writeSecretsSystemConfig(join(root, "etc-rotating"), { r: { identity_file: rotating.identityFile } });
    const p = await preloadProvider(loadSystemConfig(etcR));
    const ct = ageEncrypt("old", rotating.recipient);
    expect(Buffer.from(await p.decrypt("r", ct)).toString()).toBe("old");
    expect(Buffer.from(await p.decrypt("r", ct)).toString()).toBe("old"); // the same ciphertext again
    const other = ageKeygen(root, "other");
    writeFileSync(rotating.identityFile, `${readFileSync(other.identityFile, "utf8")}\n`);
    expect(await thrown(p.decrypt("r", ct))).toBeInstanceOf(CiphertextError);
  });

  it("a ciphertext for other keys, or garbage, is a CiphertextError", async () => {
    const forProd = ageEncrypt("x", prod.recipient);
    const e = await thrown(provider.decrypt("dev", forProd));
    expect(e).toBeInstanceOf(CiphertextError);
    expect(e.message).toMatch(/no identity matched/);
    expect(await thrown(provider.decrypt("dev", "not age"))).toBeInstanceOf(CiphertextError);
  });

  it("an environment without recipients, or without identity_file, says which and what is missing", async () => {
    const noRecipients = (await thrown(provider.encrypt("stage", bytes("x")))) as PaastaError;
    expect(noRecipients.code).toBe("PAASTA_SECRETS_NOT_CONFIGURED");
    expect(noRecipients.message).toBe("secret environment stage: no recipients (age1… public keys) to encrypt to");
    const noIdentity = (await thrown(provider.decrypt("prod", ageEncrypt("x", prod.recipient)))) as PaastaError;
    expect(noIdentity.code).toBe("PAASTA_SECRETS_NOT_CONFIGURED");
    expect(noIdentity.message).toContain("secret environment prod: no identity_file");
  });

  it("an identity file that is missing, or holds no key, is PAASTA_SECRET_IDENTITY_UNREADABLE naming it", async () => {
    const bad = join(root, "bad.txt");
    writeFileSync(bad, "# not a key\n");
    const etc2 = writeSecretsSystemConfig(join(root, "etc2"), {
      gone: { identity_file: join(root, "nonexistent.txt") },
      bad: { identity_file: bad },
    });
    const p = await providerFor(loadSystemConfig(etc2));
    const gone = (await thrown(p.decrypt("gone", "x"))) as PaastaError;
    expect(gone.code).toBe("PAASTA_SECRET_IDENTITY_UNREADABLE");
    expect(gone.message).toContain(`identity file ${join(root, "nonexistent.txt")} of secret environment gone: ENOENT`);
    const empty = (await thrown(p.decrypt("bad", "x"))) as PaastaError;
    expect(empty.message).toContain("no AGE-SECRET-KEY-1… line");
  });

  it("without a `secrets` key every use is PAASTA_SECRETS_NOT_CONFIGURED", async () => {
    const p = await providerFor(undefined);
    const e = (await thrown(p.encrypt("dev", bytes("x")))) as PaastaError;
    expect(e.code).toBe("PAASTA_SECRETS_NOT_CONFIGURED");
  });

  it("an unknown provider or a malformed recipient is a system config error naming the key", () => {
    const etc3 = join(root, "etc3");
    writeSecretsSystemConfig(etc3, { dev: { recipients: ["ssh-ed25519 AAAA"] } });
    expect(() => loadSystemConfig(etc3).secrets()).toThrow(
      /secrets\.environments\.dev\.recipients\.0: an age public key/,
    );
    const etc4 = join(root, "etc4");
    writeSecretsSystemConfig(etc4, {});
    writeFileSync(join(etc4, "secrets.json"), JSON.stringify({ secrets: { provider: "vault", environments: {} } }));
    expect(() => loadSystemConfig(etc4).secrets()).toThrow(/secrets\.provider: /);
  });
});
