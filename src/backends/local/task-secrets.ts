/**
 * A task's secrets, decrypted when it starts (docs/secrets.md, "Delivery"): the SECRET() env values go into
 * its environment, each `secret_volumes` entry becomes files under `TASKDIR/secrets/CONTAINER_PATH/` (mode
 * 0400 unless the volume says otherwise). The process executor tells the task where with PAASTA_SECRETS_DIR
 * (a volume at container_path P is at $PAASTA_SECRETS_DIR/P); the docker executor bind-mounts each volume's
 * directory read-only at its container_path. The files go when the task ends. Plaintexts never reach the
 * store, the runtime's log or a status: a failure says which reference, file and environment, never a value.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { PaastaError } from "../../errors.js";
import type { DesiredApp } from "../../model/app.js";
import { writeSecretFiles } from "../../secrets/deliver.js";
import { refersToSecrets } from "../../secrets/source.js";
import type { SecretReader } from "../powers.js";

/** The variable that tells a process-executor task where its secret volumes are. */
export const SECRETS_DIR_VAR = "PAASTA_SECRETS_DIR";

/** Where a task's secret volume files live (under its own directory). */
export function secretsRoot(taskDir: string): string {
  return join(taskDir, "secrets");
}

/** Whether an app refers to secrets (the reconcile recorded their signatures). */
export function hasSecrets(app: DesiredApp): boolean {
  return Object.keys(app.secret_signatures ?? {}).length > 0;
}

/**
 * The secrets of a batch process (a job action's attempt, a one-off run): decided by its config, as no
 * reconcile recorded signatures for it. Same delivery as a task's; the files go with `removeTaskSecrets(dir)`.
 */
export function deliverBatchSecrets(
  reader: SecretReader | undefined,
  app: DesiredApp,
  dir: string,
): Promise<Record<string, string>> {
  return refersToSecrets(app) ? decryptInto(reader, app, dir) : Promise.resolve({});
}

/**
 * Decrypts the app's secrets for one task, writes its volume files, and returns the variables to add to its
 * environment (the SECRET() values, and PAASTA_SECRETS_DIR when it has secret volumes).
 */
export async function deliverTaskSecrets(
  reader: SecretReader | undefined,
  app: DesiredApp,
  taskDir: string,
): Promise<Record<string, string>> {
  return hasSecrets(app) ? decryptInto(reader, app, taskDir) : {};
}

async function decryptInto(
  reader: SecretReader | undefined,
  app: DesiredApp,
  taskDir: string,
): Promise<Record<string, string>> {
  if (!reader)
    throw new PaastaError("PAASTA_SECRETS_NOT_CONFIGURED", {
      environment: app.cluster,
      detail: "this runtime was started without a way to decrypt secrets",
    });
  const secrets = await reader.task(app);
  if (secrets.files.length === 0) return secrets.env;
  const root = secretsRoot(taskDir);
  writeSecretFiles(root, secrets.files);
  return { ...secrets.env, [SECRETS_DIR_VAR]: root };
}

/** Removes a task's secret files (at its end); nothing to do when it had none. */
export function removeTaskSecrets(taskDir: string): void {
  try {
    rmSync(secretsRoot(taskDir), { recursive: true, force: true });
  } catch {
    // the state directory went away
  }
}
