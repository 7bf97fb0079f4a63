/**
 * Tron's job check (`check_tron_job.SERVICE.JOB`, as Tron's check_tron_jobs names it): it follows the latest
 * reported run of the job. A failed run is CRITICAL; an action over its `expected_runtime` is WARNING
 * (CRITICAL with `page_for_expected_runtime`); a run that succeeds (or is skipped or cancelled) resolves it.
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

function statusAndOutput(r: JobReport, pageForRuntime: boolean): [CheckStatus, string] {
  if (r.kind === "overdue") {
    const level = pageForRuntime ? "CRIT" : "WARN";
    return [
      pageForRuntime ? 2 : 1,
      `${level}: Job ${r.run} exceeded expected runtime on ${r.cluster}: action ${r.action} has run ${r.runningSeconds}s (expected ${r.expectedRuntimeSeconds}s)`,
    ];
  }
  if (r.state === "failed") {
    const action = r.action
      ? `\naction ${r.action} failed${r.exitCode !== undefined && r.exitCode !== null ? ` with exit code ${r.exitCode}` : ""}${r.reason ? `: ${r.reason}` : ""}`
      : "";
    return [2, `CRIT: The last job run (${r.run}) failed on ${r.cluster}!${action}`];
  }
  return [0, `OK: The last job run (${r.run}) ${r.state} on ${r.cluster}. Will watch future runs for the next failure`];
}

export function jobCheck(monitoring: ResolvedMonitoring, report: JobReport): MonitoringEvent | undefined {
  const [status, output] = statusAndOutput(report, monitoring.page_for_expected_runtime);
  return monitoringEvent(monitoring, {
    check: "job",
    name: jobCheckName(report.service, report.instance),
    service: report.service,
    instance: report.instance,
    cluster: report.cluster,
    status,
    output,
    defaults: {
      alert_after: "0s",
      tip: `See the run with: paasta logs -s ${report.service} -i ${report.instance} -c ${report.cluster}`,
    },
  });
}
