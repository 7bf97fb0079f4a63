/**
 * The git CLI, for the deployment record: read a remote's refs (one `ls-remote`), make sure a commit is
 * available locally, push one new tag. Tags are pushed without force: an existing tag is never moved or
 * deleted. Transient failures (network) are retried; everything else is a clear catalogue error.
 *
 * Pushing a tag needs the commit object locally; paasta keeps a bare cache repository per remote under
 * `$PAASTA_CACHE_DIR/git` (default `~/.cache/paasta/git`), fetched incrementally.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { PaastaError } from "../errors.js";

export interface GitOptions {
  /** Attempts for transient failures (default 3). */
  readonly attempts?: number;
  /** Delay before the n-th retry is `retryDelayMs * n` (default 1000). */
  readonly retryDelayMs?: number;
  /** Timeout of one git command (default 60 s, as PaaSTA's ls-remote). */
  readonly timeoutMs?: number;
  readonly cacheDir?: string;
}

export interface GitResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const TRANSIENT = [
  /Could not resolve host/i,
  /Connection (timed out|refused|reset)/i,
  /early EOF/i,
  /remote end hung up unexpectedly/i,
  /Operation timed out/i,
  /unable to access .*: (Failed|Recv|Send|SSL)/i,
  /cannot lock ref/i,
  /Unable to create .*\.lock/i,
  /timed out after/i,
];

function gitEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GIT_TERMINAL_PROMPT: "0",
    GIT_SSH_COMMAND: process.env.GIT_SSH_COMMAND ?? "ssh -o BatchMode=yes",
    LC_ALL: "C",
  };
}

export function runGit(
  args: readonly string[],
  opts: { cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<GitResult> {
  return new Promise((resolve) => {
    const child = execFile(
      "git",
      [...args],
      {
        cwd: opts.cwd,
        env: { ...gitEnv(), ...opts.env },
        timeout: opts.timeoutMs ?? 60_000,
        maxBuffer: 256 * 1024 * 1024,
        encoding: "utf8",
      },
      (err, stdout, stderr) => {
        const e = err as (NodeJS.ErrnoException & { code?: number | string; killed?: boolean }) | null;
        if (e?.killed)
          resolve({ code: 124, stdout, stderr: `${stderr}\ngit timed out after ${opts.timeoutMs ?? 60_000} ms` });
        else if (e && typeof e.code !== "number")
          resolve({ code: 127, stdout, stderr: `cannot run git: ${e.message}` });
        else resolve({ code: e ? Number(e.code) : 0, stdout, stderr });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

export async function withRetries(opts: GitOptions, fn: () => Promise<GitResult>): Promise<GitResult> {
  const attempts = opts.attempts ?? 3;
  let last: GitResult = { code: 1, stdout: "", stderr: "not run" };
  for (let i = 1; i <= attempts; i++) {
    last = await fn();
    if (last.code === 0 || !TRANSIENT.some((re) => re.test(last.stderr))) return last;
    if (i < attempts) await new Promise((r) => setTimeout(r, (opts.retryDelayMs ?? 1000) * i));
  }
  return last;
}

export function firstLine(stderr: string): string {
  const lines = stderr
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("hint:"));
  return lines.find((l) => l.startsWith("fatal:") || l.startsWith("error:")) ?? lines[0] ?? "unknown error";
}

/** refs → commit SHA (annotated tags peeled), with one `git ls-remote`. */
export async function lsRemote(url: string, opts: GitOptions = {}): Promise<Map<string, string>> {
  const r = await withRetries(opts, () => runGit(["ls-remote", url], { timeoutMs: opts.timeoutMs }));
  if (r.code !== 0) throw new PaastaError("PAASTA_GIT_UNREACHABLE", { url, detail: firstLine(r.stderr) });
  return parseLsRemote(r.stdout);
}

export function parseLsRemote(out: string): Map<string, string> {
  const refs = new Map<string, string>();
  const peeled = new Map<string, string>();
  for (const line of out.split("\n")) {
    const tab = line.indexOf("\t");
    if (tab !== 40 && tab !== 64) continue;
    const sha = line.slice(0, tab);
    const ref = line.slice(tab + 1);
    if (ref.endsWith("^{}")) peeled.set(ref.slice(0, -3), sha);
    else refs.set(ref, sha);
  }
  for (const [ref, sha] of peeled) refs.set(ref, sha);
  return refs;
}

export function cacheDir(opts: GitOptions = {}): string {
  const base =
    opts.cacheDir ??
    process.env.PAASTA_CACHE_DIR ??
    (process.env.XDG_CACHE_HOME ? join(process.env.XDG_CACHE_HOME, "paasta") : join(homedir(), ".cache", "paasta"));
  return join(base, "git");
}

export async function cacheRepo(url: string, opts: GitOptions): Promise<string> {
  const dir = join(cacheDir(opts), `${createHash("sha256").update(url).digest("hex").slice(0, 24)}.git`);
  if (!existsSync(join(dir, "HEAD"))) {
    mkdirSync(dir, { recursive: true });
    const r = await runGit(["init", "--quiet", "--bare", dir]);
    if (r.code !== 0 && !existsSync(join(dir, "HEAD"))) {
      throw new PaastaError("PAASTA_INTERNAL", { detail: `cannot create git cache ${dir}: ${firstLine(r.stderr)}` });
    }
  }
  return dir;
}

async function resolveLocal(repo: string, sha: string): Promise<string | undefined> {
  const r = await runGit(["rev-parse", "--verify", "--quiet", `${sha}^{commit}`], { cwd: repo });
  return r.code === 0 ? r.stdout.trim() : undefined;
}

/**
 * Makes `sha` (full or an unambiguous prefix) available in the cache repository of `url` and returns the
 * full SHA. An unknown commit is PAASTA_GIT_UNKNOWN_SHA; an unreachable remote PAASTA_GIT_UNREACHABLE.
 */
export async function ensureCommit(
  url: string,
  sha: string,
  opts: GitOptions = {},
): Promise<{ repo: string; sha: string }> {
  if (!/^[0-9a-f]{4,64}$/i.test(sha)) throw new PaastaError("PAASTA_GIT_UNKNOWN_SHA", { sha, url });
  const repo = await cacheRepo(url, opts);
  const local = await resolveLocal(repo, sha);
  if (local) return { repo, sha: local };
  if (sha.length === 40) {
    // Fetching one commit by SHA is cheap where the server allows it (protocol v2 does for reachable commits).
    await runGit(["fetch", "--quiet", "--no-tags", "--no-write-fetch-head", url, sha], {
      cwd: repo,
      timeoutMs: opts.timeoutMs,
    });
    const got = await resolveLocal(repo, sha);
    if (got) return { repo, sha: got };
  }
  const r = await withRetries(opts, () =>
    runGit(
      [
        "fetch",
        "--quiet",
        "--no-write-fetch-head",
        "--no-tags",
        url,
        "+refs/heads/*:refs/remotes/origin/*",
        "+refs/tags/*:refs/remote-tags/*",
      ],
      {
        cwd: repo,
        timeoutMs: opts.timeoutMs,
      },
    ),
  );
  if (r.code !== 0) throw new PaastaError("PAASTA_GIT_UNREACHABLE", { url, detail: firstLine(r.stderr) });
  const got = await resolveLocal(repo, sha);
  if (!got) throw new PaastaError("PAASTA_GIT_UNKNOWN_SHA", { sha, url });
  return { repo, sha: got };
}

/**
 * Pushes the new tag `name` → `sha` (which `ensureCommit` made available). Returns "exists" when a tag of
 * that name is already on the remote (it is left untouched), "pushed" otherwise.
 */
export async function pushTag(
  url: string,
  repo: string,
  name: string,
  sha: string,
  opts: GitOptions = {},
): Promise<"pushed" | "exists"> {
  const r = await withRetries(opts, () =>
    runGit(["push", "--porcelain", "--no-verify", url, `${sha}:refs/tags/${name}`], {
      cwd: repo,
      timeoutMs: opts.timeoutMs,
    }),
  );
  if (r.code === 0) return "pushed";
  if (/already exists|\[rejected\]/.test(r.stdout + r.stderr)) return "exists";
  if (/does not appear to be a git repository|Could not read from remote|unable to access|not found/i.test(r.stderr)) {
    throw new PaastaError("PAASTA_GIT_UNREACHABLE", { url, detail: firstLine(r.stderr) });
  }
  throw new PaastaError("PAASTA_GIT_PUSH_FAILED", { tag: name, url, detail: firstLine(r.stderr) });
}
