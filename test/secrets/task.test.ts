/**
 * What the runtime calls at task start (decryptTaskSecrets, writeSecretFiles) and what the reconcile puts in
 * the config hash (secretSignatures), over a soa-configs tree on disk, real age keys and ciphertexts made by
 * `paasta secret`'s own code (writeSecret) and by Debian's age.
 */
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadSystemConfig } from "../../src/config/system.js";
import type { PaastaError } from "../../src/errors.js";
import { writeSecretFiles } from "../../src/secrets/deliver.js";
import { signatureOf } from "../../src/secrets/format.js";
import { writeSecret } from "../../src/secrets/manage.js";
import {
  decryptSecretValues,
  decryptTaskSecrets,
  secretSignatures,
  type TaskSecretsRequest,
} from "../../src/secrets/task.js";
import { ageEncrypt, ageKeygen, writeSecretsSystemConfig } from "../helpers/age.js";
import { tempDir } from "../helpers/paths.js";

const root = tempDir("paasta-task-secrets-");
afterAll(() => rmSync(root, { recursive: true, force: true }));
const soaDir = join(root, "soa");
mkdirSync(join(soaDir, "web"), { recursive: true });
writeFileSync(join(soaDir, "web/service.yaml"), "description: web\n");
const devKey = ageKeygen(root, "dev");
const prodKey = ageKeygen(root, "prod");
const etc = writeSecretsSystemConfig(
  join(root, "etc"),
  {
    dev: { recipients: [devKey.recipient], identity_file: devKey.identityFile },
    prod: { recipients: [prodKey.recipient] },
  },
  { vault_cluster_map: { "dev-east": "dev", "dev-west": "dev", "prod-east": "prod" } },
);
const system = loadSystemConfig(etc);
const bytes = (s: string) => new TextEncoder().encode(s);

await writeSecret(
  { soaDir, system, service: "web", name: "db_password", clusters: ["dev-east", "prod-east"], action: "add" },
  bytes("hunter2"),
);
await writeSecret(
  { soaDir, system, service: undefined, name: "api_token", clusters: ["dev-east"], action: "add" },
  bytes("tok-123"),
);
await writeSecret(
  { soaDir, system, service: "web", name: "tls_key", clusters: ["dev-west"], action: "add" },
  bytes("-----KEY-----\n"),
);

const request = (over: Partial<TaskSecretsRequest> = {}): TaskSecretsRequest => ({
  soaDir,
  system,
  service: "web",
  cluster: "dev-east",
  env: { DB: "SECRET(db_password)", TOKEN: "SHARED_SECRET(api_token)", PLAIN: "value" },
  secretVolumes: [
    { container_path: "/etc/tls", secret_name: "tls_key" },
    {
      container_path: "/etc/db",
      secret_name: "db_password",
      items: [{ key: "db_password", path: "pw", mode: "0440" }],
    },
  ],
  ...over,
});

async function thrown(p: Promise<unknown> | (() => unknown)): Promise<PaastaError> {
  try {
    await (typeof p === "function" ? p() : p);
  } catch (e) {
    return e as PaastaError;
  }
  throw new Error("expected an error");
}

describe("decryptTaskSecrets", () => {
  it("gives the referenced env values and the secret volume files, decrypted", async () => {
    const s = await decryptTaskSecrets(request());
    expect(s.env).toEqual({ DB: "hunter2", TOKEN: "tok-123" });
    expect(s.files.map((f) => ({ ...f, content: Buffer.from(f.content).toString() }))).toEqual([
      { containerPath: "/etc/tls", path: "tls_key", content: "-----KEY-----\n", mode: 0o400, ref: "SECRET(tls_key)" },
      { containerPath: "/etc/db", path: "pw", content: "hunter2", mode: 0o440, ref: "SECRET(db_password)" },
    ]);
  });

  it("decryptSecretValues gives each referenced secret's plaintext once (a Kubernetes Secret per secret)", async () => {
    const values = await decryptSecretValues(request());
    expect(Object.fromEntries([...values].map(([ref, v]) => [ref, Buffer.from(v).toString()]))).toEqual({
      "SECRET(db_password)": "hunter2",
      "SECRET(tls_key)": "-----KEY-----\n",
      "SHARED_SECRET(api_token)": "tok-123",
    });
  });

  it("a task without references needs no key and no provider", async () => {
    const s = await decryptTaskSecrets(request({ system: undefined, env: { A: "b" }, secretVolumes: [] }));
    expect(s).toEqual({ env: {}, files: [] });
  });

  it("decrypts a value written by Debian's age into the file", async () => {
    const path = join(soaDir, "web/secrets/db_password.json");
    const file = JSON.parse(readFileSync(path, "utf8"));
    const ct = ageEncrypt("from-the-age-cli", devKey.recipient);
    file.environments.dev = { ciphertext: ct, signature: signatureOf(ct) };
    const copy = join(soaDir, "web/secrets/from_cli.json");
    writeFileSync(copy, JSON.stringify(file));
    const s = await decryptTaskSecrets(request({ env: { X: "SECRET(from_cli)" }, secretVolumes: [] }));
    expect(s.env).toEqual({ X: "from-the-age-cli" });
  });

  it("names the missing file, the missing environment, or the undecryptable ciphertext", async () => {
    const missing = await thrown(decryptTaskSecrets(request({ env: { X: "SECRET(nope)" } })));
    expect([missing.code, missing.message]).toEqual([
      "PAASTA_SECRET_NOT_FOUND",
      "SECRET(nope) has no secret file web/secrets/nope.json",
    ]);
    const noEnv = await thrown(decryptTaskSecrets(request({ cluster: "staging" })));
    expect([noEnv.code, noEnv.message]).toEqual([
      "PAASTA_SECRET_NO_CIPHERTEXT",
      "web/secrets/db_password.json has no ciphertext for secret environment staging (cluster staging)",
    ]);
    // prod has a ciphertext but this machine has no prod identity
    const noKey = await thrown(
      decryptTaskSecrets(request({ cluster: "prod-east", secretVolumes: [], env: { DB: "SECRET(db_password)" } })),
    );
    expect(noKey.code).toBe("PAASTA_SECRETS_NOT_CONFIGURED");
    // a prod ciphertext copied into dev: the dev key cannot open it
    const path = join(soaDir, "web/secrets/swapped.json");
    const prodCt = ageEncrypt("x", prodKey.recipient);
    writeFileSync(path, JSON.stringify({ environments: { dev: { ciphertext: prodCt, signature: "" } } }));
    const swapped = await thrown(decryptTaskSecrets(request({ env: { S: "SECRET(swapped)" }, secretVolumes: [] })));
    expect(swapped.code).toBe("PAASTA_SECRET_UNDECRYPTABLE");
    expect(swapped.message).toMatch(
      /^web\/secrets\/swapped\.json: the ciphertext of secret environment dev cannot be decrypted: .*no identity matched/,
    );
  });
});

describe("secretSignatures", () => {
  it("maps each reference to the signature of its environment's ciphertext, without any key", () => {
    const sigs = secretSignatures(request({ system: loadSystemConfig(etc) }));
    expect(Object.keys(sigs)).toEqual(["SECRET(db_password)", "SECRET(tls_key)", "SHARED_SECRET(api_token)"]);
    const file = JSON.parse(readFileSync(join(soaDir, "web/secrets/db_password.json"), "utf8"));
    expect(sigs["SECRET(db_password)"]).toBe(signatureOf(file.environments.dev.ciphertext));
    expect(sigs["SECRET(db_password)"]).toBe(file.environments.dev.signature);
  });

  it("changes when the value is updated (a rotation bounces), and only for that environment", async () => {
    const before = secretSignatures(request());
    const prodBefore = secretSignatures(
      request({ cluster: "prod-east", secretVolumes: [], env: { DB: "SECRET(db_password)" } }),
    );
    await writeSecret(
      { soaDir, system, service: "web", name: "db_password", clusters: ["dev-west"], action: "update" },
      bytes("hunter3"),
    );
    const after = secretSignatures(request());
    expect(after["SECRET(db_password)"]).not.toBe(before["SECRET(db_password)"]);
    expect(after["SHARED_SECRET(api_token)"]).toBe(before["SHARED_SECRET(api_token)"]);
    expect(
      secretSignatures(request({ cluster: "prod-east", secretVolumes: [], env: { DB: "SECRET(db_password)" } })),
    ).toEqual(prodBefore);
    expect((await decryptTaskSecrets(request())).env.DB).toBe("hunter3");
  });

  it("a missing secret is the same typed error as at task start", async () => {
    const e = await thrown(() => secretSignatures(request({ env: { X: "SHARED_SECRET(gone)" } })));
    expect(e.message).toBe("SHARED_SECRET(gone) has no secret file _shared/secrets/gone.json");
  });
});

describe("writeSecretFiles", () => {
  it("writes each file under the task's directory with its mode, directories 0700, replacing old copies", async () => {
    const task = join(root, "task-1");
    const { files } = await decryptTaskSecrets(request());
    const paths = writeSecretFiles(task, files);
    expect(paths).toEqual([join(task, "etc/tls/tls_key"), join(task, "etc/db/pw")]);
    expect(readFileSync(paths[0] as string, "utf8")).toBe("-----KEY-----\n");
    expect(statSync(paths[0] as string).mode & 0o777).toBe(0o400);
    expect(statSync(paths[1] as string).mode & 0o777).toBe(0o440);
    expect(statSync(join(task, "etc/tls")).mode & 0o777).toBe(0o700);
    writeSecretFiles(task, files); // a restarted task: the 0400 file is replaced
    expect(statSync(paths[0] as string).mode & 0o777).toBe(0o400);
  });

  it("refuses a path that leaves the task's directory", async () => {
    const f = { containerPath: "/etc", path: "../../../escape", content: bytes("x"), mode: 0o400, ref: "SECRET(x)" };
    const e = await thrown(() => writeSecretFiles(join(root, "task-2"), [f]));
    expect(e.message).toContain("is not a file path inside the task's directory");
  });
});
