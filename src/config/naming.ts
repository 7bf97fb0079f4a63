/** PaaSTA's naming rules (reference §1.3): sanitising for Kubernetes and length limits. */
import { createHash } from "node:crypto";

/** `my_svc` → `my--svc`; a leading `--` becomes `underscore-`; lowercase. */
export function sanitiseForKubernetes(name: string): string {
  let s = name.replace(/_/g, "--");
  if (s.startsWith("--")) s = `underscore-${s.slice(2)}`;
  return s.toLowerCase();
}

/** The Kubernetes object name of an instance: `sanitise(service)-sanitise(instance)`. */
export function kubernetesAppName(service: string, instance: string): string {
  return `${sanitiseForKubernetes(service)}-${sanitiseForKubernetes(instance)}`;
}

export function defaultNamespace(service: string): string {
  return `paastasvc-${sanitiseForKubernetes(service)}`;
}

/** Values over `limit` characters keep their first `limit-5` characters, then `-` and 4 base32 chars of md5. */
export function limitSizeWithHash(name: string, limit = 63, suffix = 4): string {
  if (name.length <= limit) return name;
  const digest = createHash("md5").update(name).digest();
  const hash = base32(digest).toLowerCase().slice(0, suffix);
  return `${name.slice(0, limit - suffix - 1)}-${hash}`;
}

function base32(buf: Buffer): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0;
  let value = 0;
  let out = "";
  for (const byte of buf) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

/** `SERVICE.INSTANCE` parts, or undefined unless there is exactly one dot. */
export function splitRegistration(reg: string): { service: string; namespace: string } | undefined {
  const parts = reg.split(".");
  if (parts.length !== 2 || !parts[0] || !parts[1]) return undefined;
  return { service: parts[0], namespace: parts[1] };
}
