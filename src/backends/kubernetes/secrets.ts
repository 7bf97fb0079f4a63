/**
 * SECRET() values on Kubernetes (PaaSTA's paasta_secrets_sync): one Secret per service secret and namespace,
 * named as the pods reference it (render/names.ts secretObjectName), data key = the secret's name, labelled as
 * ours and annotated with the signature of the ciphertext it holds. A pass writes a Secret only when it is
 * missing or its signature differs from the app's (a rotation), before the workload that references it, so
 * a rotated value and the bounce it causes arrive together. Secrets no desired app and no live workload refer
 * to are deleted after the pass, under the reconcile's rails (cleanupSecrets). The plaintext is held only for
 * the write; the watched copy keeps what the server answers, in deployd's memory.
 */
import { PaastaError } from "../../errors.js";
import type { DesiredApp } from "../../model/app.js";
import { parseSecretRef } from "../../secrets/refs.js";
import type { SecretReader } from "../powers.js";
import type { Kube } from "./client.js";
import { isDeleting, type LiveState } from "./live.js";
import { sanitiseForKubernetes, secretObjectName } from "./render/names.js";
import { type KubeObject, MANAGED } from "./render/types.js";

export const SECRET_LABEL = "paasta.yelp.com/secret";
export const SECRET_SELECTOR = `${MANAGED}=true,${SECRET_LABEL}=true`;
export const SIGNATURE_ANNOTATION = "paasta.yelp.com/secret_signature";
const SHARED_OWNER = "underscore-shared";

/** The Secrets an app refers to: object name, reference, signature. */
export function secretsOf(app: DesiredApp): Array<{ name: string; ref: string; signature: string }> {
  return Object.entries(app.secret_signatures ?? {}).flatMap(([ref, signature]) => {
    const r = parseSecretRef(ref);
    if (!r) return [];
    return [{ name: secretObjectName(app.config.namespace, app.service, r.name, r.shared), ref, signature }];
  });
}

/** The Secret object of one reference (pure). */
export function secretObject(
  app: DesiredApp,
  name: string,
  ref: string,
  signature: string,
  value: Uint8Array,
): KubeObject {
  const r = parseSecretRef(ref);
  const owner = r?.shared ? SHARED_OWNER : sanitiseForKubernetes(app.service);
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name,
      namespace: app.config.namespace,
      labels: {
        [MANAGED]: "true",
        [SECRET_LABEL]: "true",
        "paasta.yelp.com/service": owner,
        "yelp.com/paasta_service": owner,
      },
      annotations: { [SIGNATURE_ANNOTATION]: signature, "paasta.yelp.com/secret_ref": ref },
    },
    type: "Opaque",
    data: { [r?.name ?? "value"]: Buffer.from(value).toString("base64") },
  };
}

const signatureOf = (o: KubeObject | undefined) => o?.metadata.annotations?.[SIGNATURE_ANNOTATION];

/**
 * Creates or replaces the app's Secrets whose signature differs from the live one; true if it wrote. Throws
 * the secret's catalogue error when a value cannot be decrypted (the app is then left as it runs).
 */
export async function syncSecrets(
  kube: Kube,
  live: LiveState,
  app: DesiredApp,
  reader: SecretReader | undefined,
): Promise<boolean> {
  const stale = secretsOf(app).filter((s) => {
    const o = live.get("Secret", app.config.namespace, s.name);
    return !o || isDeleting(o) || signatureOf(o) !== s.signature;
  });
  if (stale.length === 0) return false;
  if (!reader)
    throw new PaastaError("PAASTA_SECRETS_NOT_CONFIGURED", {
      environment: app.cluster,
      detail: "this process was started without a way to decrypt secrets",
    });
  const values = await reader.values(app);
  for (const s of stale) {
    const value = values.get(s.ref) ?? new Uint8Array();
    live.noteApplied(await kube.apply(secretObject(app, s.name, s.ref, s.signature, value)));
  }
  return true;
}

/** Names of Secrets a workload's pod template refers to (env secretKeyRef, secret volumes). */
export function referencedSecretNames(w: KubeObject): string[] {
  const spec = (w as { spec?: { template?: { spec?: Record<string, unknown> } } }).spec?.template?.spec ?? {};
  const names: string[] = [];
  const containers = (spec.containers ?? []) as Array<{
    env?: Array<{ valueFrom?: { secretKeyRef?: { name?: string } } }>;
  }>;
  for (const c of containers)
    for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef?.name) names.push(e.valueFrom.secretKeyRef.name);
  for (const v of (spec.volumes ?? []) as Array<{ secret?: { secretName?: string } }>)
    if (v.secret?.secretName) names.push(v.secret.secretName);
  return names;
}

/**
 * Deletes our Secrets that no desired app wants and no live workload refers to, except those of services in
 * `keepServices` (left as they run; shared secrets are kept while any service is). Returns `namespace/name`s.
 */
export async function cleanupSecrets(
  kube: Kube,
  live: LiveState,
  desired: readonly DesiredApp[],
  keepServices: ReadonlySet<string>,
): Promise<string[]> {
  const wanted = new Set(desired.flatMap((a) => secretsOf(a).map((s) => `${a.config.namespace}/${s.name}`)));
  for (const w of [...live.all("Deployment"), ...live.all("StatefulSet")])
    for (const n of referencedSecretNames(w)) wanted.add(`${w.metadata.namespace}/${n}`);
  const kept = new Set([...keepServices].map(sanitiseForKubernetes));
  const removed: string[] = [];
  for (const s of live.all("Secret")) {
    const key = `${s.metadata.namespace}/${s.metadata.name}`;
    const owner = s.metadata.labels?.["paasta.yelp.com/service"] ?? "";
    if (s.metadata.labels?.[SECRET_LABEL] !== "true" || isDeleting(s) || wanted.has(key)) continue;
    if (kept.has(owner) || (owner === SHARED_OWNER && kept.size > 0)) continue;
    await kube.delete("v1", "Secret", s.metadata.namespace, s.metadata.name);
    live.noteDeleted("Secret", s.metadata.namespace, s.metadata.name);
    removed.push(key);
  }
  return removed;
}
