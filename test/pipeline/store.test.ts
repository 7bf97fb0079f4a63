/**
 * Pipeline state in the service's git repository (refs/notes/paasta-pipeline) and the mark-once invariant,
 * against real git repositories: a bare remote on disk, separate cache directories standing for machines.
 */
import { describe, expect, it } from "vitest";
import { type DeployConfig, deployFileSchema } from "../../src/config/schema/deploy.js";
import { markOnce, type RecordContext, rollback } from "../../src/deploy/record.js";
import { planPipeline } from "../../src/pipeline/plan.js";
import { renderStatus } from "../../src/pipeline/render.js";
import { endStep, newState, type PipelineState, startStep } from "../../src/pipeline/state.js";
import { asciiJson, NOTES_REF, openStore, parseBatch } from "../../src/pipeline/store.js";
import { tempDir } from "../helpers/cli.js";
import { git, soaWithRemote, testRepo } from "../helpers/git.js";

const T = "2026-01-01T00:00:00.000Z";
const plan = planPipeline(
  deployFileSchema.parse({ pipeline: [{ step: "itest" }, { step: "dev.everything" }] }) as DeployConfig,
).plan;
const machine = () => ({ retryDelayMs: 10, cacheDir: tempDir("paasta-pl-cache-") });

describe("the state document's encoding", () => {
  it("is ASCII JSON, so git cat-file --batch sizes split it exactly", () => {
    const text = asciiJson({ a: "✓ ünïcode", b: [1] });
    expect(/^[\x00-\x7f]*$/.test(text)).toBe(true);
    expect(JSON.parse(text)).toEqual({ a: "✓ ünïcode", b: [1] });
    const out = `abc blob ${text.length}\n${text}\ndef blob 2\n{}\n`;
    expect(parseBatch(out)).toEqual([text, "{}"]);
  });
});

describe("the pipeline store on a real git remote", () => {
  it("another machine reads what one wrote; a prefix finds it; git log --notes shows it beside the commit", async () => {
    const repo = testRepo();
    const sha = repo.commit("one");
    const a = await openStore(repo.bare, { git: machine(), user: "alice" });
    await a.update(sha, () => newState(plan, "hello", sha, T));
    await a.close();
    const b = await openStore(repo.bare, { git: machine(), user: "bob" });
    expect((await b.read(sha.slice(0, 8)))?.steps.map((s) => s.name)).toEqual(["itest", "dev.everything"]);
    expect((await b.list()).map((s) => s.git_sha)).toEqual([sha]);
    await b.close();
    git(["fetch", "-q", "origin", `${NOTES_REF}:${NOTES_REF}`], repo.work);
    expect(git(["log", "-1", "--notes=paasta-pipeline", "--format=%N", sha], repo.work)).toContain(
      '"service": "hello"',
    );
  });

  it("two writers racing: both changes land (compare-and-swap with retry), none is lost", async () => {
    const repo = testRepo();
    const sha = repo.commit("one");
    const a = await openStore(repo.bare, { git: machine(), user: "alice" });
    const b = await openStore(repo.bare, { git: machine(), user: "bob" });
    await a.update(sha, () => newState(plan, "hello", sha, T));
    await b.read(sha); // b's view is now current; a's next write makes it stale
    const mark = (name: string) => (s: PipelineState | null) =>
      endStep(startStep(s as PipelineState, name, T), name, { ok: true, detail: name }, T);
    await Promise.all([a.update(sha, mark("itest")), b.update(sha, mark("dev.everything"))]);
    const final = await a.read(sha);
    expect(final?.steps.map((s) => [s.name, s.status])).toEqual([
      ["itest", "succeeded"],
      ["dev.everything", "succeeded"],
    ]);
    await a.close();
    await b.close();
  });

  it("status text shows each step with its start, end and time", () => {
    let s = newState(plan, "hello", "a".repeat(40), T);
    s = startStep(s, "itest", "2026-01-01T10:00:00.000Z");
    s = endStep(s, "itest", { ok: true, detail: "make itest exited 0" }, "2026-01-01T10:00:02.500Z");
    const lines = renderStatus(s, { runnerAlive: false, now: Date.parse("2026-01-01T10:00:03.000Z") });
    expect(lines[0]).toBe(
      "hello aaaaaaaa: interrupted: its runner (unknown) is gone; `paasta pipeline run` resumes it",
    );
    expect(lines[3]).toMatch(/^ {2}itest +succeeded +10:00:00 +10:00:02 +2\.5s +make itest exited 0$/);
    expect(lines[4]).toMatch(/^ {2}dev\.everything +pending$/);
  });
});

describe("markOnce: a deploy group is never marked twice for one commit", () => {
  function setup() {
    const repo = testRepo();
    const old = repo.commit("old");
    const sha = repo.commit("new");
    const soaDir = soaWithRemote(repo.bare);
    const ctx: RecordContext = { soaDir, log: { write: () => {} }, git: machine(), user: "alice" };
    return { repo, old, sha, ctx };
  }
  const deployTags = (tags: Map<string, string>, sha: string) =>
    [...tags].filter(([ref, s]) => s === sha && ref.includes("dev.everything") && ref.endsWith("-deploy"));

  it("marks once; asked again it finds its tag in the record and pushes nothing", async () => {
    const { repo, old, sha, ctx } = setup();
    await markOnce(ctx, { service: "hello", sha: old, deployGroup: "dev.everything" });
    const first = await markOnce(ctx, { service: "hello", sha: sha.slice(0, 10), deployGroup: "dev.everything" });
    expect(first).toMatchObject({ status: "marked", sha, previousSha: old });
    const again = await markOnce(ctx, { service: "hello", sha, deployGroup: "dev.everything" });
    expect(again).toEqual({ ...first, status: "current", currentSha: sha });
    expect(deployTags(repo.tags(), sha)).toHaveLength(1);
  });

  it("after a rollback the commit is not marked again: superseded, with the reason", async () => {
    const { repo, old, sha, ctx } = setup();
    await markOnce(ctx, { service: "hello", sha: old, deployGroup: "dev.everything" });
    await markOnce(ctx, { service: "hello", sha, deployGroup: "dev.everything" });
    await rollback(ctx, { service: "hello", deployGroups: ["dev.everything"], sha: old });
    const r = await markOnce(ctx, { service: "hello", sha, deployGroup: "dev.everything" });
    expect(r).toMatchObject({ status: "superseded", currentSha: old, rolledBack: true, previousSha: old });
    expect(deployTags(repo.tags(), sha)).toHaveLength(1);
  });
});
