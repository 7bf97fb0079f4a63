/**
 * Batch work on Kubernetes with no state of its own: every record is a Job read back from the API server. A run
 * is a suspended record Job (its annotations the run's record), each attempt of an action a Job of its own
 * (names in names.ts), a user's enable/disable one ConfigMap. Creating a Job that exists answers "already
 * there": a restarted (or second) scheduler never launches anything twice. A pass with nothing to do reads
 * (one list of Jobs, one ConfigMap) and writes nothing.
 */

import { oneOffCommand } from "../../../model/jobs/app.js";
import { type JobControl, type JobRecords, jobKey, type RunRecord } from "../../../model/jobs/records.js";
import type {
  AttemptRef,
  BatchStore,
  JobFilter,
  LaunchSpec,
  NewRun,
  OneOffRecord,
  OneOffSpec,
  RunRef,
} from "../../batch.js";
import type { Kube } from "../client.js";
import { type KubeObject, MANAGED } from "../render/types.js";
import { JobCache } from "./cache.js";
import { Controls } from "./controls.js";
import {
  A,
  BATCH,
  batchSelector,
  KIND_ATTEMPT,
  KIND_ONE_OFF,
  KIND_RUN,
  L,
  labelValue,
  oneOffJobName,
  runJobName,
} from "./names.js";
import { attemptOf, exitCodes, type KubeJob, type KubePod, oneOffOf, runOf } from "./read.js";
import { renderAttempt, renderOneOff, renderRunRecord } from "./render.js";

export class KubernetesBatch implements BatchStore {
  private readonly namespaces = new Set<string>();
  private readonly controls: Controls;
  private readonly cache: JobCache;

  constructor(
    private readonly kube: Kube,
    private readonly cluster: string,
    /** Where run records and the controls live (system `tron_namespace`). */
    private readonly namespace: string,
  ) {
    this.controls = new Controls(kube, cluster, namespace);
    this.cache = new JobCache(kube, `${MANAGED}=true,${BATCH},${L.cluster}=${labelValue(cluster)}`);
  }

  /** This cluster's batch Jobs of one kind (optionally one service / job / run), from the watched cache. */
  private async jobs(kind: string, f: { service?: string; job?: string; run?: number } = {}): Promise<KubeJob[]> {
    const want: Record<string, string> = { [BATCH]: kind };
    if (f.service) want[L.service] = labelValue(f.service);
    if (f.job) want[L.job] = labelValue(f.job);
    if (f.run !== undefined) want[L.run] = String(f.run);
    return (await this.cache.all()).filter((j) => Object.entries(want).every(([k, v]) => j.metadata.labels?.[k] === v));
  }

  close(): void {
    this.cache.close();
  }

  async read(filter: JobFilter = {}): Promise<JobRecords> {
    const one = filter.jobs?.length === 1 ? filter.jobs[0] : filter.service ? filter : undefined;
    const f = one ? { service: one.service, job: one.job } : {};
    const [runs, attempts, controls, pods] = await Promise.all([
      this.jobs(KIND_RUN, f),
      this.jobs(KIND_ATTEMPT, f),
      this.controls.read(),
      // Exit codes for one job's status; the scheduler's passes over many jobs do not need them.
      one?.job
        ? this.kube.list<KubePod>("v1", "Pod", batchSelector(KIND_ATTEMPT, this.cluster, f))
        : Promise.resolve([]),
    ]);
    const wanted = filter.jobs ? new Set(filter.jobs.map(jobKey)) : undefined;
    const keep = (r: { service: string; job: string }) =>
      (!wanted || wanted.has(jobKey(r))) &&
      (!filter.service || r.service === filter.service) &&
      (!filter.job || r.job === filter.job);
    const codes = exitCodes(pods);
    return {
      runs: runs.map(runOf).filter(keep),
      attempts: attempts.map((j) => attemptOf(j, codes)).filter(keep),
      controls: controls.filter(keep),
    };
  }

  /** Creates in a namespace, creating the namespace first when this process has not seen it. */
  private async create(obj: KubeObject): Promise<boolean> {
    const ns = obj.metadata.namespace as string;
    if (!this.namespaces.has(ns)) {
      const existing = await this.kube.list<KubeObject>("v1", "Namespace", `kubernetes.io/metadata.name=${ns}`);
      if (existing.length === 0) {
        await this.kube.create({
          apiVersion: "v1",
          kind: "Namespace",
          metadata: { name: ns, labels: { "paasta.yelp.com/managed": "true" } },
        });
      }
      this.namespaces.add(ns);
    }
    const created = await this.kube.create<KubeJob>(obj);
    if (created) this.cache.put(created);
    return created !== undefined;
  }

  async createRun(run: NewRun): Promise<RunRecord | undefined> {
    const now = Date.now();
    const base = Math.floor((run.manual ? now : run.scheduled_at) / 1000);
    for (let n = base; n < base + 10; n++) {
      const rec: RunRecord = { ...run, run: n, created_at: now, reported: false };
      if (await this.create(renderRunRecord(rec, this.cluster, this.namespace))) return rec;
      // Rare: read the server itself (the other writer's Job may not have reached the cache yet).
      const sel = batchSelector(KIND_RUN, this.cluster, { service: run.service, job: run.job, run: n });
      const there = (await this.kube.list<KubeJob>("batch/v1", "Job", sel)).map(runOf)[0];
      // The same scheduled time, recorded by another scheduler or before a restart: never a second run.
      if (there && !run.manual && !there.manual && there.scheduled_at === run.scheduled_at) return undefined;
      if (!there) return undefined;
    }
    return undefined;
  }

  async startAttempt(spec: LaunchSpec): Promise<boolean> {
    if (spec.fail || !spec.version) {
      const reason = spec.fail ?? "nothing is deployed for its deploy group";
      const version = { git_sha: "", image_version: null, docker_image: "none", image_url: null, git_url: null };
      const obj = renderAttempt({ ...spec, version });
      obj.spec = { ...(obj.spec as object), suspend: true };
      obj.metadata.annotations = { ...obj.metadata.annotations, [A.reason]: reason };
      return this.create(obj);
    }
    return this.create(renderAttempt({ ...spec, version: spec.version }));
  }

  /** Ends a Job that runs: its deadline becomes now (the Job controller stops its pod; the Job fails). */
  private async end(j: KubeJob, reason: string, byUser: boolean): Promise<void> {
    await this.applyJob({
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: {
        name: j.metadata.name,
        namespace: j.metadata.namespace,
        annotations: { [A.killed]: byUser ? "user" : "scheduler", [A.killReason]: reason },
      },
      spec: { activeDeadlineSeconds: 1 },
    });
  }

  async killAttempt(ref: AttemptRef, reason: string, byUser: boolean): Promise<void> {
    const jobs = await this.jobs(KIND_ATTEMPT, ref);
    const j = jobs.find(
      (x) =>
        x.metadata.annotations?.[A.action] === ref.action && x.metadata.labels?.[L.attempt] === String(ref.attempt),
    );
    if (j && attemptOf(j, new Map()).state === "running") await this.end(j, reason, byUser);
  }

  /** Server-side apply of (part of) a Job; the answer goes into the cache at once. */
  private async applyJob(obj: KubeObject): Promise<void> {
    this.cache.put(await this.kube.apply<KubeJob>(obj));
  }

  private async annotateRun(ref: RunRef, annotations: Record<string, string>): Promise<void> {
    await this.applyJob({
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: runJobName(ref.service, ref.job, ref.run), namespace: this.namespace, annotations },
    });
  }

  async cancelRun(ref: RunRef, reason: string): Promise<void> {
    await this.annotateRun(ref, { [A.state]: "cancelled", [A.reason]: reason });
  }

  async markReported(ref: RunRef): Promise<void> {
    await this.annotateRun(ref, { [A.reported]: "true" });
  }

  async deleteRun(ref: RunRef): Promise<void> {
    const all = [...(await this.jobs(KIND_ATTEMPT, ref)), ...(await this.jobs(KIND_RUN, ref))];
    for (const j of all) {
      await this.kube.delete("batch/v1", "Job", j.metadata.namespace, j.metadata.name, "Background");
      this.cache.remove(j.metadata.namespace ?? "", j.metadata.name);
    }
  }

  setControl(control: JobControl): Promise<void> {
    return this.controls.set(control);
  }

  async startOneOff(spec: OneOffSpec): Promise<OneOffRecord> {
    const command = oneOffCommand(spec.config.cmd, spec.config.args) ?? "";
    const name = oneOffJobName(spec.service, spec.instance, Date.now().toString(36));
    await this.create(renderOneOff(spec, name, command));
    return (await this.oneOffs({ service: spec.service })).find((r) => r.id === name) as OneOffRecord;
  }

  async oneOffs(filter: { service?: string; instance?: string } = {}): Promise<OneOffRecord[]> {
    const sel = batchSelector(KIND_ONE_OFF, this.cluster, { service: filter.service });
    const [jobs, pods] = await Promise.all([
      this.jobs(KIND_ONE_OFF, { service: filter.service }),
      this.kube.list<KubePod>("v1", "Pod", sel),
    ]);
    const codes = exitCodes(pods);
    return jobs
      .map((j) => oneOffOf(j, codes))
      .filter((r) => !filter.instance || r.instance === filter.instance)
      .sort((a, b) => b.started_at - a.started_at);
  }

  private async oneOffJob(id: string): Promise<KubeJob | undefined> {
    return (await this.kube.list<KubeJob>("batch/v1", "Job", `${BATCH}=${KIND_ONE_OFF}`)).find(
      (j) => j.metadata.name === id,
    );
  }

  async stopOneOff(id: string): Promise<boolean> {
    const j = await this.oneOffJob(id);
    if (!j || oneOffOf(j, new Map()).state !== "running") return false;
    await this.end(j, "stopped by paasta remote-run stop", true);
    return true;
  }

  async oneOffOutput(id: string, offset: number): Promise<{ lines: string[]; offset: number; note: string | null }> {
    const j = await this.oneOffJob(id);
    const ns = j?.metadata.namespace;
    const pod = (await this.kube.list<KubePod>("v1", "Pod", `batch.kubernetes.io/job-name=${id}`, ns))[0];
    if (!pod) return { lines: [], offset, note: "no pod yet" };
    try {
      const text = await this.kube.getText(`/api/v1/namespaces/${ns}/pods/${pod.metadata.name}/log`);
      const all = text.split("\n");
      if (all.at(-1) === "") all.pop();
      return { lines: all.slice(offset), offset: all.length, note: null };
    } catch (e) {
      return { lines: [], offset, note: `the pod's output cannot be read: ${(e as Error).message}` };
    }
  }
}
