/**
 * What the monitor takes from the runtime's event stream: job run reports (the latest per job, with the job's
 * monitoring config resolved when it arrives) and OOM kills of tasks. Both go into the record; the next pass
 * (asked for at once) turns them into check results.
 */
import type { ResolvedMonitoring } from "../../config/types.js";
import type { RuntimeContext } from "../context.js";
import { isOomReason } from "./checks/oom.js";
import type { MonitorRecord } from "./state.js";

export interface IntakeHooks {
  record(): MonitorRecord;
  monitoring(service: string, job: string): ResolvedMonitoring | undefined;
  changed(): void;
}

export class EventIntake {
  private offs: Array<() => void> = [];

  constructor(
    private readonly ctx: RuntimeContext,
    private readonly hooks: IntakeHooks,
  ) {}

  start(): void {
    const { events } = this.ctx;
    this.offs = [
      events.on("job.run.finished", (e) => this.job({ kind: "finished", ...e })),
      events.on("job.action.overdue", (e) => this.job({ kind: "overdue", ...e })),
      events.on("task.exited", (e) => {
        if (!isOomReason(e.reason)) return;
        const r = this.hooks.record();
        const key = `${e.service}.${e.instance}`;
        r.oom[key] = [...(r.oom[key] ?? []), { at: e.at, task: e.task, reason: e.reason }].slice(-50);
        this.hooks.changed();
      }),
    ];
  }

  stop(): void {
    for (const off of this.offs) off();
    this.offs = [];
  }

  private job(report: MonitorRecord["jobs"][string]["report"]): void {
    const monitoring = this.hooks.monitoring(report.service, report.job);
    if (!monitoring) return;
    const r = this.hooks.record();
    const key = `${report.service}.${report.job}`;
    // An overdue report never hides a failed run of the same job run that is not yet replaced by a new run.
    const prev = r.jobs[key]?.report;
    if (report.kind === "overdue" && prev?.kind === "finished" && prev.state === "failed" && prev.run === report.run)
      return;
    r.jobs[key] = { report, monitoring };
    this.hooks.changed();
  }
}
