/**
 * Where pipeline state lives: a git note per commit on `refs/notes/paasta-pipeline` in the service's own
 * repository, beside the deploy tags (docs/design/0003-pipeline-state.md). Anyone who can reach the repository
 * can read it; `git log --notes=paasta-pipeline` shows it next to each commit.
 *
 * Writes are compare-and-swap: a note commit is pushed without force, so it lands only on top of the tip it
 * was built from; when another writer got there first, the state is fetched again and the change re-applied.
 * Each process works on its own local ref in the bare cache repository, so processes on one machine never
 * build on each other's unpushed commits.
 */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { cacheRepo, firstLine, type GitOptions, type GitResult, runGit, withRetries } from "../deploy/git.js";
import { PaastaError } from "../errors.js";
import type { PipelineState } from "./state.js";

export const NOTES_REF = "refs/notes/paasta-pipeline";
const WORK_PREFIX = "refs/notes/paasta-pipeline-work/";
const ATTEMPTS = 10;

export interface PipelineStore {
  readonly url: string;
  /** The state of `sha` (a full SHA or a unique prefix) as the remote has it now; null when none. */
  read(sha: string): Promise<PipelineState | null>;
  /** Every pipeline recorded for the service, newest first. */
  list(): Promise<PipelineState[]>;
  /**
   * Applies `change` to the current state of `sha` and records the result (null from `change`: nothing to
   * write). Calls are serialised in this process; `change` may run again when another writer raced it.
   */
  update(sha: string, change: (s: PipelineState | null) => PipelineState | null): Promise<PipelineState | null>;
  close(): Promise<void>;
}

/** JSON with every non-ASCII character escaped, so that byte and character counts agree (cat-file sizes). */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value, null, 1).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** Splits `git cat-file --batch` output (ASCII content) into the objects' contents. */
export function parseBatch(out: string): string[] {
  const contents: string[] = [];
  let at = 0;
  while (at < out.length) {
    const nl = out.indexOf("\n", at);
    if (nl === -1) break;
    const size = Number(out.slice(at, nl).split(" ")[2]);
    if (!Number.isFinite(size)) break;
    contents.push(out.slice(nl + 1, nl + 1 + size));
    at = nl + 1 + size + 1;
  }
  return contents;
}

function identity(user: string): NodeJS.ProcessEnv {
  const email = `${user}@${hostname()}`;
  return { GIT_AUTHOR_NAME: user, GIT_AUTHOR_EMAIL: email, GIT_COMMITTER_NAME: user, GIT_COMMITTER_EMAIL: email };
}

/** Whether a process of this machine exists. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Removes work refs of processes on this machine that are gone (a runner killed with -9 leaves one). */
async function pruneWorkRefs(repo: string): Promise<void> {
  const r = await runGit(["for-each-ref", "--format=%(refname)", WORK_PREFIX], { cwd: repo });
  for (const ref of r.stdout.split("\n").filter(Boolean)) {
    const pid = Number(ref.slice(WORK_PREFIX.length).split("-")[0]);
    if (!pidAlive(pid)) await runGit(["update-ref", "-d", ref], { cwd: repo });
  }
}

export async function openStore(url: string, opts: { git?: GitOptions; user: string }): Promise<PipelineStore> {
  const git = opts.git ?? {};
  const repo = await cacheRepo(url, git);
  await pruneWorkRefs(repo);
  const work = `${WORK_PREFIX}${process.pid}-${randomBytes(4).toString("hex")}`;
  const env = identity(opts.user);
  const run = (args: string[], input?: string) =>
    withRetries(git, () => runGit(args, { cwd: repo, env, input, timeoutMs: git.timeoutMs }));
  const unreachable = (r: GitResult) => new PaastaError("PAASTA_GIT_UNREACHABLE", { url, detail: firstLine(r.stderr) });
  /** The states held by `work` after our last fetch or push, by full SHA. */
  let known: Map<string, PipelineState> | null = null;

  async function fetchTip(): Promise<void> {
    const r = await run(["fetch", "--quiet", "--no-tags", "--no-write-fetch-head", url, `+${NOTES_REF}:${work}`]);
    if (r.code !== 0) {
      if (!/couldn't find remote ref/i.test(r.stderr)) throw unreachable(r);
      await run(["update-ref", "-d", work]);
    }
    known = null;
  }

  async function readAll(): Promise<Map<string, PipelineState>> {
    if (known) return known;
    const list = await run(["notes", `--ref=${work}`, "list"]);
    const pairs = list.stdout
      .split("\n")
      .filter(Boolean)
      .map((l) => l.split(" ") as [string, string]);
    const out = new Map<string, PipelineState>();
    if (pairs.length > 0) {
      const batch = await run(["cat-file", "--batch"], `${pairs.map(([blob]) => blob).join("\n")}\n`);
      parseBatch(batch.stdout).forEach((text, i) => {
        try {
          out.set((pairs[i] as [string, string])[1], JSON.parse(text) as PipelineState);
        } catch {
          // not ours (someone wrote another note on this ref): ignored
        }
      });
    }
    known = out;
    return out;
  }

  const pick = (all: Map<string, PipelineState>, sha: string) => {
    const hits = [...all.keys()].filter((k) => k.startsWith(sha.toLowerCase()));
    return hits.length === 1 ? (all.get(hits[0] as string) ?? null) : null;
  };

  async function tryWrite(sha: string, next: PipelineState): Promise<boolean> {
    const add = await run(["notes", `--ref=${work}`, "add", "-f", "-F", "-", sha], asciiJson(next));
    if (add.code !== 0)
      throw new PaastaError("PAASTA_GIT_PUSH_FAILED", { tag: NOTES_REF, url, detail: firstLine(add.stderr) });
    const push = await run(["push", "--porcelain", "--no-verify", url, `${work}:${NOTES_REF}`]);
    if (push.code === 0) return true;
    if (/\[rejected\]|fetch first|non-fast-forward|cannot lock ref/i.test(push.stdout + push.stderr)) return false;
    throw new PaastaError("PAASTA_GIT_PUSH_FAILED", { tag: NOTES_REF, url, detail: firstLine(push.stderr) });
  }

  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const p = chain.then(fn, fn);
    chain = p.catch(() => undefined);
    return p;
  };

  return {
    url,
    read: (sha) =>
      serial(async () => {
        await fetchTip();
        return pick(await readAll(), sha);
      }),
    list: () =>
      serial(async () => {
        await fetchTip();
        return [...(await readAll()).values()].sort((a, b) => b.created_at.localeCompare(a.created_at));
      }),
    update: (sha, change) =>
      serial(async () => {
        if (!known) await fetchTip();
        for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
          const all = await readAll();
          const next = change(all.get(sha) ?? null);
          if (next === null) return all.get(sha) ?? null;
          if (await tryWrite(sha, next)) {
            all.set(sha, next);
            return next;
          }
          await fetchTip();
        }
        throw new PaastaError("PAASTA_GIT_PUSH_FAILED", {
          tag: NOTES_REF,
          url,
          detail: `${ATTEMPTS} writes in a row lost the race to other writers`,
        });
      }),
    close: () =>
      serial(async () => {
        await runGit(["update-ref", "-d", work], { cwd: repo });
      }),
  };
}
