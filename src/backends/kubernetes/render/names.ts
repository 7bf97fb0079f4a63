/** Kubernetes names for PaaSTA objects (reference §1.3): sanitising, 63-character limits with a hash. */
import { createHash } from "node:crypto";
import { kubernetesAppName, limitSizeWithHash, sanitiseForKubernetes } from "../../../config/naming.js";

export { kubernetesAppName, limitSizeWithHash, sanitiseForKubernetes };

/** The main container's name: the sanitised instance. */
export function containerName(instance: string): string {
  return sanitiseForKubernetes(instance);
}

/** `host--PATH` etc.: `/` → `slash-`, `.` → `dot-`, sanitised; over the limit, cut and suffixed with md5. */
export function volumeName(prefix: string, path: string, limit = 63): string {
  const raw = `${prefix}--${path.replace(/\//g, "slash-").replace(/\./g, "dot-")}`;
  const name = sanitiseForKubernetes(raw).replace(/[^a-z0-9-]/g, "-");
  if (name.length <= limit) return name;
  const hash = createHash("md5").update(name).digest("hex").slice(0, 4);
  return `${name.slice(0, limit - 6)}--${hash}`;
}

/** The Secret holding `SECRET(name)` for a service in a namespace (`…-secret-underscore-shared-…` when shared). */
export function secretObjectName(namespace: string, service: string, secret: string, shared: boolean): string {
  const owner = shared ? "underscore-shared" : sanitiseForKubernetes(service);
  return limitSizeWithHash(`${namespace}-secret-${owner}-${sanitiseForKubernetes(secret)}`, 253);
}
