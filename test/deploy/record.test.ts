/** The deployment record against real git repositories: bare remotes on disk, reached by path and file://. */
import { spawn } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { readDeployments } from "../../src/deploy/deployments-file.js";
import {
  generateDeployments,
  markForDeployment,
  type RecordContext,
  rollback,
  setDesiredState,
} from "../../src/deploy/record.js";
import { PaastaError } from "../../src/errors.js";
import { createLogWriter, type LogLine } from "../../src/logs/writer.js";
import { BIN, paasta, tempDir } from "../helpers/cli.js";
import { soaWithRemote, type TestRepo, testRepo } from "../helpers/git.js";

const GIT = { retryDelayMs: 10, cacheDir: tempDir("paasta-gitcache-") };

/** A clock that advances one second per call, from 2024-01-01T00:00:00Z. */
function steppingClock(start = Date.UTC(2024, 0, 1)): () => Date {
  let t = start;
  return () => {
    const d = new Date(t);
    t += 1000;
    return d;
  };
}

function ctxFor(soaDir: string, now: () => Date = steppingClock()): RecordContext & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  return { soaDir, log: { write: (l) => lines.push(l) }, git: GIT, now, user: "alice", lines };
}

async function rejection(p: Promise<unknown>): Promise<PaastaError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof PaastaError) return e;
    throw e;
  }
  throw new Error("expected a PaastaError");
}

describe.each([
  ["a local path", (r: TestRepo) => r.bare],
  ["a file:// URL", (r: TestRepo) => `file://${r.bare}`],
])("deployment record on %s", (_label, urlOf) => {
  let repo: TestRepo;
  let soa: string;
  let sha1: string;
  let sha2: string;

  beforeEach(() => {
    repo = testRepo();
    sha1 = repo.commit("one");
    sha2 = repo.commit("two");
    soa = soaWithRemote(urlOf(repo));
  });

  it("mark → a deploy tag at the commit; generate → deployments.json v1 and v2", async () => {
    const ctx = ctxFor(soa);
    const r = await markForDeployment(ctx, { service: "hello", sha: sha1, deployGroup: "dev.everything" });
    expect(r.tag).toBe("paasta-dev.everything-20240101T000000-deploy");
    expect(repo.tags().get(`refs/tags/${r.tag}`)).toBe(sha1);
    const image = `services-hello:paasta-${sha1}`;
    const d = readDeployments(soa, "hello");
    expect(d?.v2.deployments).toEqual({
      "dev.everything": { docker_image: image, git_sha: sha1, image_version: null },
    });
    expect(d?.v1["hello:paasta-dev.main"]).toEqual({ docker_image: image, desired_state: "start", force_bounce: null });
    expect(d?.v2.controls["hello:dev.main"]).toEqual({ desired_state: "start", force_bounce: null });
    expect(d?.v1["hello:paasta-dev.canary"]).toBeUndefined(); // canary's group has no deployment yet
    expect(ctx.lines).toEqual([
      expect.objectContaining({
        component: "deploy",
        level: "event",
        service: "hello",
        cluster: "N/A",
        instance: "N/A",
        user: "alice",
        message: `Marked ${sha1} for deployment in deploy group dev.everything (tag ${r.tag})`,
      }),
    ]);
    const regenerated = await generateDeployments(ctx, "hello");
    expect(regenerated.changed).toBe(false);
    expect(regenerated.content).toEqual(d);
  });

  it("stop, start, restart, and a new deploy resetting a stop", async () => {
    const ctx = ctxFor(soa);
    await markForDeployment(ctx, { service: "hello", sha: sha1, deployGroup: "dev.everything" });
    const stop = await setDesiredState(ctx, {
      service: "hello",
      state: "stop",
      clusters: ["dev"],
      instances: ["main"],
    });
    expect(stop.changed).toEqual([
      { cluster: "dev", instance: "main", tag: "paasta-dev.main-20240101T000001-stop", sha: sha1 },
    ]);
    expect(readDeployments(soa, "hello")?.v2.controls["hello:dev.main"]).toEqual({
      desired_state: "stop",
      force_bounce: "20240101T000001",
    });
    expect(readDeployments(soa, "hello")?.v1["hello:paasta-dev.main"]?.desired_state).toBe("stop");

    await setDesiredState(ctx, { service: "hello", state: "start", clusters: ["dev"], instances: ["main"] });
    const started = readDeployments(soa, "hello")?.v2.controls["hello:dev.main"];
    expect(started).toEqual({ desired_state: "start", force_bounce: "20240101T000002" });

    await setDesiredState(ctx, { service: "hello", state: "start", clusters: ["dev"], instances: ["main"] }); // restart
    expect(readDeployments(soa, "hello")?.v2.controls["hello:dev.main"]?.force_bounce).toBe("20240101T000003");

    await setDesiredState(ctx, { service: "hello", state: "stop", clusters: ["dev"], instances: ["main"] });
    await markForDeployment(ctx, { service: "hello", sha: sha2, deployGroup: "dev.everything" });
    expect(readDeployments(soa, "hello")?.v2.controls["hello:dev.main"]).toEqual({
      desired_state: "start",
      force_bounce: null,
    });
  });

  it("rollback: history, re-mark of the old version, a marker on the bad one", async () => {
    const ctx = ctxFor(soa);
    await markForDeployment(ctx, { service: "hello", sha: sha1, deployGroup: "dev.everything" });
    await markForDeployment(ctx, { service: "hello", sha: sha2, deployGroup: "dev.everything" });
    const [result] = await rollback(ctx, {
      service: "hello",
      deployGroups: ["dev.everything"],
      sha: sha1.slice(0, 10),
    });
    expect(result).toEqual({
      group: "dev.everything",
      from: sha2,
      to: sha1,
      tag: "paasta-dev.everything-20240101T000002-deploy",
      marker: "paasta-dev.everything-20240101T000003-rollback",
    });
    expect(repo.tags().get("refs/tags/paasta-dev.everything-20240101T000003-rollback")).toBe(sha2);
    expect(readDeployments(soa, "hello")?.v2.deployments["dev.everything"]?.git_sha).toBe(sha1);

    const status = await paasta(
      ["check-rollback-status", "-s", "hello", "-k", sha2, "-l", "dev.everything", "-d", soa],
      {
        env: { PAASTA_CACHE_DIR: GIT.cacheDir },
      },
    );
    expect(status.code).toBe(1);
    expect(status.stdout).toContain(`ROLLED BACK: Commit ${sha2} was rolled back for dev.everything`);
    const history = await paasta(["rollback", "-s", "hello", "-l", "dev.everything", "-d", soa, "--json"]);
    const entries = JSON.parse(history.stdout)["dev.everything"];
    expect(
      entries.map((e: { sha: string; current: boolean; rolledBack: boolean }) => [e.sha, e.current, e.rolledBack]),
    ).toEqual([
      [sha1, true, false],
      [sha2, false, true],
      [sha1, false, false],
    ]);
  });

  it("refuses to roll back to a SHA never deployed to the group, unless --force", async () => {
    const ctx = ctxFor(soa);
    await markForDeployment(ctx, { service: "hello", sha: sha1, deployGroup: "dev.everything" });
    const e = await rejection(rollback(ctx, { service: "hello", deployGroups: ["dev.everything"], sha: sha2 }));
    expect(e.code).toBe("PAASTA_ROLLBACK_UNKNOWN_SHA");
    const [forced] = await rollback(ctx, {
      service: "hello",
      deployGroups: ["dev.everything"],
      sha: sha2,
      force: true,
    });
    expect(forced?.to).toBe(sha2);
  });
});

describe("deployment record: safety and concurrency", () => {
  it("two marks in the same second give distinct, correctly ordered tags", async () => {
    const repo = testRepo();
    const sha1 = repo.commit("one");
    const sha2 = repo.commit("two");
    const soa = soaWithRemote(repo.bare);
    const frozen = () => new Date(Date.UTC(2024, 5, 1, 12, 0, 0));
    const a = await markForDeployment(ctxFor(soa, frozen), { service: "hello", sha: sha1, deployGroup: "canary" });
    const b = await markForDeployment(ctxFor(soa, frozen), { service: "hello", sha: sha2, deployGroup: "canary" });
    expect([a.tag, b.tag]).toEqual(["paasta-canary-20240601T120000-deploy", "paasta-canary-20240601T120001-deploy"]);
    expect(readDeployments(soa, "hello")?.v2.deployments.canary?.git_sha).toBe(sha2);
  });

  it("concurrent marks of the same group from two processes both land as distinct tags", async () => {
    const repo = testRepo();
    const sha1 = repo.commit("one");
    const sha2 = repo.commit("two");
    const soa = soaWithRemote(repo.bare);
    const run = (sha: string) =>
      new Promise<number>((resolve) => {
        const child = spawn(
          process.execPath,
          [BIN, "mark-for-deployment", "-s", "hello", "-c", sha, "-l", "canary", "-d", soa],
          {
            env: { ...process.env, PAASTA_CACHE_DIR: tempDir(), PAASTA_SYSTEM_CONFIG_DIR: "/nonexistent" },
            stdio: "ignore",
          },
        );
        child.on("exit", (code) => resolve(code ?? -1));
      });
    expect(await Promise.all([run(sha1), run(sha2)])).toEqual([0, 0]);
    const canary = [...repo.tags()].filter(([ref]) => ref.startsWith("refs/tags/paasta-canary-"));
    expect(canary).toHaveLength(2);
    expect(new Set(canary.map(([, sha]) => sha))).toEqual(new Set([sha1, sha2]));
    const stamps = canary.map(([ref]) => ref.replace(/^.*-(\d{8}T\d{6})-deploy$/, "$1"));
    expect(new Set(stamps).size).toBe(2);
  });

  it("an unknown SHA fails cleanly: no tag, deployments.json untouched", async () => {
    const repo = testRepo();
    repo.commit("one");
    const soa = soaWithRemote(repo.bare);
    const e = await rejection(
      markForDeployment(ctxFor(soa), {
        service: "hello",
        sha: "0123456789abcdef0123456789abcdef01234567",
        deployGroup: "canary",
      }),
    );
    expect(e.code).toBe("PAASTA_GIT_UNKNOWN_SHA");
    expect(e.message).toBe(`commit 0123456789abcdef0123456789abcdef01234567 is not in ${repo.bare}`);
    expect(repo.tags().size).toBe(0);
    expect(() => statSync(join(soa, "hello/deployments.json"))).toThrow();
  });

  it("an unreachable remote fails cleanly with how to fix it (CLI)", async () => {
    const soa = soaWithRemote("/nonexistent/remote.git");
    const r = await paasta(["mark-for-deployment", "-s", "hello", "-c", "a".repeat(40), "-l", "canary", "-d", soa], {
      env: { PAASTA_CACHE_DIR: tempDir() },
    });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(
      "cannot reach git remote /nonexistent/remote.git: fatal: '/nonexistent/remote.git' does not appear to be a git repository",
    );
    expect(r.stderr).toContain("[PAASTA_GIT_UNREACHABLE]");
    expect(() => statSync(join(soa, "hello/deployments.json"))).toThrow();
  });

  it("a deploy group that is not in deploy.yaml is refused before anything is pushed", async () => {
    const repo = testRepo();
    const sha = repo.commit("one");
    const soa = soaWithRemote(repo.bare);
    const e = await rejection(markForDeployment(ctxFor(soa), { service: "services-hello", sha, deployGroup: "nope" }));
    expect(e.message).toBe(
      "deploy group nope is not a step of hello/deploy.yaml (steps: canary, dev.everything, prod.everything)",
    );
    expect(repo.tags().size).toBe(0);
  });

  it("the file log writer appends one JSON line per event at path_format", async () => {
    const repo = testRepo();
    const sha = repo.commit("one");
    const soa = soaWithRemote(repo.bare);
    const logs = tempDir();
    const writer = createLogWriter({
      driver: "file",
      options: { path_format: `${logs}/{service}/{component}-{cluster}.log` },
    });
    await markForDeployment({ ...ctxFor(soa), log: writer }, { service: "hello", sha, deployGroup: "canary" });
    await setDesiredState(
      { ...ctxFor(soa, () => new Date(Date.UTC(2030, 0, 1))), log: writer },
      { service: "hello", state: "stop", clusters: ["dev"], instances: ["canary"] },
    );
    const any = readFileSync(join(logs, "hello/deploy-N/A.log"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(any).toHaveLength(1);
    expect(any[0]).toMatchObject({
      service: "hello",
      component: "deploy",
      level: "event",
      message: expect.stringContaining(`Marked ${sha}`),
    });
    const dev = readFileSync(join(logs, "hello/deploy-dev.log"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(dev).toEqual([
      expect.objectContaining({ cluster: "dev", instance: "canary", message: expect.stringContaining("to 'stop'") }),
    ]);
  });
});
