/**
 * Secrets in the reconcile: each referenced secret's signature is in the config hash (a rotation bounces, an
 * app without secrets keeps its hash), and an instance whose secret cannot be delivered is held: reported and
 * left as it runs, while the other instances of its service are applied. Real files, real age keys.
 */
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ObservedApp } from "../../src/backends/backend.js";
import { loadSystemConfig } from "../../src/config/system.js";
import { desiredState } from "../../src/reconcile/desired.js";
import { planPass } from "../../src/reconcile/plan.js";
import { writeSecret } from "../../src/secrets/manage.js";
import { ageKeygen, writeSecretsSystemConfig } from "../helpers/age.js";
import { EXAMPLES, tempDir } from "../helpers/paths.js";

const SHA = "a".repeat(40);
const root = tempDir("paasta-reconcile-secrets-");
afterAll(() => rmSync(root, { recursive: true, force: true }));
const soa = join(root, "soa");
cpSync(EXAMPLES, soa, { recursive: true });
const key = ageKeygen(root, "dev");
const system = loadSystemConfig(
  writeSecretsSystemConfig(join(root, "etc"), {
    dev: { recipients: [key.recipient], identity_file: key.identityFile },
  }),
);
writeFileSync(
  join(soa, "hello/deployments.json"),
  JSON.stringify({
    v1: {},
    v2: {
      deployments: {
        "dev.everything": { docker_image: `services-hello:paasta-${SHA}`, git_sha: SHA, image_version: null },
        canary: { docker_image: `services-hello:paasta-${SHA}`, git_sha: SHA, image_version: null },
      },
      controls: {},
    },
  }),
);
const file = join(soa, "hello/kubernetes-dev.yaml");
const original = readFileSync(file, "utf8");
const secretFile = join(soa, "hello/secrets/db_password.json");
const add = (value: string, action: "add" | "update") =>
  writeSecret(
    { soaDir: soa, system, service: "hello", name: "db_password", clusters: ["dev"], action },
    Buffer.from(value),
  );
const app = (instance: string) => desiredState(soa, system, "dev").apps.find((a) => a.instance === instance);

describe("secrets in the reconcile", () => {
  it("an app's hash changes when it starts referring to a secret and when the secret rotates; others keep theirs", async () => {
    const plain = app("main")?.config_hash;
    const canary = app("canary")?.config_hash;
    expect(app("main")?.secret_signatures).toBeUndefined();
    await add("first value", "add");
    writeFileSync(file, original.replace(/^main:\n/m, "main:\n  env:\n    DB_PASSWORD: SECRET(db_password)\n"));
    const first = app("main");
    expect(first?.config_hash).not.toBe(plain);
    expect(Object.keys(first?.secret_signatures ?? {})).toEqual(["SECRET(db_password)"]);
    expect(app("canary")?.config_hash).toBe(canary);
    await add("second value", "update");
    const rotated = app("main");
    expect(rotated?.config_hash).not.toBe(first?.config_hash);
    expect(rotated?.secret_signatures?.["SECRET(db_password)"]).not.toBe(
      first?.secret_signatures?.["SECRET(db_password)"],
    );
    // nothing in the desired app holds the plaintext
    expect(JSON.stringify(rotated)).not.toContain("second value");
  });

  it("a missing secret holds that instance (left as it runs), reported with the file; its sibling is applied", () => {
    writeFileSync(file, original.replace(/^main:\n/m, "main:\n  env:\n    API_KEY: SECRET(api_key)\n"));
    const d = desiredState(soa, system, "dev");
    expect(d.apps.map((a) => a.instance)).toEqual(["canary"]);
    expect(d.held).toEqual([
      {
        service: "hello",
        instance: "main",
        reason: expect.stringMatching(/SECRET\(api_key\).*hello\/secrets\/api_key\.json/),
      },
    ]);
    expect(d.frozen.size).toBe(0);
    const running: ObservedApp = {
      service: "hello",
      instance: "main",
      desired_config_hash: "configabc",
      desired_replicas: 3,
      versions: [],
    };
    const plan = planPass(d, [running]);
    expect(plan.items.find((i) => i.action !== "apply")).toMatchObject({
      action: "keep",
      service: "hello",
      instance: "main",
      reason: expect.stringMatching(/^left as it runs: .*api_key/),
    });
    expect(plan.items.some((i) => i.action === "delete")).toBe(false);
  });

  it("a secret file without a ciphertext for the cluster's environment holds the instance too", () => {
    mkdirSync(join(soa, "hello/secrets"), { recursive: true });
    writeFileSync(
      secretFile.replace("db_password", "api_key"),
      JSON.stringify({ environments: { prod: { ciphertext: "x" } } }),
    );
    const d = desiredState(soa, system, "dev");
    expect(d.held?.[0]?.reason).toMatch(/no ciphertext for secret environment dev/);
    writeFileSync(file, original);
  });
});
