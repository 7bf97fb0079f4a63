/**
 * Secrets: PaaSTA's `secrets/NAME.json` files, encrypted with a pluggable provider (age built in). What the
 * runtime and the reconcile use; the CLI (`paasta secret`) and `paasta validate` use the modules directly.
 * Design and walkthrough: docs/secrets.md.
 */
export { writeSecretFiles } from "./deliver.js";
export { SIGNATURE_SHOWN, shortSignature, signatureOf } from "./format.js";
export { preloadProvider, providerFor, type SecretProvider } from "./provider.js";
export { formatSecretRef, parseSecretRef, type SecretRef } from "./refs.js";
export { refersToSecrets, SecretSource, secretsRequest } from "./source.js";
export {
  decryptSecretValues,
  decryptTaskSecrets,
  SECRET_FILE_MODE,
  secretSignatures,
  type TaskSecretFile,
  type TaskSecrets,
  type TaskSecretsRequest,
} from "./task.js";
