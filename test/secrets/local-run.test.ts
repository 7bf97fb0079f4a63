/**
 * `paasta local-run` with secrets (the real binary, the process executor): the run gets the decrypted SECRET()
 * values and its secret volume file, `--dry-run` shows SECRET(name) and never the value, `--skip-secrets`
 * passes the references as written.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ageKeygen, writeSecretsSystemConfig } from "../helpers/age.js";
import { paastaBin, tempDir } from "../helpers/cli.js";

const root = tempDir("paasta-local-run-secrets-");
afterAll(() => rmSync(root, { recursive: true, force: true }));
const soa = join(root, "soa");
const repo = join(root, "web");
mkdirSync(join(soa, "web"), { recursive: true });
mkdirSync(repo);
writeFileSync(join(soa, "web/service.yaml"), "description: web\nexternal_link: https://example.org\n");
writeFileSync(
  join(soa, "web/kubernetes-dev.yaml"),
  `main:
  cmd: "true"
  deploy_group: dev.main
  env:
    DB_PASSWORD: SECRET(db_password)
  secret_volumes:
    - container_path: /etc/creds
      secret_name: db_password
`,
);
const key = ageKeygen(join(root, "keys"), "dev");
const etc = writeSecretsSystemConfig(join(root, "etc"), {
  dev: { recipients: [key.recipient], identity_file: key.identityFile },
});
writeFileSync(join(etc, "paasta.json"), JSON.stringify({ cluster: "dev", clusters: ["dev"] }));
const env = { PAASTA_SYSTEM_CONFIG_DIR: etc };
const VALUE = `local-run-value-${Math.random().toString(36).slice(2, 8)}`;
const run = (...args: string[]) =>
  paastaBin(["local-run", "-s", "web", "-c", "dev", "-i", "main", "--executor", "process", "-y", soa, ...args], {
    cwd: repo,
    env,
  });

describe("paasta local-run with secrets", () => {
  it("decrypts SECRET() into the run's environment and writes its secret volume; dry runs and --skip-secrets show the reference", () => {
    const add = paastaBin(["secret", "add", "-s", "web", "-n", "db_password", "-i", "-y", soa], { env, input: VALUE });
    expect(add.code, add.stderr).toBe(0);
    const cmd =
      'echo "env=$DB_PASSWORD"; echo "file=$(cat "$PAASTA_SECRETS_DIR/etc/creds/db_password")"; echo "dir=$PAASTA_SECRETS_DIR"';
    const r = run("-C", cmd, "-k");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`env=${VALUE}`);
    expect(r.stdout).toContain(`file=${VALUE}`);
    const dir = /dir=(\S+)/.exec(r.stdout)?.[1] as string;
    expect(existsSync(dir)).toBe(false); // removed after the run

    const dry = run("--dry-run", "-C", cmd);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain("DB_PASSWORD=SECRET(db_password)");
    expect(dry.stdout).not.toContain(VALUE);

    const skipped = run("--skip-secrets", "-C", 'echo "env=$DB_PASSWORD"', "-k");
    expect(skipped.stdout).toContain("env=SECRET(db_password)");
  });
});
