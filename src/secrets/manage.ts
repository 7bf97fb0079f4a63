/**
 * What `paasta secret` does, as functions: add or update a value for the secret environments of some
 * clusters, decrypt one, list a service's secrets. Plaintexts go in and out as bytes; nothing here prints.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { readServiceDir, serviceClusters } from "../config/soa.js";
import type { SystemConfig } from "../config/system.js";
import { PaastaError } from "../errors.js";
import { listSecretNames, readSecretFile, requireSecretFile, secretLocation, writeSecretFile } from "./files.js";
import { shortSignature, signatureOf, withCiphertext } from "./format.js";
import { CiphertextError, providerFor, type SecretProvider } from "./provider.js";
import { SECRET_NAME, type SecretRef } from "./refs.js";

export interface SecretTarget {
  readonly soaDir: string;
  readonly system: SystemConfig | undefined;
  /** The service, or undefined for a shared secret (`--shared`). */
  readonly service: string | undefined;
  readonly name: string;
}

function refOf(t: SecretTarget): SecretRef {
  if (!SECRET_NAME.test(t.name))
    throw new PaastaError("PAASTA_USAGE", {
      detail: `secret name "${t.name}": only letters, digits, - and _, not starting with - or _`,
    });
  return { name: t.name, shared: t.service === undefined };
}

function locationOf(t: SecretTarget) {
  if (t.service !== undefined && !existsSync(join(t.soaDir, t.service, "service.yaml")))
    throw new PaastaError("PAASTA_SERVICE_NOT_FOUND", { service: t.service, dir: t.soaDir });
  return secretLocation(t.soaDir, t.service ?? "", refOf(t));
}

/** The clusters to act on: those given, else every cluster the service has a TYPE-CLUSTER.yaml for. */
export function targetClusters(t: SecretTarget, given: readonly string[] | undefined): string[] {
  if (given && given.length > 0) return [...new Set(given)].sort();
  if (t.service === undefined)
    throw new PaastaError("PAASTA_USAGE", { detail: "a shared secret needs -c/--clusters CLUSTER[,CLUSTER]" });
  const clusters = serviceClusters(readServiceDir(t.soaDir, t.service));
  if (clusters.length === 0)
    throw new PaastaError("PAASTA_USAGE", {
      detail: `${t.service} has no TYPE-CLUSTER.yaml file: pass -c/--clusters CLUSTER[,CLUSTER]`,
    });
  return clusters;
}

export interface WriteResult {
  readonly file: string;
  /** Secret environment → the new signature's prefix. */
  readonly environments: Readonly<Record<string, string>>;
}

/**
 * `add` (refuses an environment that already has a value) or `update` (the file must exist): encrypts
 * `plaintext` once per secret environment of `clusters` and writes the file.
 */
export async function writeSecret(
  t: SecretTarget & { readonly clusters: readonly string[]; readonly action: "add" | "update" },
  plaintext: Uint8Array,
  provider?: SecretProvider,
): Promise<WriteResult> {
  const loc = locationOf(t);
  const environments = [...new Set(t.clusters.map((c) => t.system?.secretEnvironment(c) ?? c))].sort();
  let file = t.action === "update" ? requireSecretFile(loc, refOf(t)) : readSecretFile(loc);
  if (t.action === "add" && file) {
    const taken = environments.filter((env) => file?.environments[env] !== undefined);
    if (taken.length > 0)
      throw new PaastaError("PAASTA_SECRET_EXISTS", { file: loc.display, environments: taken.join(", ") });
  }
  const p = provider ?? (await providerFor(t.system));
  const shown: Record<string, string> = {};
  for (const env of environments) {
    const ciphertext = await p.encrypt(env, plaintext);
    file = withCiphertext(file, env, ciphertext);
    shown[env] = shortSignature(signatureOf(ciphertext));
  }
  if (file) writeSecretFile(loc, file);
  return { file: loc.display, environments: shown };
}

/** The plaintext of the secret for `cluster`'s secret environment. */
export async function decryptSecret(
  t: SecretTarget & { readonly cluster: string },
  provider?: SecretProvider,
): Promise<Uint8Array> {
  const loc = locationOf(t);
  const file = requireSecretFile(loc, refOf(t));
  const environment = t.system?.secretEnvironment(t.cluster) ?? t.cluster;
  const ciphertext = file.environments[environment]?.ciphertext;
  if (!ciphertext)
    throw new PaastaError("PAASTA_SECRET_NO_CIPHERTEXT", { file: loc.display, environment, cluster: t.cluster });
  const p = provider ?? (await providerFor(t.system));
  try {
    return await p.decrypt(environment, ciphertext);
  } catch (e) {
    if (!(e instanceof CiphertextError)) throw e;
    throw new PaastaError("PAASTA_SECRET_UNDECRYPTABLE", { file: loc.display, environment, detail: e.message });
  }
}

export interface SecretListing {
  readonly name: string;
  readonly file: string;
  /** Secret environment → signature prefix (computed from the ciphertext). */
  readonly environments: Readonly<Record<string, string>>;
  /** Set when the file cannot be read as a secrets file. */
  readonly problem?: string;
}

/** Every secret of the service (or the shared ones), with the environments it has a value for. */
export function listSecrets(soaDir: string, service: string | undefined): SecretListing[] {
  return listSecretNames(soaDir, service ?? "", service === undefined).map((name) => {
    const loc = secretLocation(soaDir, service ?? "", { name, shared: service === undefined });
    try {
      const file = readSecretFile(loc);
      const environments = Object.fromEntries(
        Object.keys(file?.environments ?? {})
          .sort()
          .map((env) => [env, shortSignature(signatureOf(file?.environments[env]?.ciphertext ?? ""))]),
      );
      return { name, file: loc.display, environments };
    } catch (e) {
      return { name, file: loc.display, environments: {}, problem: (e as Error).message };
    }
  });
}
