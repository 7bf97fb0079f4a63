/**
 * Continuous reconciliation (what `paasta up` and `paasta deployd` run): a pass whenever soa-configs or a
 * deployments.json change, whenever a service's git remote gets new tags (deployments.json is regenerated
 * from them, so `mark-for-deployment` alone triggers a deploy), and at least every `resyncSeconds`.
 * Changes are found by polling (file stamps, `git ls-remote`), which works on every platform and for remotes
 * of any kind.
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Backend } from "../backends/backend.js";
import type { SystemConfig } from "../config/system.js";
import { generateDeployments, type RecordContext } from "../deploy/record.js";
import type { LogWriter } from "../logs/writer.js";
import { type PassResult, reconcilePass } from "./pass.js";

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
  readonly log: LogWriter;
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

export class ReconcileLoop {
  private stamp = "";
  private lastPass = 0;
  private running = false;
  private pending = false;
  private closed = false;
  private timers: NodeJS.Timeout[] = [];
  lastResult: PassResult | undefined;

  constructor(private readonly o: LoopOptions) {}

  start(): void {
    const watch = async () => {
      const stamp = treeStamp(this.o.soaDir);
      const stale = Date.now() - this.lastPass > (this.o.resyncSeconds ?? 30) * 1000;
      if (stamp !== this.stamp || stale) {
        this.stamp = stamp;
        await this.runPass();
      }
      if (!this.closed) this.timers.push(setTimeout(watch, this.o.watchMs ?? 1000));
    };
    this.timers.push(setTimeout(watch, 0));
    if ((this.o.gitPollMs ?? 3000) > 0) {
      const poll = async () => {
        await this.pollGit();
        if (!this.closed) this.timers.push(setTimeout(poll, this.o.gitPollMs ?? 3000));
      };
      this.timers.push(setTimeout(poll, this.o.gitPollMs ?? 3000));
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
        });
        this.lastPass = Date.now();
        this.lastResult = r;
        this.o.onPass?.(r);
      } while (this.pending && !this.closed);
    } catch (e) {
      this.o.onError?.(e);
    } finally {
      this.running = false;
    }
    return this.lastResult;
  }

  /** Regenerates deployments.json of every service deployed on this cluster from its remote's tags. */
  private async pollGit(): Promise<void> {
    const services = new Set((await this.o.backend.observe()).map((a) => a.service));
    for (const name of this.lastResult?.desired?.undeployed.map((u) => u.service) ?? []) services.add(name);
    for (const name of this.lastResult?.desired?.apps.map((a) => a.service) ?? []) services.add(name);
    const ctx: RecordContext = {
      soaDir: this.o.soaDir,
      system: this.o.system,
      log: this.o.log,
      git: { attempts: 1, timeoutMs: 20_000 },
    };
    const queue = [...services];
    const worker = async () => {
      for (let s = queue.shift(); s !== undefined; s = queue.shift()) {
        try {
          await generateDeployments(ctx, s);
        } catch (e) {
          this.o.onError?.(e);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(4, queue.length) }, worker));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    while (this.running) await new Promise((r) => setTimeout(r, 20));
  }
}
