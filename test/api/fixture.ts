/**
 * The API over a real LocalBackend store in a temp state dir, with the examples tree as soa-configs and
 * hello.main applied (deployed at SHA). The supervisor is not started, so no task runs.
 */
import { cpSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type ApiContext, buildApi } from "../../src/api/app.js";
import { ProcessExecutor } from "../../src/backends/local/executors/process.js";
import { LocalBackend } from "../../src/backends/local/index.js";
import { desiredState } from "../../src/reconcile/desired.js";
import { EXAMPLES, tempDir } from "../helpers/cli.js";

export const SHA = "b".repeat(40);

export interface ApiFixture {
  readonly app: ReturnType<typeof buildApi>;
  readonly backend: LocalBackend;
  /** The soa-configs tree (a copy of the examples). */
  readonly soa: string;
}

/** `extra`: more of the API's context (e.g. an alert source). */
export async function apiFixture(extra: Partial<ApiContext> = {}): Promise<ApiFixture> {
  const root = tempDir("paasta-api-");
  const soa = join(root, "soa");
  cpSync(EXAMPLES, soa, { recursive: true });
  writeFileSync(
    join(soa, "hello/deployments.json"),
    JSON.stringify({
      v1: {},
      v2: {
        deployments: {
          "dev.everything": { docker_image: `services-hello:paasta-${SHA}`, git_sha: SHA, image_version: null },
        },
        controls: {},
      },
    }),
  );
  const backend = new LocalBackend({
    cluster: "dev",
    stateDir: join(root, "state"),
    executor: (d) => new ProcessExecutor(d),
  });
  for (const a of desiredState(soa, undefined, "dev").apps) await backend.apply(a);
  const app = buildApi({ cluster: "dev", backend, soaDir: soa, token: "s3cret", version: "9.9.9", ...extra });
  return { app, backend, soa };
}
