/**
 * Continuous reconciliation (what `paasta up` and `paasta deployd` run): a pass whenever soa-configs or a
 * deployments.json change, whenever a service's git remote gets new tags (deployments.json is regenerated
 * from them, so `mark-for-deployment` alone triggers a deploy), and at least every `resyncSeconds`.
 * File changes wake it through inotify (fs.watch on the tree's directories) and are confirmed by comparing file
 * stamps, which are also polled as a safety net; remotes are read with `git ls-remote` (any kind of remote).
 */
import { existsSync, type FSWatcher, readdirSync, statSync, watch } from "node:fs";
import { join } from "node:path";
import type { Backend } from "../backends/backend.js";
import { readServiceDir } from "../config/soa.js";
import type { SystemConfig } from "../config/system.js";
import { lsRemote } from "../deploy/git.js";
import { generateDeployments, type RecordContext } from "../deploy/record.js";
import { serviceGitUrl } from "../deploy/remote.js";
import type { LogWriter } from "../logs/writer.js";
import { type PassOptions, type PassResult, reconcilePass } from "./pass.js";

export interface LoopOptions {
  readonly soaDir: string;
  readonly cluster: string;
  readonly system?: SystemConfig;
  readonly backend: Backend;
  /** How often file stamps are compared (ms). */
  readonly watchMs?: number;
  /** How often each service's git remote is read (ms). 0 disables. */
  readonly gitPollMs?: number;
  readonly resyncSeconds?: number;
  readonly force?: boolean;
  readonly rateLimit?: number;
  /** Apps applied at once (default: the backend's applyConcurrency). */
  readonly concurrency?: number;
  readonly log: LogWriter;
  /** The cluster's autoscaling overrides and pause (rendered into HPAs where the backend has them). */
  readonly autoscaling?: PassOptions["autoscaling"];
  readonly onPass?: (r: PassResult) => void;
  readonly onError?: (e: unknown) => void;
}

/** A cheap fingerprint of every soa-configs file: names, sizes and modification times. */
export function treeStamp(soaDir: string): string {
  const parts: string[] = [];
  let services: string[] = [];
  try {
    services = readdirSync(soaDir).sort();
  } catch {
    return "unreadable";
  }
  for (const s of services) {
    if (s.startsWith(".")) continue;
    let files: string[];
    try {
      files = readdirSync(join(soaDir, s)).sort();
    } catch {
      continue;
    }
    for (const f of files) {
      if (f === "secrets") parts.push(...secretsStamp(join(soaDir, s, f), `${s}/${f}`));
      if (!f.endsWith(".yaml") && f !== "deployments.json") continue;
      try {
        const st = statSync(join(soaDir, s, f));
        parts.push(`${s}/${f}:${st.size}:${st.mtimeMs}`);
      } catch {
        // raced with a rename
      }
    }
  }
  return parts.join("\n");
}

/** Stamps of a service's `secrets/*.json` (a rotated secret bounces its instances, so it must wake a pass). */
function secretsStamp(dir: string, shown: string): string[] {
  let files: string[];
  try {
    files = readdirSync(dir).sort();
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const f of files) {
    if (!f.endsWith(".json")) continue;
    try {
      const st = statSync(join(dir, f));
      out.push(`${shown}/${f}:${st.size}:${st.mtimeMs}`);
    } catch {
      // raced with a rename
    }
  }
  return out;
}

export class ReconcileLoop {
  private stamp = "";
  private lastPass = 0;
  private running = false;
  private pending = false;
  private closed = false;
  private pollTimer: NodeJS.Timeout | undefined;
  private gitTimer: NodeJS.Timeout | undefined;
  private readonly watchers = new Map<string, FSWatcher>();
  private kickTimer: NodeJS.Timeout | undefined;
  private triggerTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  /** Consecutive passes with retryable failures (the retry delay doubles with each). */
  private retries = 0;
  private readonly refStamps = new Map<string, string>();
  lastResult: PassResult | undefined;

  constructor(private readonly o: LoopOptions) {}

  /** When the last pass ended (null before the first) and whether a pass runs or is asked for (the deploy queue). */
  passState(): { lastPassAt: number | null; pending: boolean } {
    return {
      lastPassAt: this.lastPass || null,
      pending: this.running || this.pending || this.retryTimer !== undefined,
    };
  }

  /** Runs a pass when the tree's stamp changed (or the last pass is older than resyncSeconds). */
  private async check(): Promise<void> {
    const stamp = treeStamp(this.o.soaDir);
    const stale = Date.now() - this.lastPass > (this.o.resyncSeconds ?? 30) * 1000;
    this.ensureWatchers();
    if (stamp !== this.stamp || stale) {
      this.stamp = stamp;
      await this.runPass();
    }
  }

  /** Something outside changed (e.g. a watch event on a managed object): run a pass soon. */
  trigger(): void {
    if (this.closed || this.triggerTimer) return;
    this.triggerTimer = setTimeout(() => {
      this.triggerTimer = undefined;
      void this.runPass();
    }, 200);
  }

  /** A change was signalled: check soon (events come in bursts while files are written). */
  private kick(): void {
    if (this.closed || this.kickTimer) return;
    this.kickTimer = setTimeout(() => {
      this.kickTimer = undefined;
      void this.check();
    }, 30);
  }

  private ensureWatchers(): void {
    const dirs = [this.o.soaDir];
    try {
      for (const s of readdirSync(this.o.soaDir, { withFileTypes: true })) {
        if (!s.isDirectory() || s.name.startsWith(".")) continue;
        dirs.push(join(this.o.soaDir, s.name));
        if (existsSync(join(this.o.soaDir, s.name, "secrets"))) dirs.push(join(this.o.soaDir, s.name, "secrets"));
      }
    } catch {
      return;
    }
    for (const dir of dirs) {
      if (this.watchers.has(dir)) continue;
      try {
        const w = watch(dir, { persistent: false }, () => this.kick());
        w.on("error", () => {
          w.close();
          this.watchers.delete(dir);
        });
        this.watchers.set(dir, w);
      } catch {
        // polling still finds the change
      }
    }
  }

  start(): void {
    const poll = async () => {
      await this.check();
      if (!this.closed) this.pollTimer = setTimeout(poll, this.o.watchMs ?? 2000);
    };
    this.pollTimer = setTimeout(poll, 0);
    if ((this.o.gitPollMs ?? 3000) > 0) {
      const pollGit = async () => {
        await this.pollGit();
        if (!this.closed) this.gitTimer = setTimeout(pollGit, this.o.gitPollMs ?? 3000);
      };
      this.gitTimer = setTimeout(pollGit, this.o.gitPollMs ?? 3000);
    }
  }

  /** Runs one pass now (or right after the one in progress). */
  async runPass(): Promise<PassResult | undefined> {
    if (this.running) {
      this.pending = true;
      return undefined;
    }
    this.running = true;
    try {
      do {
        this.pending = false;
        const r = await reconcilePass(this.o.backend, {
          soaDir: this.o.soaDir,
          system: this.o.system,
          cluster: this.o.cluster,
          force: this.o.force,
          rateLimit: this.o.rateLimit,
          concurrency: this.o.concurrency,
          autoscaling: this.o.autoscaling,
        });
        this.lastPass = Date.now();
        this.lastResult = r;
        this.scheduleRetry(r);
        this.o.onPass?.(r);
      } while (this.pending && !this.closed);
    } catch (e) {
      this.o.onError?.(e);
    } finally {
      this.running = false;
    }
    return this.lastResult;
  }

  /**
   * A failure that may pass (the cluster was unavailable or busy) is retried soon, with a doubling delay (1 s up
   * to the resync period); terminal failures wait for their input to change.
   */
  private scheduleRetry(r: PassResult): void {
    // The write budget was spent: the rest follows at once, in the next pass (not at the next resync).
    if (r.outcomes.some((o) => o.kind === "deferred")) this.trigger();
    if (!r.outcomes.some((o) => o.kind === "failed" && o.error.retryable)) {
      this.retries = 0;
      return;
    }
    if (this.closed || this.retryTimer) return;
    const delay = Math.min(1000 * 2 ** this.retries++, (this.o.resyncSeconds ?? 30) * 1000);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.runPass();
    }, delay);
  }

  /**
   * Regenerates deployments.json of the services deployed on this cluster from their remotes' tags: one
   * `ls-remote` per distinct remote, and for remotes on this machine only when their refs changed on disk.
   */
  private async pollGit(): Promise<void> {
    const desired = this.lastResult?.desired;
    if (!desired) return;
    const byUrl = new Map<string, Set<string>>();
    const add = (url: string | null, service: string) => {
      if (url) byUrl.set(url, (byUrl.get(url) ?? new Set()).add(service));
    };
    for (const app of desired.apps) add(app.git_url, app.service);
    for (const name of new Set(desired.undeployed.map((u) => u.service))) {
      try {
        add(serviceGitUrl(readServiceDir(this.o.soaDir, name)), name);
      } catch {
        // a service that cannot be read is frozen by the reconciler; nothing to regenerate
      }
    }
    const ctx: RecordContext = {
      soaDir: this.o.soaDir,
      system: this.o.system,
      log: this.o.log,
      git: { attempts: 1, timeoutMs: 20_000 },
    };
    const queue = [...byUrl];
    const worker = async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
        const [url, names] = item;
        const refs = localRefsStamp(url);
        // Unchanged refs skip the read only while the services on this remote and their configs are unchanged
        // too: a service added to a repository that already deploys another one needs its deployments.json.
        const stamp =
          refs === undefined
            ? undefined
            : `${refs}\n${[...names]
                .sort()
                .map((n) => serviceStamp(this.o.soaDir, n))
                .join("\n")}`;
        if (stamp !== undefined && this.refStamps.get(url) === stamp) continue;
        try {
          const known = await lsRemote(url, ctx.git);
          for (const name of names) await generateDeployments(ctx, name, known);
          if (stamp !== undefined) this.refStamps.set(url, stamp);
        } catch (e) {
          this.o.onError?.(e);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(4, queue.length) }, worker));
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.pollTimer);
    clearTimeout(this.gitTimer);
    if (this.kickTimer) clearTimeout(this.kickTimer);
    if (this.triggerTimer) clearTimeout(this.triggerTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    for (const w of this.watchers.values()) w.close();
    while (this.running) await new Promise((r) => setTimeout(r, 20));
  }
}

/** A stamp of one service's YAML files (names, sizes, modification times); deployments.json is not part of it. */
export function serviceStamp(soaDir: string, service: string): string {
  const dir = join(soaDir, service);
  let files: string[];
  try {
    files = readdirSync(dir).sort();
  } catch {
    return `${service}:-`;
  }
  const parts = [service];
  for (const f of files) {
    if (!f.endsWith(".yaml")) continue;
    try {
      const st = statSync(join(dir, f));
      parts.push(`${f}:${st.size}:${st.mtimeMs}`);
    } catch {
      // raced with a rename
    }
  }
  return parts.join("|");
}

/**
 * For a repository on this machine (a path or file:// URL), a stamp of its refs (packed-refs and the tag and
 * branch directories): unchanged means no new tag. Undefined for remote URLs (they are always read).
 */
export function localRefsStamp(url: string): string | undefined {
  let path: string;
  if (url.startsWith("file://")) path = decodeURIComponent(new URL(url).pathname);
  else if (url.startsWith("/")) path = url;
  else return undefined;
  const gitDir = existsSync(join(path, ".git")) ? join(path, ".git") : path;
  const parts: string[] = [];
  for (const p of ["packed-refs", "refs/tags", "refs/heads"]) {
    try {
      const st = statSync(join(gitDir, p));
      parts.push(`${p}:${st.mtimeMs}:${st.size}`);
    } catch {
      parts.push(`${p}:-`);
    }
  }
  return parts.join("|");
}
