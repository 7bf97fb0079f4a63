/**
 * The scheduler's view of the cluster's Tron jobs: each job's last good definition and what its deploy groups
 * run now, re-read only for services whose files changed. A job whose config turns invalid keeps its last good
 * definition and carries the problems (reported by status and the API); it never stops the other jobs or the
 * scheduler. A job that was never valid is reported and not scheduled.
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { loadServiceDir } from "../../config/file-check.js";
import { formatProblem, type Problem } from "../../config/problem.js";
import { generalProblems, instanceNames, resolveTronJob } from "../../config/resolve/index.js";
import { findFile, listServiceNames } from "../../config/soa.js";
import type { SystemConfig } from "../../config/system.js";
import type { ResolvedTronAction, ResolvedTronJob } from "../../config/types.js";
import { deploymentFor, readDeployments } from "../../deploy/deployments-file.js";
import { resolveGitUrl } from "../../deploy/git-url.js";
import { dockerImageUrl } from "../../image/naming.js";
import { type JobRef, jobKey, type PinnedVersion } from "../../model/jobs/records.js";

export interface LoadedJob extends JobRef {
  /** The last good definition; undefined when the job was never valid. */
  readonly config: ResolvedTronJob | undefined;
  /** Why the current config cannot be used (`file:line:col key: message`); empty when it is fine. */
  readonly problems: readonly string[];
  /** What each action's deploy group runs now (key: `versionKey`). */
  readonly versions: Readonly<Record<string, PinnedVersion>>;
}

/** The key of an action's version in a run's `versions`: its deploy group (prefixed by its service if another). */
export function versionKey(job: Pick<ResolvedTronJob, "service">, action: ResolvedTronAction): string {
  const dg = action.deploy_group ?? "";
  return action.service === job.service ? dg : `${action.service}:${dg}`;
}

function dirStamp(dir: string): string {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith(".yaml") || f === "deployments.json")
      .sort()
      .map((f) => {
        const st = statSync(join(dir, f));
        return `${f}:${st.size}:${st.mtimeMs}`;
      })
      .join("|");
  } catch {
    return "unreadable";
  }
}

export class JobConfigs {
  private readonly services = new Map<string, { stamp: string; jobs: Map<string, LoadedJob> }>();

  constructor(
    private readonly soaDir: string,
    private readonly system: SystemConfig | undefined,
    private readonly cluster: string,
  ) {}

  /** Re-reads the services whose files changed; returns the keys of jobs whose definition or versions changed. */
  refresh(): string[] {
    const changed: string[] = [];
    let names: string[] = [];
    try {
      names = listServiceNames(this.soaDir);
    } catch {
      return changed; // the tree cannot be read: keep everything as it is
    }
    for (const name of names) {
      const stamp = dirStamp(join(this.soaDir, name));
      const prev = this.services.get(name);
      if (prev && prev.stamp === stamp) continue;
      const jobs = this.loadService(name, prev?.jobs ?? new Map());
      for (const [k, j] of jobs) if (JSON.stringify(prev?.jobs.get(k)) !== JSON.stringify(j)) changed.push(k);
      for (const k of prev?.jobs.keys() ?? []) if (!jobs.has(k)) changed.push(k);
      this.services.set(name, { stamp, jobs });
    }
    for (const [name, prev] of this.services) {
      if (names.includes(name)) continue;
      changed.push(...prev.jobs.keys());
      this.services.delete(name);
    }
    return changed;
  }

  all(): LoadedJob[] {
    return [...this.services.values()].flatMap((s) => [...s.jobs.values()]);
  }

  get(ref: JobRef): LoadedJob | undefined {
    return this.services.get(ref.service)?.jobs.get(jobKey(ref));
  }

  private loadService(name: string, prev: ReadonlyMap<string, LoadedJob>): Map<string, LoadedJob> {
    const out = new Map<string, LoadedJob>();
    let svc: ReturnType<typeof loadServiceDir>;
    try {
      svc = loadServiceDir(this.soaDir, name, `${name}/`);
    } catch (e) {
      for (const [k, j] of prev) out.set(k, { ...j, problems: [(e as Error).message] });
      return out;
    }
    const fileProblems: Problem[] = [...(findFile(svc, "tron", this.cluster)?.problems ?? []), ...generalProblems(svc)];
    const deployments = readDeployments(this.soaDir, name);
    for (const job of instanceNames(svc, "tron", this.cluster)) {
      const ref = { service: name, job };
      const r = resolveTronJob(svc, this.system, this.cluster, job);
      const last = prev.get(jobKey(ref));
      if (r.ok) {
        out.set(jobKey(ref), {
          ...ref,
          config: r.config,
          problems: [],
          versions: this.versions(r.config, deployments, svc.dir),
        });
      } else {
        out.set(jobKey(ref), {
          ...ref,
          config: last?.config,
          versions: last?.versions ?? {},
          problems: r.problems.map(formatProblem),
        });
      }
    }
    // A file that cannot be read at all lists no jobs: its jobs keep their last good definitions.
    if (fileProblems.length > 0) {
      for (const [k, j] of prev) if (!out.has(k)) out.set(k, { ...j, problems: fileProblems.map(formatProblem) });
    }
    return out;
  }

  private versions(
    job: ResolvedTronJob,
    own: ReturnType<typeof readDeployments>,
    serviceDir: string,
  ): Record<string, PinnedVersion> {
    const out: Record<string, PinnedVersion> = {};
    for (const a of [...job.actions, ...(job.cleanup_action ? [job.cleanup_action] : [])]) {
      if (!a.deploy_group) continue;
      const deployments = a.service === job.service ? own : readDeployments(this.soaDir, a.service);
      const d = deploymentFor(deployments, a.deploy_group);
      if (!d) continue;
      out[versionKey(job, a)] = {
        git_sha: d.git_sha,
        image_version: d.image_version ?? null,
        docker_image: d.docker_image,
        image_url: a.docker_registry ? dockerImageUrl(a.docker_registry, a.service, d.git_sha, d.image_version) : null,
        git_url: job.git_url
          ? resolveGitUrl(job.git_url, a.service === job.service ? serviceDir : join(this.soaDir, a.service))
          : null,
      };
    }
    return out;
  }
}
