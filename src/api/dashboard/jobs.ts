/**
 * Scheduled jobs, when the cluster runs them: the list (schedule in words, next runs, the latest runs) and one
 * job's recent runs with each action's state. Read through the jobs routes in-process; a cluster without them
 * has no jobs pages (the home page leaves the link out). The schemas below are what the pages show of the
 * routes' answers.
 */
import { z } from "@hono/zod-openapi";
import { type Html, html, seg } from "./html.js";
import { page, statePill } from "./layout.js";
import { apiPath, type InProcessApi, optional } from "./reads.js";
import { when } from "./time.js";

const RunBrief = z.object({
  run: z.number(),
  state: z.string(),
  scheduled_at: z.string(),
  ended_at: z.string().nullable().optional(),
  manual: z.boolean().optional(),
});

export const JobSummaryView = z.object({
  service: z.string(),
  job: z.string(),
  schedule: z.object({ words: z.string() }).passthrough().nullable().optional(),
  enabled: z.boolean().optional(),
  config_error: z.string().nullable().optional(),
  next_runs: z.array(z.string()).optional(),
  last_runs: z.array(RunBrief).optional(),
});
export type JobSummaryView = z.infer<typeof JobSummaryView>;
export const JobListView = z.object({ jobs: z.array(JobSummaryView) });

const ActionRun = z.object({
  name: z.string(),
  state: z.string(),
  attempts: z.number().optional(),
  exit_code: z.number().nullable().optional(),
  started_at: z.string().nullable().optional(),
  duration_s: z.number().nullable().optional(),
  why: z.string().nullable().optional(),
});
export const JobDetailView = JobSummaryView.extend({
  runs: z.array(
    z.object({
      run: z.number(),
      state: z.string(),
      scheduled_at: z.string(),
      manual: z.boolean().optional(),
      why: z.string().nullable().optional(),
      actions: z.array(ActionRun),
    }),
  ),
});
export type JobDetailView = z.infer<typeof JobDetailView>;

export const readJobs = (api: InProcessApi) => optional(api, "/v1/jobs", JobListView);
export const readJob = (api: InProcessApi, service: string, job: string) =>
  optional(api, apiPath("v1", "jobs", service, job), JobDetailView);

function runs(list: JobSummaryView["last_runs"], now: number): Html {
  return html`${(list ?? []).map((r) => html`<span class="run" title="run ${r.run}${r.manual ? " (manual)" : ""}">${statePill(r.state)} ${when(r.scheduled_at, now)}</span> `)}`;
}

export function jobsFragment(jobs: readonly JobSummaryView[], now: number): Html {
  return html`<section id="jobs" class="service">${
    jobs.length
      ? html`<table><thead><tr><th>Job</th><th>Schedule</th><th>Next run</th><th>Recent runs</th></tr></thead><tbody>${jobs.map(
          (j) => html`<tr data-job="${j.service}.${j.job}">
  <td><a href="/jobs/${seg(j.service)}/${seg(j.job)}">${j.service}.${j.job}</a>${j.enabled === false ? html` <span class="badge badge-stuck">disabled</span>` : ""}${j.config_error ? html` <span class="badge badge-config" title="${j.config_error}">config error</span>` : ""}</td>
  <td>${j.schedule?.words ?? ""}</td>
  <td>${when(j.next_runs?.[0], now)}</td>
  <td>${runs(j.last_runs, now)}</td>
</tr>`,
        )}</tbody></table>`
      : html`<p class="muted">No jobs on this cluster.</p>`
  }</section>`;
}

export function jobFragment(j: JobDetailView, now: number): Html {
  return html`<section id="job-runs" class="service"><h2>Recent runs</h2>${
    j.runs.length
      ? j.runs.map(
          (
            r,
          ) => html`<h3>Run ${r.run} ${statePill(r.state)} <span class="muted small">${when(r.scheduled_at, now)}${r.manual ? " · manual" : ""}</span></h3>
${r.why ? html`<p class="small warn">${r.why}</p>` : ""}
<table><thead><tr><th>Action</th><th>State</th><th>Started</th><th>Duration</th><th>Attempts</th><th>Exit</th></tr></thead><tbody>${r.actions.map(
            (a) =>
              html`<tr data-action="${a.name}"><td>${a.name}</td><td>${statePill(a.state)}</td><td>${when(a.started_at, now)}</td><td class="num">${a.duration_s != null ? `${Math.round(a.duration_s)} s` : ""}</td><td class="num">${a.attempts ?? ""}</td><td class="num">${a.exit_code ?? ""}</td></tr>`,
          )}</tbody></table>`,
        )
      : html`<p class="muted">No runs yet.</p>`
  }</section>`;
}

export function jobsPage(cluster: string, version: string, jobs: readonly JobSummaryView[], now: number): Html {
  return page(
    { title: "Jobs", cluster, version, live: "/ui/live/jobs", jobs: true, crumbs: [{ label: "jobs" }] },
    html`<h1>Jobs on ${cluster}</h1>${jobsFragment(jobs, now)}`,
  );
}

export function jobPage(cluster: string, version: string, j: JobDetailView, now: number): Html {
  return page(
    {
      title: `${j.service}.${j.job}`,
      cluster,
      version,
      live: `/ui/live/jobs/${seg(j.service)}/${seg(j.job)}`,
      jobs: true,
      crumbs: [{ label: "jobs", href: "/jobs" }, { label: `${j.service}.${j.job}` }],
    },
    html`<h1>${j.service}.${j.job}</h1>
<p>${j.schedule?.words ?? "No schedule"}${j.next_runs?.[0] ? html` · next run ${when(j.next_runs[0], now)}` : ""}${j.enabled === false ? html` <span class="badge badge-stuck">disabled</span>` : ""}</p>
${j.config_error ? html`<p class="warn">${j.config_error}</p>` : ""}
${jobFragment(j, now)}`,
  );
}
