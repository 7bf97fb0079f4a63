/**
 * PaaSTA's secret file, `secrets/NAME.json`: one ciphertext per secret environment, each with a signature.
 *
 *     {"environments": {"dev": {"ciphertext": "-----BEGIN AGE ENCRYPTED FILE-----\n…", "signature": "3f…"}}}
 *
 * The signature is the SHA-256 of the ciphertext text (hex). It changes whenever the value is encrypted again,
 * so a rotation changes the config hash and bounces the instance; it says nothing about the plaintext (a hash
 * of a short plaintext could be brute-forced). Users see its first SIGNATURE_SHOWN characters. Other top-level
 * keys (PaaSTA's `extra_namespaces`) and other keys of an environment are kept as they are.
 */
import { createHash } from "node:crypto";
import { z } from "zod";

const environmentEntry = z.looseObject({ ciphertext: z.string().min(1), signature: z.string().optional() });
const secretFileSchema = z.looseObject({ environments: z.record(z.string(), environmentEntry) });

export type SecretEnvironmentEntry = z.infer<typeof environmentEntry>;
export type SecretFileData = z.infer<typeof secretFileSchema>;

/** How many hex characters of a signature are shown to users (status, list, dry runs). */
export const SIGNATURE_SHOWN = 12;

/** The signature of a ciphertext: lowercase hex SHA-256 of its text. */
export function signatureOf(ciphertext: string): string {
  return createHash("sha256").update(ciphertext, "utf8").digest("hex");
}

/** The prefix of a signature users see. */
export function shortSignature(signature: string): string {
  return signature.slice(0, SIGNATURE_SHOWN);
}

/** Parses a secret file's text; a string describing what is wrong when it is not one. */
export function parseSecretFile(text: string): SecretFileData | string {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return `invalid JSON: ${(e as Error).message}`;
  }
  const parsed = secretFileSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? issue.path.join(".") : "the file";
  return `${where}: ${issue?.message ?? "not a secrets file"} (expected {"environments": {ENV: {"ciphertext": …}}})`;
}

/** The file with `environment`'s ciphertext replaced (its signature recomputed); other content is kept. */
export function withCiphertext(
  file: SecretFileData | undefined,
  environment: string,
  ciphertext: string,
): SecretFileData {
  const base = file ?? { environments: {} };
  const entry = { ...base.environments[environment], ciphertext, signature: signatureOf(ciphertext) };
  return { ...base, environments: { ...base.environments, [environment]: entry } };
}

/** Stable text: environments sorted by name, two-space indent, final newline (small git diffs). */
export function renderSecretFile(file: SecretFileData): string {
  const environments = Object.fromEntries(
    Object.keys(file.environments)
      .sort()
      .map((env) => [env, file.environments[env]]),
  );
  return `${JSON.stringify({ ...file, environments }, null, 2)}\n`;
}
