/**
 * Artifacts of the process executor: the deployed SHA checked out once into
 * `STATE_DIR/artifacts/SERVICE/SHA` (from the git cache the deploy record uses), extracted atomically.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ensureCommit, type GitOptions } from "../../deploy/git.js";
import { PaastaError } from "../../errors.js";

const inflight = new Map<string, Promise<string>>();

/** Where checkouts live: one directory per service, one per SHA inside it (housekeeping.ts prunes them). */
export function artifactsRoot(stateDir: string): string {
  return join(stateDir, "artifacts");
}

export function artifactDir(stateDir: string, service: string, sha: string): string {
  return join(artifactsRoot(stateDir), service, sha);
}

/** The checkout of `sha` for `service`, created on first use. Concurrent callers share one extraction. */
export function ensureArtifact(
  stateDir: string,
  service: string,
  gitUrl: string,
  sha: string,
  git?: GitOptions,
): Promise<string> {
  const dir = artifactDir(stateDir, service, sha);
  if (existsSync(join(dir, ".paasta-artifact"))) return Promise.resolve(dir);
  const running = inflight.get(dir);
  if (running) return running;
  const p = extract(dir, gitUrl, sha, git).finally(() => inflight.delete(dir));
  inflight.set(dir, p);
  return p;
}

async function extract(dir: string, gitUrl: string, sha: string, git?: GitOptions): Promise<string> {
  const { repo, sha: full } = await ensureCommit(gitUrl, sha, git);
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  mkdirSync(tmp, { recursive: true });
  try {
    await new Promise<void>((resolve, reject) => {
      const archive = spawn("git", ["--git-dir", repo, "archive", "--format=tar", full], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      const tar = spawn("tar", ["-x", "-C", tmp], { stdio: ["pipe", "ignore", "pipe"] });
      let err = "";
      archive.stderr.on("data", (d) => (err += d));
      tar.stderr.on("data", (d) => (err += d));
      archive.stdout.pipe(tar.stdin);
      let pending = 2;
      const done = (code: number | null) => {
        if (code !== 0) reject(new Error(err.trim() || `exit ${code}`));
        else if (--pending === 0) resolve();
      };
      archive.on("close", done);
      tar.on("close", done);
      archive.on("error", reject);
      tar.on("error", reject);
    });
    await import("node:fs/promises").then((fs) => fs.writeFile(join(tmp, ".paasta-artifact"), `${full}\n`));
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, ".."), { recursive: true });
    renameSync(tmp, dir);
    return dir;
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    if (e instanceof PaastaError) throw e;
    throw new PaastaError("PAASTA_INTERNAL", {
      detail: `cannot check out ${full} into ${dir}: ${(e as Error).message}`,
    });
  }
}
