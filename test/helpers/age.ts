/**
 * Debian's `age` tool (installed by scripts/testenv-tools): keys made by age-keygen, and encryption/decryption
 * by the reference implementation, to check paasta's ciphertexts against it both ways.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

function tool(name: string, args: string[], input?: string | Uint8Array): Buffer {
  try {
    return execFileSync(name, args, { input, stdio: ["pipe", "pipe", "pipe"] });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
    if (err.code === "ENOENT")
      throw new Error(
        `${name} is not installed: run scripts/testenv-tools tools setup (as root), or apt-get install age`,
      );
    throw new Error(`${name} ${args.join(" ")} failed: ${err.stderr?.toString() ?? err.message}`);
  }
}

export interface AgeKey {
  /** The private key file (age-keygen's output). */
  readonly identityFile: string;
  /** Its public key, age1… */
  readonly recipient: string;
}

/** A new key pair in `dir/name.txt`, made by age-keygen. */
export function ageKeygen(dir: string, name = "key"): AgeKey {
  mkdirSync(dir, { recursive: true });
  const identityFile = join(dir, `${name}.txt`);
  tool("age-keygen", ["-o", identityFile]);
  return { identityFile, recipient: tool("age-keygen", ["-y", identityFile]).toString().trim() };
}

/** `age -d -i KEY` of an (armoured) ciphertext: the plaintext bytes. */
export function ageDecrypt(ciphertext: string, identityFile: string): Buffer {
  return tool("age", ["-d", "-i", identityFile], ciphertext);
}

/** `age -r RECIPIENT -a` of a plaintext: an armoured ciphertext. */
export function ageEncrypt(plaintext: string | Uint8Array, ...recipients: string[]): string {
  return tool("age", [...recipients.flatMap((r) => ["-r", r]), "-a"], plaintext).toString();
}

/** A system config directory whose `secrets` key configures the age provider for `environments`. */
export function writeSecretsSystemConfig(
  etc: string,
  environments: Record<string, { recipients?: string[]; identity_file?: string }>,
  extra: Record<string, unknown> = {},
): string {
  mkdirSync(etc, { recursive: true });
  writeFileSync(join(etc, "secrets.json"), JSON.stringify({ secrets: { provider: "age", environments }, ...extra }));
  return etc;
}
