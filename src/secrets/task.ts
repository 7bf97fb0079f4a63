/**
 * Secrets of one task, for the runtime: at task start, the decrypted values of the instance's SECRET() env
 * values and secret_volumes; for the config hash, each referenced secret's signature (a rotation bounces).
 * Failures are typed catalogue errors naming the reference, the file and the secret environment, never a value.
 */
import type { SystemConfig } from "../config/system.js";
import { PaastaError } from "../errors.js";
import { requireSecretFile, type SecretLocation, secretLocation } from "./files.js";
import { signatureOf } from "./format.js";
import { CiphertextError, providerFor, type SecretProvider } from "./provider.js";
import {
  formatSecretRef,
  referencedSecrets,
  type SecretRef,
  type SecretVolume,
  secretEnvRefs,
  secretVolumesOf,
} from "./refs.js";

/** What the runtime knows of a task: its service, cluster, resolved `env` and `secret_volumes`. */
export interface TaskSecretsRequest {
  readonly soaDir: string;
  readonly system: SystemConfig | undefined;
  readonly service: string;
  readonly cluster: string;
  /** The instance's `env`, values such as `SECRET(name)` / `SHARED_SECRET(name)` included. */
  readonly env: Readonly<Record<string, string>>;
  /** The instance's resolved `secret_volumes`. */
  readonly secretVolumes: readonly Readonly<Record<string, unknown>>[];
}

/** A file of a secret volume: written at `containerPath/path`, `mode` (default SECRET_FILE_MODE). */
export interface TaskSecretFile {
  /** The volume's container_path (a directory). */
  readonly containerPath: string;
  /** The file name inside it: the item's `path`, else the secret's name (as Kubernetes mounts it). */
  readonly path: string;
  readonly content: Uint8Array;
  readonly mode: number;
  /** `SECRET(name)`, for messages. */
  readonly ref: string;
}

export interface TaskSecrets {
  /** Only the variables whose configured value is a reference, with the decrypted values (UTF-8). */
  readonly env: Record<string, string>;
  readonly files: TaskSecretFile[];
}

/** The mode of a secret volume file without `items[].mode` / `default_mode`: readable by the task's user only. */
export const SECRET_FILE_MODE = 0o400;

interface Located {
  readonly ref: SecretRef;
  readonly loc: SecretLocation;
  readonly environment: string;
  readonly ciphertext: string;
}

/** The ciphertext of `ref` for `cluster`'s secret environment, or a typed error naming what is missing. */
function locate(req: TaskSecretsRequest, ref: SecretRef): Located {
  const loc = secretLocation(req.soaDir, req.service, ref);
  const file = requireSecretFile(loc, ref);
  const environment = req.system?.secretEnvironment(req.cluster) ?? req.cluster;
  const ciphertext = file.environments[environment]?.ciphertext;
  if (!ciphertext)
    throw new PaastaError("PAASTA_SECRET_NO_CIPHERTEXT", { file: loc.display, environment, cluster: req.cluster });
  return { ref, loc, environment, ciphertext };
}

/**
 * `SECRET(name)` → signature of each secret the task refers to, in key order (for the config hash). Reads the
 * files only; needs no key. Throws PAASTA_SECRET_NOT_FOUND / _FILE_INVALID / _NO_CIPHERTEXT.
 */
export function secretSignatures(req: TaskSecretsRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const ref of referencedSecrets(req.env, secretVolumesOf(req.secretVolumes))) {
    out[formatSecretRef(ref)] = signatureOf(locate(req, ref).ciphertext);
  }
  return out;
}

/**
 * `SECRET(name)` → plaintext of each secret the task refers to (what a Kubernetes Secret per secret holds).
 * Pass a long-lived `provider` (providerFor(system)) to reuse it across tasks. Throws the first failure, in
 * reference order, as a catalogue error (see secretSignatures, plus PAASTA_SECRET_UNDECRYPTABLE,
 * PAASTA_SECRETS_NOT_CONFIGURED, PAASTA_SECRET_IDENTITY_UNREADABLE).
 */
export async function decryptSecretValues(
  req: TaskSecretsRequest,
  provider?: SecretProvider,
): Promise<Map<string, Uint8Array>> {
  const refs = referencedSecrets(req.env, secretVolumesOf(req.secretVolumes));
  const plain = new Map<string, Uint8Array>();
  if (refs.length === 0) return plain;
  const located = refs.map((ref) => locate(req, ref));
  const p = provider ?? (await providerFor(req.system));
  // Decrypted concurrently (WebCrypto works off the main thread); the first failure in reference order wins.
  const settled = await Promise.allSettled(located.map((l) => decryptOne(p, l)));
  settled.forEach((r, i) => {
    if (r.status === "rejected") throw r.reason;
    plain.set(formatSecretRef((located[i] as Located).ref), r.value);
  });
  return plain;
}

/** What the task needs at start: its secret env values (UTF-8) and secret volume files (see decryptSecretValues). */
export async function decryptTaskSecrets(req: TaskSecretsRequest, provider?: SecretProvider): Promise<TaskSecrets> {
  const plain = await decryptSecretValues(req, provider);
  const text = new TextDecoder();
  const env: Record<string, string> = {};
  for (const [key, ref] of secretEnvRefs(req.env)) env[key] = text.decode(plain.get(formatSecretRef(ref)));
  const files = secretVolumesOf(req.secretVolumes).map((v) =>
    volumeFile(v, plain.get(formatSecretRef({ name: v.secret_name, shared: false }))),
  );
  return { env, files };
}

async function decryptOne(p: SecretProvider, l: Located): Promise<Uint8Array> {
  try {
    return await p.decrypt(l.environment, l.ciphertext);
  } catch (e) {
    if (e instanceof CiphertextError)
      throw new PaastaError(
        "PAASTA_SECRET_UNDECRYPTABLE",
        { file: l.loc.display, environment: l.environment, detail: e.message },
        { cause: e },
      );
    throw e;
  }
}

function volumeFile(v: SecretVolume, content: Uint8Array | undefined): TaskSecretFile {
  const item = v.items?.[0];
  return {
    containerPath: v.container_path,
    path: item?.path ?? v.secret_name,
    content: content ?? new Uint8Array(),
    mode: parseMode(item?.mode) ?? parseMode(v.default_mode) ?? SECRET_FILE_MODE,
    ref: formatSecretRef({ name: v.secret_name, shared: false }),
  };
}

/** An octal mode string ("0400", "644"); undefined when absent or not one. */
export function parseMode(mode: string | undefined): number | undefined {
  return mode !== undefined && /^0?[0-7]{3}$/.test(mode) ? Number.parseInt(mode, 8) : undefined;
}
