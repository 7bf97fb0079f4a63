/**
 * `paasta secret` through the installed binary, on a soa-configs tree on disk, with keys made by age-keygen:
 * add/update/decrypt/run/list, files Debian's age decrypts, and plaintexts printed only where meant to be.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { signatureOf } from "../../src/secrets/format.js";
import { ageDecrypt, ageEncrypt, ageKeygen, writeSecretsSystemConfig } from "../helpers/age.js";
import { paastaBin, tempDir } from "../helpers/cli.js";

const root = tempDir("paasta-secret-cli-");
afterAll(() => rmSync(root, { recursive: true, force: true }));
const soa = join(root, "soa");
mkdirSync(join(soa, "web"), { recursive: true });
writeFileSync(join(soa, "web/service.yaml"), "description: web\nexternal_link: https://example.org\n");
writeFileSync(join(soa, "web/monitoring.yaml"), "team: platform\n");
writeFileSync(join(soa, "web/deploy.yaml"), "pipeline:\n  - step: everything\n");
for (const cluster of ["dev-east", "dev-west", "prod"]) {
  writeFileSync(
    join(soa, `web/kubernetes-${cluster}.yaml`),
    "main:\n  cmd: ./run\n  deploy_group: everything\n  env:\n    DB: SECRET(db_password)\n    TOKEN: SHARED_SECRET(api_token)\n    PLAIN: value\n",
  );
}
const dev = ageKeygen(root, "dev");
const prod = ageKeygen(root, "prod");
const etc = writeSecretsSystemConfig(
  join(root, "etc"),
  {
    dev: { recipients: [dev.recipient], identity_file: dev.identityFile },
    prod: { recipients: [prod.recipient], identity_file: prod.identityFile },
  },
  { clusters: ["dev-east", "dev-west", "prod"], vault_cluster_map: { "dev-east": "dev", "dev-west": "dev" } },
);
const env = { PAASTA_SYSTEM_CONFIG_DIR: etc };
/** `paasta secret VERB -y SOA ARGS…` (the soa dir first: `run` passes what follows `--` to the command). */
const secret = ([verb, ...args]: string[], input?: string) =>
  paastaBin(["secret", verb as string, "-y", soa, ...args], { env, input });
const fileOf = (path: string) => JSON.parse(readFileSync(join(soa, path), "utf8"));
const PLAIN = "correct horse battery staple";

describe("paasta secret add / update", () => {
  it("add -i encrypts stdin for each secret environment of the service's clusters; age -d decrypts the file", () => {
    const r = secret(["add", "-s", "web", "-n", "db_password", "-i"], PLAIN);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const file = fileOf("web/secrets/db_password.json");
    expect(Object.keys(file.environments)).toEqual(["dev", "prod"]);
    expect(ageDecrypt(file.environments.dev.ciphertext, dev.identityFile).toString()).toBe(PLAIN);
    expect(ageDecrypt(file.environments.prod.ciphertext, prod.identityFile).toString()).toBe(PLAIN);
    expect(file.environments.dev.signature).toBe(signatureOf(file.environments.dev.ciphertext));
    expect(r.stdout).toContain(
      `✓ Added SECRET(db_password) in web/secrets/db_password.json for dev (signature ${file.environments.dev.signature.slice(0, 12)}), prod (signature ${file.environments.prod.signature.slice(0, 12)})`,
    );
    expect(r.stdout).toContain("DB_PASSWORD: SECRET(db_password)");
    expect(r.stdout + r.stderr).not.toContain(PLAIN);
  });

  it("add refuses an environment that has a value; update replaces it (new signature); update needs the file", () => {
    const again = secret(["add", "-s", "web", "-n", "db_password", "-c", "dev-west", "-i"], "x");
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(
      "web/secrets/db_password.json already has a ciphertext for secret environment(s) dev [PAASTA_SECRET_EXISTS]",
    );
    const before = fileOf("web/secrets/db_password.json");
    const u = secret(["update", "-s", "web", "-n", "db_password", "-c", "prod", "-i"], `${PLAIN}!`);
    expect(u.code).toBe(0);
    const after = fileOf("web/secrets/db_password.json");
    expect(after.environments.dev).toEqual(before.environments.dev);
    expect(after.environments.prod.signature).not.toBe(before.environments.prod.signature);
    expect(ageDecrypt(after.environments.prod.ciphertext, prod.identityFile).toString()).toBe(`${PLAIN}!`);
    const missing = secret(["update", "-s", "web", "-n", "nope", "-i"], "x");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("SECRET(nope) has no secret file web/secrets/nope.json [PAASTA_SECRET_NOT_FOUND]");
  });

  it("without -i the final newline of stdin is dropped; -p works with a warning about shell history", () => {
    expect(secret(["add", "-s", "web", "-n", "line", "-c", "prod"], "value\n").code).toBe(0);
    expect(ageDecrypt(fileOf("web/secrets/line.json").environments.prod.ciphertext, prod.identityFile).toString()).toBe(
      "value",
    );
    const p = secret(["add", "-s", "web", "-n", "argv", "-c", "prod", "-p", "on-the-command-line"]);
    expect(p.code).toBe(0);
    expect(p.stderr).toContain("! -p/--plain-text puts the secret in your shell history");
    expect(p.stdout).not.toContain("on-the-command-line");
  });

  it("--shared writes _shared/secrets and needs -c; bad names and unknown services are refused", () => {
    expect(secret(["add", "--shared", "-n", "api_token", "-i"], "t").stderr).toContain(
      "a shared secret needs -c/--clusters",
    );
    expect(secret(["add", "--shared", "-n", "api_token", "-c", "dev-east,prod", "-i"], "tok").code).toBe(0);
    expect(Object.keys(fileOf("_shared/secrets/api_token.json").environments)).toEqual(["dev", "prod"]);
    const bad = secret(["add", "-s", "web", "-n", "_hidden", "-i"], "x");
    expect([bad.code, bad.stderr.split("\n")[0]]).toEqual([
      2,
      'error secret name "_hidden": only letters, digits, - and _, not starting with - or _ [PAASTA_USAGE]',
    ]);
    expect(secret(["add", "-s", "nosuch", "-n", "x", "-c", "prod", "-i"], "x").stderr).toContain(
      "[PAASTA_SERVICE_NOT_FOUND]",
    );
    expect(secret(["add", "-n", "x", "-i"], "x").stderr).toContain("give -s SERVICE or --shared");
  });

  it("without a secrets config, add says which environment and where to configure it", () => {
    const r = paastaBin(["secret", "add", "-s", "web", "-n", "x", "-c", "prod", "-i", "-y", soa], {
      env: { PAASTA_SYSTEM_CONFIG_DIR: join(root, "no-etc") },
      input: "x",
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("secret environment prod: no system config [PAASTA_SECRETS_NOT_CONFIGURED]");
  });
});

describe("paasta secret decrypt / run / list", () => {
  it("decrypt prints exactly the plaintext of the cluster's environment", () => {
    const r = secret(["decrypt", "-s", "web", "-n", "db_password", "-c", "dev-west"]);
    expect([r.code, r.stdout, r.stderr]).toEqual([0, PLAIN, ""]);
    expect(secret(["decrypt", "--shared", "-n", "api_token", "-c", "prod"]).stdout).toBe("tok");
  });

  it("decrypt reads what Debian's `age -r -a` wrote into the file", () => {
    const ct = ageEncrypt("from age", dev.recipient);
    writeFileSync(
      join(soa, "web/secrets/by_cli.json"),
      JSON.stringify({ environments: { dev: { ciphertext: ct, signature: signatureOf(ct) } } }),
    );
    expect(secret(["decrypt", "-s", "web", "-n", "by_cli", "-c", "dev-east"]).stdout).toBe("from age");
  });

  it("decrypt needs one cluster", () => {
    const r = secret(["decrypt", "-s", "web", "-n", "db_password"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("decrypt works on one cluster at a time (dev-east, dev-west, prod): pass -c CLUSTER");
    const other = secret(["decrypt", "-s", "web", "-n", "line", "-c", "dev-east"]);
    expect(other.stderr).toContain(
      "web/secrets/line.json has no ciphertext for secret environment dev (cluster dev-east) [PAASTA_SECRET_NO_CIPHERTEXT]",
    );
  });

  it("run adds only the instance's secret variables to the command's environment, and returns its exit code", () => {
    const r = secret([
      "run",
      "-s",
      "web",
      "-i",
      "main",
      "-c",
      "prod",
      "--",
      "sh",
      "-c",
      'printf "%s|%s|%s" "$DB" "$TOKEN" "$PLAIN"',
    ]);
    expect([r.code, r.stdout]).toEqual([0, `${PLAIN}!|tok|`]);
    expect(secret(["run", "-s", "web", "-i", "main", "-c", "prod", "--", "sh", "-c", "exit 7"]).code).toBe(7);
  });

  it("list shows names, environments and signature prefixes, never a value", () => {
    const r = secret(["list", "-s", "web", "--json"]);
    expect(r.code).toBe(0);
    const listed = JSON.parse(r.stdout).secrets;
    const db = fileOf("web/secrets/db_password.json").environments;
    expect(listed.find((s: { name: string }) => s.name === "db_password")).toEqual({
      name: "db_password",
      file: "web/secrets/db_password.json",
      environments: { dev: db.dev.signature.slice(0, 12), prod: db.prod.signature.slice(0, 12) },
    });
    const text = secret(["list", "-s", "web"]).stdout;
    expect(text).toContain(`db_password\tdev ${db.dev.signature.slice(0, 12)}, prod ${db.prod.signature.slice(0, 12)}`);
    expect(text + r.stdout).not.toContain(PLAIN);
  });

  it("validate passes once every cluster's environment has a value, and names the one that has not", () => {
    const v = paastaBin(["validate", "-s", "web", "-y", soa], { env });
    expect(v.code).toBe(0);
    expect(v.stdout).toContain("✓ All SECRET() references have a ciphertext for their cluster's secret environment");
    writeFileSync(
      join(soa, "web/kubernetes-prod.yaml"),
      "main:\n  cmd: ./run\n  deploy_group: everything\n  env:\n    L: SECRET(line)\n",
    );
    writeFileSync(
      join(soa, "web/kubernetes-dev-east.yaml"),
      "main:\n  cmd: ./run\n  deploy_group: everything\n  env:\n    L: SECRET(line)\n",
    );
    const bad = paastaBin(["validate", "-s", "web", "-y", soa], { env });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(
      "✗ kubernetes-dev-east.yaml:5:8 main.env.L: SECRET(line) has no ciphertext for secret environment dev (cluster dev-east) in web/secrets/line.json (add it with `paasta secret update -s web -n line -c dev-east`)",
    );
    expect(bad.stdout).not.toContain("kubernetes-prod.yaml:5");
  });
});
