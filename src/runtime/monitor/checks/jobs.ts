/**
 * Tron's job check (`check_tron_job.SERVICE.JOB`, as Tron's check_tron_jobs names it): it follows the latest
 * reported run of the job. A failed run is CRITICAL; an action (or the run) over its `expected_runtime` is
 * WARNING (CRITICAL with `page_for_expected_runtime`); a run that succeeds (or is cancelled) resolves it.
 * Runs are reported by the scheduler on the runtime's event stream (`job.run.finished`, `job.action.overdue`).
 */
import type { ResolvedMonitoring } from "../../../config/types.js";
import type { RuntimeEvents } from "../../events.js";
import { type CheckStatus, type MonitoringEvent, monitoringEvent } from "../event.js";

/** The latest thing reported about a job, kept until the next report (and across monitor restarts). */
export type JobReport =
  | ({ readonly kind: "finished" } & RuntimeEvents["job.run.finished"])
  | ({ readonly kind: "overdue" } & RuntimeEvents["job.action.overdue"]);

export function jobCheckName(service: string, job: string): string {
  return `check_tron_job.${service}.${job}`;
}

/** Tron's run id: SERVICE.JOB.N. */
export function runId(r: JobReport): string {
  return `${r.service}.${r.job}.${r.run}`;
}

function statusAndOutput(r: JobReport, pageForRuntime: boolean): [CheckStatus, string] {
  if (r.kind === "overdue") {
    const level = pageForRuntime ? "CRIT" : "WARN";
    const what = r.action ? `action ${r.action} has` : "the run has";
    return [
      pageForRuntime ? 2 : 1,
      `${level}: Job ${runId(r)} exceeded expected runtime on ${r.cluster}: ${what} run ${r.running_seconds}s (expected ${r.expected_runtime_seconds}s)`,
    ];
  }
  if (r.state === "failed") {
    const failed = r.failed_actions.length > 0 ? `\nfailed action(s): ${r.failed_actions.join(", ")}` : "";
    return [2, `CRIT: The last job run (${runId(r)}) failed on ${r.cluster}!${failed}`];
  }
  return [
    0,
    `OK: The last job run (${runId(r)}) ${r.state} on ${r.cluster}. Will watch future runs for the next failure`,
  ];
}

export function jobCheck(monitoring: ResolvedMonitoring, report: JobReport): MonitoringEvent | undefined {
  const [status, output] = statusAndOutput(report, monitoring.page_for_expected_runtime);
  return monitoringEvent(monitoring, {
    check: "job",
    name: jobCheckName(report.service, report.job),
    service: report.service,
    instance: report.job,
    cluster: report.cluster,
    status,
    output,
    defaults: {
      alert_after: "0s",
      tip: `See the run with: paasta logs -s ${report.service} -i ${report.job} -c ${report.cluster}`,
    },
  });
}
