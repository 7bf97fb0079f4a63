/**
 * Jobs as the API serves them, on any backend with the BatchRunner power: the list, one job with its recent
 * runs, one run, and the verbs (tronctl's: start, rerun, retry, cancel, kill, disable, enable). Verbs only
 * record (a manual run, a cancel, a control) or act on one attempt (retry, kill); the scheduler does the rest.
 * `paasta up` serves it from its scheduler; `paasta api` from the cluster's records (Kubernetes Jobs).
 */
import type { BatchStore } from "../../backends/batch.js";
import { PaastaError } from "../../errors.js";
import { type JobRecords, type JobRef, jobKey } from "../../model/jobs/records.js";
import type { ActionView } from "../../model/jobs/state.js";
import { upstreamJobs } from "../../model/jobs/triggers.js";
import type {
  JobDetailWire,
  JobSummaryWire,
  JobTarget,
  JobVerb,
  RunWire,
  VerbResultWire,
} from "../../model/jobs/wire.js";
import type { JobConfigs, LoadedJob } from "./configs.js";
import { lastSuccess, launchSpec, newRun } from "./specs.js";
import { emittedTriggers } from "./triggers.js";
import { detailWire, runViews, runWire, summaryWire } from "./views.js";

export interface JobsServiceOptions {
  readonly cluster: string;
  readonly configs: JobConfigs;
  readonly store: BatchStore;
  /** Something was recorded for this job: look at it now (the local scheduler). */
  readonly poke?: (ref: JobRef) => void;
  readonly now?: () => number;
}

const JOB_VERBS: readonly JobVerb[] = ["start", "disable", "enable"];
const RUN_VERBS: readonly JobVerb[] = ["rerun", "cancel", "kill"];
const ACTION_VERBS: readonly JobVerb[] = ["retry", "kill"];

export function targetId(t: JobTarget): string {
  return [t.service, t.job, t.run, t.action].filter((x) => x !== undefined).join(".");
}

export class JobsService {
  constructor(private readonly o: JobsServiceOptions) {}

  private now(): number {
    return (this.o.now ?? Date.now)();
  }

  private loaded(ref: JobRef): LoadedJob {
    this.o.configs.refresh();
    const l = this.o.configs.get(ref);
    if (!l) throw new PaastaError("PAASTA_JOB_NOT_FOUND", { ...ref, cluster: this.o.cluster });
    return l;
  }

  /** One job's records (with exit codes), and the triggers of the jobs it waits for. */
  private async recordsOf(l: LoadedJob): Promise<{ records: JobRecords; triggers: Set<string> }> {
    const records = await this.o.store.read({ service: l.service, job: l.job });
    const ups = (l.config ? upstreamJobs(l.config) : []).flatMap((u) => this.o.configs.get(u) ?? []);
    if (ups.length === 0) return { records, triggers: new Set() };
    return { records, triggers: emittedTriggers(ups, await this.o.store.read({ jobs: ups })) };
  }

  async list(): Promise<JobSummaryWire[]> {
    this.o.configs.refresh();
    const records = await this.o.store.read();
    const all = this.o.configs.all();
    const triggers = emittedTriggers(all, records);
    const now = this.now();
    return all.sort((a, b) => jobKey(a).localeCompare(jobKey(b))).map((l) => summaryWire(l, records, now, triggers));
  }

  async job(service: string, job: string): Promise<JobDetailWire> {
    const l = this.loaded({ service, job });
    const { records, triggers } = await this.recordsOf(l);
    return detailWire(l, records, this.now(), triggers);
  }

  async run(service: string, job: string, run: number): Promise<RunWire> {
    const l = this.loaded({ service, job });
    const { records, triggers } = await this.recordsOf(l);
    const v = runViews(l, records, this.now(), triggers).find((x) => x.record.run === run);
    if (!v) throw new PaastaError("PAASTA_JOB_RUN_NOT_FOUND", { service, job, what: String(run) });
    return runWire(l.config, v, this.now());
  }

  async verb(t: JobTarget, verb: JobVerb): Promise<VerbResultWire> {
    const l = this.loaded(t);
    const level = t.action !== undefined ? ACTION_VERBS : t.run !== undefined ? RUN_VERBS : JOB_VERBS;
    const refuse = (detail: string) =>
      new PaastaError("PAASTA_JOB_VERB_REFUSED", { verb, target: targetId(t), detail, service: t.service, job: t.job });
    if (!level.includes(verb)) {
      const which = JOB_VERBS.includes(verb)
        ? "a job (SERVICE.JOB)"
        : RUN_VERBS.includes(verb)
          ? "a run (SERVICE.JOB.RUN)"
          : "an action (SERVICE.JOB.RUN.ACTION)";
      throw refuse(`${verb} takes ${which}`);
    }
    const job = l.config;
    if (!job) throw refuse(`its config has never been valid: ${l.problems.join("; ")}`);
    const now = this.now();
    const done = async (message: string, run?: number): Promise<VerbResultWire> => {
      this.o.poke?.(t);
      const shown = run === undefined ? null : await this.run(t.service, t.job, run).catch(() => null);
      return { target: targetId(t), verb, message, run: shown };
    };
    if (verb === "disable" || verb === "enable") {
      await this.o.store.setControl({ service: t.service, job: t.job, enabled: verb === "enable", since: now });
      return done(verb === "enable" ? "scheduling from now on" : "no new runs are scheduled until enable");
    }
    if (verb === "start") {
      const r = await this.o.store.createRun(
        newRun(job, l.versions, { scheduled_at: now, manual: true, skipped: false, reason: "started by a user" }),
      );
      if (!r) throw refuse("a run was started this same second; try again");
      return done(`run ${r.run} started`, r.run);
    }
    const { records, triggers } = await this.recordsOf(l);
    const view = runViews(l, records, now, triggers).find((v) => v.record.run === t.run);
    if (!view)
      throw new PaastaError("PAASTA_JOB_RUN_NOT_FOUND", { service: t.service, job: t.job, what: String(t.run) });
    const run = view.record;
    if (verb === "rerun") {
      const r = await this.o.store.createRun(
        newRun(job, l.versions, {
          scheduled_at: run.scheduled_at,
          manual: true,
          skipped: false,
          reason: `rerun of run ${run.run}`,
        }),
      );
      if (!r) throw refuse("the rerun could not be recorded; try again");
      return done(`run ${r.run} started (a rerun of run ${run.run})`, r.run);
    }
    if (verb === "cancel") {
      if (["succeeded", "failed", "cancelled", "skipped"].includes(view.state))
        throw refuse(`the run is ${view.state}`);
      await this.o.store.cancelRun(run, "cancelled by a user");
      return done("actions not yet started are cancelled; running ones continue (kill stops them)", run.run);
    }
    const actions = t.action === undefined ? view.actions : view.actions.filter((a) => a.name === t.action);
    if (actions.length === 0) throw refuse(`the run has no action ${t.action}`);
    if (verb === "kill") return done(await this.kill(actions, run.run, t, refuse), run.run);
    return done(await this.retry(l, records, actions[0] as ActionView, run.run, refuse), run.run);
  }

  private async kill(
    actions: readonly ActionView[],
    run: number,
    t: JobTarget,
    refuse: (d: string) => PaastaError,
  ): Promise<string> {
    const live = actions.filter((a) => a.state === "running");
    if (live.length === 0) throw refuse("nothing of it is running");
    for (const a of live) {
      const last = a.attempts.at(-1);
      if (last)
        await this.o.store.killAttempt({ ...t, run, action: a.name, attempt: last.attempt }, "killed by a user", true);
    }
    return `killed ${live.map((a) => a.name).join(", ")}`;
  }

  private async retry(
    l: LoadedJob,
    records: JobRecords,
    a: ActionView,
    run: number,
    refuse: (d: string) => PaastaError,
  ): Promise<string> {
    if (a.state !== "failed") throw refuse(`the action is ${a.state}; only a failed action is retried`);
    const job = l.config;
    const rec = records.runs.find((r) => r.run === run);
    if (!job || !rec) throw refuse("the run is gone");
    const attempt = a.attempts.length + 1;
    const spec = launchSpec(job, rec, a.name, attempt, {
      manual: true,
      lastSuccess: lastSuccess(records.runs, records.attempts, rec),
    });
    if (!(await this.o.store.startAttempt(spec))) throw refuse(`attempt ${attempt} exists already`);
    return `attempt ${attempt} of ${a.name} started`;
  }
}
