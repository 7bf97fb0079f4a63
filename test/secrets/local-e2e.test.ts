/**
 * Secrets delivered by the local runtime, end to end: `paasta secret add` (the real CLI) encrypts a value for
 * two services, `paasta up` (a child process) decrypts it at task start — the tasks read it from their
 * environment and from their secret volume file (0400, under the task's directory) — `paasta secret update`
 * bounces the instance whose secret changed (the other keeps running) and the new value is in effect. The
 * plaintext is nowhere in the SQLite state, the log directories, status/API output or `reconcile --dry-run`.
 * A missing secret holds its instance as it runs; an undecryptable one fails the new tasks only.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ageEncrypt, ageKeygen, writeSecretsSystemConfig } from "../helpers/age.js";
import { paastaBin } from "../helpers/cli.js";
import { getJson, makeWorkspace, startUp, type UpProcess, until, type Workspace } from "../helpers/runtime.js";

/** Answers GET /secret with what the task was given (test only: a real service would never do this). */
const SERVER = `const http = require("node:http");
const fs = require("node:fs");
const path = require("node:path");
http.createServer((req, res) => {
  if (req.url !== "/secret") return res.end("ok\\n");
  const file = process.env.PAASTA_SECRETS_DIR ? path.join(process.env.PAASTA_SECRETS_DIR, "etc/creds/db_password") : "";
  let content = null, mode = null;
  try { content = fs.readFileSync(file, "utf8"); mode = (fs.statSync(file).mode & 0o777).toString(8); } catch {}
  res.setHeader("content-type", "application/json");
  res.end(JSON.stringify({ env: process.env.DB_PASSWORD ?? null, file: content, mode }));
}).listen(Number(process.env.PAASTA_PORT), "127.0.0.1");
process.on("SIGTERM", () => process.exit(0));
`;

const tag = Math.random().toString(36).slice(2, 8);
const FIRST = `first-plaintext-${tag}`;
const SECOND = `second-plaintext-${tag}`;
const instance = (volume: boolean) => `main:
  cmd: node server.js
  instances: 1
  deploy_group: dev.everything
  # healthy once it listens (without a health check a task is healthy as soon as it runs)
  healthcheck_mode: tcp
  healthcheck_grace_period_seconds: 0
  healthcheck_interval_seconds: 0.2
  env:
    DB_PASSWORD: SECRET(db_password)
${volume ? "  secret_volumes:\n    - container_path: /etc/creds\n      secret_name: db_password\n" : ""}`;

interface Status {
  deploy_status: string;
  deploy_status_message: string | null;
  versions: Array<{ config_hash: string; desired: boolean; tasks: Array<{ id: string; port: number; state: string }> }>;
}

/** Every file under `dir` (recursively), except those under a path matching `skip`. */
function files(dir: string, skip: RegExp): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .map((f) => join(dir, f))
    .filter((p) => !skip.test(p) && statSync(p).isFile());
}

describe("secrets delivered by paasta up", () => {
  let ws: Workspace;
  let up: UpProcess;
  const outputs: string[] = [];
  const status = (svc: string) => getJson<Status>(`${ws.api}/v1/services/${svc}/main/status`);
  const running = (s: Status) => s.versions.find((v) => v.desired)?.tasks.find((t) => t.state === "healthy");
  const secretOf = async (svc: string) => {
    const t = running(await status(svc));
    return getJson<{ env: string | null; file: string | null; mode: string | null }>(
      `http://127.0.0.1:${t?.port}/secret`,
    );
  };
  const cli = (args: string[], input?: string) => {
    const r = paastaBin(args, { env: ws.env, input });
    outputs.push(r.stdout, r.stderr);
    return r;
  };

  beforeAll(async () => {
    ws = await makeWorkspace(
      { alpha: { "kubernetes-dev.yaml": instance(true) }, bravo: { "kubernetes-dev.yaml": instance(false) } },
      { repoFiles: { "server.js": SERVER } },
    );
    const key = ageKeygen(join(ws.root, "keys"), "dev");
    writeSecretsSystemConfig(ws.etc, { dev: { recipients: [key.recipient], identity_file: key.identityFile } });
    for (const svc of ["alpha", "bravo"]) {
      const r = cli(["secret", "add", "-s", svc, "-n", "db_password", "-i", "-y", ws.soa], FIRST);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
    }
    up = startUp(ws);
    await up.waitForOutput(/API: +http/);
    for (const svc of ["alpha", "bravo"]) {
      const sha = ws.commit(svc, { VERSION: "1\n" });
      expect(cli(["mark-for-deployment", "-s", svc, "-c", sha, "-l", "dev.everything"]).code).toBe(0);
    }
    for (const svc of ["alpha", "bravo"])
      await until(
        () => status(svc),
        (s) => running(s) !== undefined,
        60_000,
      );
  }, 120_000);

  afterAll(async () => {
    await up?.kill("SIGTERM");
  });

  it("tasks read the value from their environment, and from a 0400 file under their directory", async () => {
    expect(await secretOf("alpha")).toEqual({ env: FIRST, file: FIRST, mode: "400" });
    expect(await secretOf("bravo")).toMatchObject({ env: FIRST, file: null });
  });

  it("`paasta secret update` bounces the instance whose secret changed; the new value is in effect; the other keeps running", async () => {
    const alphaBefore = await status("alpha");
    const bravoTask = running(await status("bravo"))?.id;
    const oldTask = running(alphaBefore)?.id as string;
    expect(cli(["secret", "update", "-s", "alpha", "-n", "db_password", "-i", "-y", ws.soa], SECOND).code).toBe(0);
    const after = await until(
      () => status("alpha"),
      (s) => s.versions.length === 1 && running(s) !== undefined && running(s)?.id !== oldTask,
      60_000,
    );
    expect(after.versions[0]?.config_hash).not.toBe(alphaBefore.versions[0]?.config_hash);
    expect(await secretOf("alpha")).toEqual({ env: SECOND, file: SECOND, mode: "400" });
    expect(running(await status("bravo"))?.id).toBe(bravoTask);
    expect(await secretOf("bravo")).toMatchObject({ env: FIRST });
    // the replaced task's secret files went with it
    expect(existsSync(join(ws.stateDir, "tasks", oldTask, "secrets"))).toBe(false);
  });

  it("the plaintext is nowhere in the state database, the logs, status, the API or reconcile --dry-run", async () => {
    const texts = [
      JSON.stringify(await status("alpha")),
      JSON.stringify(await getJson(`${ws.api}/v1/services/alpha/main/bounce_status`)),
      await (await fetch(`${ws.api}/metrics`)).text(),
    ];
    for (const args of [
      ["status", "-s", "alpha", "-vv"],
      ["status", "-s", "alpha", "-v", "--json"],
      ["reconcile", "--cluster", "dev", "--dry-run"],
      ["reconcile", "--cluster", "dev", "--dry-run", "--json"],
      ["logs", "-s", "alpha"],
    ]) {
      const r = cli(args);
      texts.push(r.stdout, r.stderr);
    }
    texts.push(...up.output, ...outputs);
    // every file of the state dir (the SQLite database and its WAL, runtime logs, task output), except the
    // tasks' own secret files, and of the event log directory
    const stored = [...files(ws.stateDir, /\/secrets\//), ...files(join(ws.root, "logs"), /^$/)];
    expect(stored.some((f) => f.endsWith("state.sqlite"))).toBe(true);
    for (const f of stored) texts.push(`${relative(ws.root, f)}: ${readFileSync(f).toString("latin1")}`);
    const strings = execFileSync("strings", [join(ws.stateDir, "state.sqlite")], { encoding: "utf8" });
    texts.push(strings);
    for (const value of [FIRST, SECOND]) {
      const leaks = texts.filter((t) => t.includes(value)).map((t) => t.slice(0, 120));
      expect(leaks).toEqual([]);
    }
  });

  it("a missing secret: that instance is reported and left as it runs; the other is untouched", async () => {
    const bravoTask = running(await status("bravo"))?.id;
    const alphaTask = running(await status("alpha"))?.id;
    ws.writeSoa("bravo", "kubernetes-dev.yaml", instance(false).replace("SECRET(db_password)", "SECRET(missing_one)"));
    await up.waitForOutput(
      /bravo\.main: left as it runs: SECRET\(missing_one\) has no secret file bravo\/secrets\/missing_one\.json/,
    );
    const r = cli(["reconcile", "--cluster", "dev", "--dry-run"]);
    expect(r.stdout).toMatch(/keep +bravo\.main +left as it runs: SECRET\(missing_one\)/);
    expect(running(await status("bravo"))?.id).toBe(bravoTask);
    expect(running(await status("alpha"))?.id).toBe(alphaTask);
  });

  it("an undecryptable secret: the new tasks fail and say why, the running one keeps serving", async () => {
    const other = ageKeygen(join(ws.root, "other-key"), "other");
    const file = join(ws.soa, "alpha/secrets/db_password.json");
    const data = JSON.parse(readFileSync(file, "utf8"));
    data.environments.dev = { ciphertext: ageEncrypt("for another key", other.recipient) };
    writeFileSync(file, JSON.stringify(data));
    const oldTask = running(await status("alpha"))?.id;
    const stuck = await until(
      () => status("alpha"),
      (s) => /cannot be decrypted/.test(s.deploy_status_message ?? ""),
      60_000,
    );
    expect(stuck.deploy_status_message).toMatch(
      /alpha\/secrets\/db_password\.json: the ciphertext of secret environment dev cannot be decrypted/,
    );
    expect(running(stuck)).toBeUndefined(); // the new version has no healthy task …
    const old = stuck.versions.find((v) => !v.desired);
    expect(old?.tasks.map((t) => t.id)).toContain(oldTask); // … and the old one still runs
    expect((await secretOf("bravo")).env).toBe(FIRST);
  });
});
