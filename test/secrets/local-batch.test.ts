/**
 * Secrets for batch work on the local runtime (`paasta up` as a child process, the process executor): a Tron
 * action started with `tronctl start` and an adhoc instance run with `paasta remote-run` get SECRET() values
 * in their environment and secret volumes under PAASTA_SECRETS_DIR, decrypted at their start. They print a
 * digest, never the value; the plaintext is nowhere in the state directory afterwards (SQLite, logs, files),
 * and each run's secret files are gone once it ended.
 */

import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ageKeygen, writeSecretsSystemConfig } from "../helpers/age.js";
import { paastaBin } from "../helpers/cli.js";
import { getJson, makeWorkspace, startUp, type UpProcess, until, type Workspace } from "../helpers/runtime.js";

const VALUE = `batch-plaintext-${Math.random().toString(36).slice(2, 8)}`;
const DIGEST = createHash("sha256").update(VALUE).digest("hex");
// Prints the digests of the env value and of the volume file, and whether the file is there at all.
const PRINT =
  'printf "env=%s\\n" "$(printf %s "$DB_PASSWORD" | sha256sum | cut -c1-64)"; ' +
  'printf "file=%s\\n" "$(sha256sum < "$PAASTA_SECRETS_DIR/etc/creds/db_password" | cut -c1-64)"';
const SECRET_ENV = `  env:
    DB_PASSWORD: SECRET(db_password)
  secret_volumes:
    - container_path: /etc/creds
      secret_name: db_password
`;

describe("secrets for jobs and one-off runs on paasta up", () => {
  let ws: Workspace;
  let up: UpProcess;
  const cli = (args: string[], input?: string) => paastaBin(args, { env: ws.env, input });

  beforeAll(async () => {
    ws = await makeWorkspace({
      gamma: {
        "adhoc-dev.yaml": `shell:\n  cmd: sh\n  deploy_group: dev.everything\n${SECRET_ENV}`,
        "tron-dev.yaml": `nightly:
  schedule: daily 04:00:00
  enabled: false
  deploy_group: dev.everything
  actions:
    print:
      command: '${PRINT}'
${SECRET_ENV.replace(/^/gm, "    ").trimEnd()}
`,
      },
    });
    const key = ageKeygen(join(ws.root, "keys"), "dev");
    writeSecretsSystemConfig(ws.etc, { dev: { recipients: [key.recipient], identity_file: key.identityFile } });
    const add = cli(["secret", "add", "-s", "gamma", "-n", "db_password", "-i", "-y", ws.soa], VALUE);
    expect(add.code, add.stderr).toBe(0);
    const sha = execFileSync("git", ["rev-parse", "HEAD"], { cwd: join(ws.root, "repos/gamma"), encoding: "utf8" });
    expect(cli(["mark-for-deployment", "-s", "gamma", "-c", sha.trim(), "-l", "dev.everything"]).code).toBe(0);
    up = startUp(ws);
    await up.waitForOutput(/API: +http/);
  }, 90_000);

  afterAll(async () => {
    await up?.kill("SIGTERM");
  });

  it("a Tron action gets the value in its environment and its secret volume", async () => {
    const started = cli(["tronctl", "start", "gamma.nightly"]);
    expect(started.code, started.stderr).toBe(0);
    const job = () =>
      getJson<{ runs: Array<{ state: string; why: string | null }> }>(`${ws.api}/v1/jobs/gamma/nightly`);
    const done = await until(job, (j) => j.runs.some((r) => r.state === "succeeded" || r.state === "failed"), 30_000);
    expect(done.runs[0]).toMatchObject({ state: "succeeded" });
    const logs = await until(
      async () => cli(["logs", "-s", "gamma", "-i", "nightly.print"]).stdout,
      (out) => out.includes("file="),
      15_000,
    );
    expect(logs).toContain(`env=${DIGEST}`);
    expect(logs).toContain(`file=${DIGEST}`);
  });

  it("paasta remote-run of an adhoc instance gets them too", () => {
    const rr = cli(["remote-run", "start", "-s", "gamma", "-i", "shell", "--cmd", PRINT]);
    expect(rr.code, rr.stderr).toBe(0);
    expect(rr.stdout).toContain(`env=${DIGEST}`);
    expect(rr.stdout).toContain(`file=${DIGEST}`);
  });

  it("afterwards the plaintext is nowhere in the state directory, and no secret files are left", () => {
    const all = readdirSync(ws.stateDir, { recursive: true, encoding: "utf8" })
      .map((f) => join(ws.stateDir, f))
      .filter((p) => existsSync(p) && statSync(p).isFile());
    expect(all.length).toBeGreaterThan(0);
    expect(all.filter((p) => readFileSync(p).includes(VALUE))).toEqual([]);
    expect(all.filter((p) => p.includes("/secrets/"))).toEqual([]);
  });
});
