// What the bench scripts that drive `paasta up` as a child process share: the repository's paths, git with
// an identity, ports, polling, a process's CPU time, and a local cluster `dev` (system config) in a temporary
// root. Bench scripts only: no test imports this.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";

export const REPO = new URL("..", import.meta.url).pathname;
export const BIN = join(REPO, "bin/paasta.js");
export const env0 = {
  ...process.env,
  GIT_AUTHOR_NAME: "b",
  GIT_AUTHOR_EMAIL: "b@example.org",
  GIT_COMMITTER_NAME: "b",
  GIT_COMMITTER_EMAIL: "b@example.org",
};
export const git = (args, cwd) => execFileSync("git", args, { cwd, env: env0, encoding: "utf8" }).trim();
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const listenable = (port) =>
  new Promise((resolve) => {
    const s = createServer();
    s.once("error", () => resolve(false));
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });

/** A free loopback port: any (the kernel's choice), or one in [lo, hi). */
export async function freePort(lo = 0, hi = 0) {
  for (;;) {
    const port = lo ? lo + Math.floor(Math.random() * (hi - lo)) : 0;
    if (port === 0) {
      return new Promise((resolve) => {
        const s = createServer();
        s.listen(0, "127.0.0.1", () => {
          const { port: p } = s.address();
          s.close(() => resolve(p));
        });
      });
    }
    if (await listenable(port)) return port;
  }
}

/** Polls `fn` every `everyMs` until `ok` holds for its value (errors count as not yet). */
export async function until(fn, ok, timeoutMs, everyMs = 20) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await fn();
      if (ok(v)) return v;
    } catch {}
    if (Date.now() > end) throw new Error("timed out");
    await sleep(everyMs);
  }
}

export const CLK_TCK = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());

/** User + system CPU time of a process, in clock ticks. */
export function cpuTicks(pid) {
  const text = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return Number(f[11]) + Number(f[12]);
}

/**
 * The system config of a local cluster `dev` (process executor, API token "t") under `root`, for the
 * soa-configs at `soa`; the environment `paasta` needs to use it, and where its API, state and cache are.
 */
export async function localCluster(root, soa) {
  const port = await freePort();
  const stateDir = join(root, "state");
  const cache = join(root, "cache");
  mkdirSync(join(root, "etc"));
  writeFileSync(
    join(root, "etc/paasta.json"),
    JSON.stringify({
      cluster: "dev",
      clusters: ["dev"],
      soa_dir: soa,
      api_endpoints: { dev: `http://127.0.0.1:${port}` },
      api_auth_token: "t",
      cluster_backends: { dev: { type: "local", executor: "process", state_dir: stateDir } },
    }),
  );
  const env = { ...env0, PAASTA_SYSTEM_CONFIG_DIR: join(root, "etc"), PAASTA_CACHE_DIR: cache };
  return { env, stateDir, cache, api: `http://127.0.0.1:${port}` };
}
