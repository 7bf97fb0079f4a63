/** Real git repositories on disk for tests: a bare "remote" and a work tree that pushes commits to it. */
import { execFileSync } from "node:child_process";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { EXAMPLES, tempDir } from "./cli.js";

const ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: "Test",
  GIT_AUTHOR_EMAIL: "test@example.org",
  GIT_COMMITTER_NAME: "Test",
  GIT_COMMITTER_EMAIL: "test@example.org",
};

export function git(args: string[], cwd?: string): string {
  return execFileSync("git", args, { cwd, env: ENV, encoding: "utf8" }).trim();
}

export interface TestRepo {
  readonly root: string;
  readonly bare: string;
  readonly work: string;
  /** Commits (with a file change) and pushes to the bare remote; returns the SHA. */
  commit(message: string, files?: Record<string, string>): string;
  /** `refs/tags/NAME → sha` as the remote has them. */
  tags(): Map<string, string>;
}

export function testRepo(): TestRepo {
  const root = tempDir("paasta-git-");
  const bare = join(root, "remote.git");
  const work = join(root, "work");
  git(["init", "-q", "--bare", "-b", "main", bare]);
  git(["init", "-q", "-b", "main", work]);
  git(["remote", "add", "origin", bare], work);
  let n = 0;
  return {
    root,
    bare,
    work,
    commit(message, files = { "version.txt": `${++n}\n` }) {
      for (const [name, content] of Object.entries(files)) writeFileSync(join(work, name), content);
      git(["add", "-A"], work);
      git(["commit", "-q", "-m", message], work);
      git(["push", "-q", "origin", "HEAD:main"], work);
      return git(["rev-parse", "HEAD"], work);
    },
    tags() {
      const out = new Map<string, string>();
      const text = git(["for-each-ref", "--format=%(refname) %(objectname)", "refs/tags"], bare);
      for (const line of text.split("\n").filter(Boolean)) {
        const [ref, sha] = line.split(" ");
        out.set(ref as string, sha as string);
      }
      return out;
    },
  };
}

/** A copy of the examples tree whose `hello` service points at `gitUrl`. */
export function soaWithRemote(gitUrl: string, service = "hello"): string {
  const soa = join(tempDir("paasta-soa-"), "soa-configs");
  cpSync(EXAMPLES, soa, { recursive: true });
  const path = join(soa, service, "service.yaml");
  writeFileSync(path, readFileSync(path, "utf8").replace(/^git_url: .*$/m, `git_url: ${gitUrl}`));
  return soa;
}
