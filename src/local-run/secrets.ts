/**
 * `paasta local-run` with the instance's secrets, as the runtime delivers them: SECRET() env values decrypted
 * into the run's environment, secret_volumes written (0400) into a private temporary directory that is
 * bind-mounted read-only at each container_path (docker) or named by PAASTA_SECRETS_DIR (process). Applied
 * only to the run itself: `--dry-run` prints the plan with SECRET(name) as written, and `--skip-secrets`
 * leaves them so (PaaSTA's flag). The directory is removed when the run ends.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SystemConfig } from "../config/system.js";
import { writeSecretFiles } from "../secrets/deliver.js";
import { preloadProvider } from "../secrets/provider.js";
import { referencedSecrets, secretVolumesOf } from "../secrets/refs.js";
import { decryptTaskSecrets } from "../secrets/task.js";
import type { RunPlan } from "./plan.js";
import { type LocalRunTarget, runnable } from "./spec.js";

export async function withSecrets(
  plan: RunPlan,
  target: LocalRunTarget,
  soaDir: string,
  system: SystemConfig | undefined,
): Promise<{ plan: RunPlan; cleanup(): void }> {
  const r = runnable(target);
  const volumes = r.secret_volumes as unknown as Readonly<Record<string, unknown>>[];
  if (referencedSecrets(r.env, secretVolumesOf(volumes)).length === 0) return { plan, cleanup: () => {} };
  const secrets = await decryptTaskSecrets(
    { soaDir, system, service: r.service, cluster: plan.cluster, env: r.env, secretVolumes: volumes },
    await preloadProvider(system),
  );
  if (secrets.files.length === 0) return { plan: { ...plan, env: { ...plan.env, ...secrets.env } }, cleanup: () => {} };
  const dir = mkdtempSync(join(tmpdir(), "paasta-local-run-secrets-"));
  writeSecretFiles(dir, secrets.files);
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  if (plan.executor === "docker") {
    const binds = [...new Set(secrets.files.map((f) => f.containerPath))].map((p) => `${join(dir, p)}:${p}:ro`);
    return { plan: { ...plan, env: { ...plan.env, ...secrets.env }, binds: [...plan.binds, ...binds] }, cleanup };
  }
  return { plan: { ...plan, env: { ...plan.env, ...secrets.env, PAASTA_SECRETS_DIR: dir } }, cleanup };
}
