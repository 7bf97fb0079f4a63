/** Secrets (age-encrypted files in soa-configs). */
import type { ErrorDef } from "./def.js";

export const SECRETS_ERRORS = {
  PAASTA_SECRET_NOT_FOUND: {
    message: "{ref} has no secret file {file}",
    fix: "Create it with `paasta secret add -s SERVICE -n NAME` (`--shared` for SHARED_SECRET) and commit it.",
    exit: 1,
    http: 404,
  },
  PAASTA_SECRET_FILE_INVALID: {
    message: "{file}: {detail}",
    fix: 'Restore it from git, or write it again with `paasta secret update`: {"environments": {ENV: {"ciphertext", "signature"}}}.',
    exit: 1,
    http: 422,
  },
  PAASTA_SECRET_NO_CIPHERTEXT: {
    message: "{file} has no ciphertext for secret environment {environment} (cluster {cluster})",
    fix: "Add one with `paasta secret update … -c {cluster}`; a cluster's environment is vault_cluster_map[cluster], else its name.",
    exit: 1,
    http: 422,
  },
  PAASTA_SECRET_UNDECRYPTABLE: {
    message: "{file}: the ciphertext of secret environment {environment} cannot be decrypted: {detail}",
    fix: "secrets.environments.{environment}.identity_file must hold the key of one of its recipients; else re-encrypt with `paasta secret update`.",
    exit: 1,
    http: 422,
  },
  PAASTA_SECRET_EXISTS: {
    message: "{file} already has a ciphertext for secret environment(s) {environments}",
    fix: "Use `paasta secret update` to replace the value.",
    exit: 1,
    http: 409,
  },
  PAASTA_SECRETS_NOT_CONFIGURED: {
    message: "secret environment {environment}: {detail}",
    fix: "Set the system config key secrets.environments.{environment} ({recipients, identity_file}): see docs/secrets.md.",
    exit: 2,
    http: 500,
  },
  PAASTA_SECRET_IDENTITY_UNREADABLE: {
    message: "identity file {file} of secret environment {environment}: {detail}",
    fix: "It must be readable by paasta and hold age-keygen's AGE-SECRET-KEY-1… line; or fix secrets.environments.{environment}.identity_file.",
    exit: 2,
    http: 500,
  },
} as const satisfies Record<string, ErrorDef>;
