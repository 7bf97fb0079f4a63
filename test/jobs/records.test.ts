/**
 * Pure pieces around the records, by value: Kubernetes Job names (deterministic, DNS-safe, ≤ 63, distinct),
 * what is rendered for a run record and an attempt and how it reads back (Job conditions → attempt states),
 * schedules in words, and tronctl's identifiers.
 */
import { describe, expect, it } from "vitest";
import { attemptJobName, labelValue, runJobName } from "../../src/backends/kubernetes/jobs/names.js";
import { attemptOf, type KubeJob, runOf } from "../../src/backends/kubernetes/jobs/read.js";
import { renderAttempt, renderRunRecord } from "../../src/backends/kubernetes/jobs/render.js";
import { parseJobId } from "../../src/model/jobs/ids.js";
import { scheduleWords } from "../../src/model/jobs/words.js";
import { launchSpec } from "../../src/runtime/scheduler/specs.js";
import { runRecord, tronJob } from "../helpers/jobs.js";

const job = tronJob(
  `nightly_export:
  schedule: daily 04:00:00
  deploy_group: prod.batch
  max_runtime: 1h
  actions:
    extract_everything_from_the_warehouse: {command: "./extract {shortdate} {runid}", max_runtime: 30m}
    load: {command: ./load, requires: [extract_everything_from_the_warehouse]}
`,
  "nightly_export",
);
const version = {
  git_sha: "a".repeat(40),
  image_version: null,
  docker_image: `services-svc:paasta-${"a".repeat(40)}`,
  image_url: null,
  git_url: null,
};
const run = runRecord(job, 1767240000, Date.UTC(2026, 0, 1, 4), { versions: { "prod.batch": version } });

describe("Job names", () => {
  it("are the same for the same attempt, differ for any other, and are valid object names", () => {
    const a = attemptJobName("svc", "nightly_export", 1767240000, "extract_everything_from_the_warehouse", 1);
    expect(a).toBe(attemptJobName("svc", "nightly_export", 1767240000, "extract_everything_from_the_warehouse", 1));
    expect(a).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(a.length).toBeLessThanOrEqual(63);
    const others = [
      attemptJobName("svc", "nightly_export", 1767240000, "extract_everything_from_the_warehouse", 2),
      attemptJobName("svc", "nightly_export", 1767240001, "extract_everything_from_the_warehouse", 1),
      attemptJobName("svc", "nightly-export", 1767240000, "extract_everything_from_the_warehouse", 1),
      runJobName("svc", "nightly_export", 1767240000),
    ];
    expect(new Set([a, ...others]).size).toBe(5);
    expect(labelValue("nightly_export")).toBe("nightly_export");
    expect(labelValue("_x_")).toMatch(/^h-[0-9a-f]{16}$/);
  });
});

describe("rendered Jobs and how they read back", () => {
  it("an attempt: the pinned image, the expanded command, no retries of its own, max_runtime as its deadline", () => {
    const spec = launchSpec(job, run, "extract_everything_from_the_warehouse", 2, { manual: false });
    const obj = renderAttempt({ ...spec, version });
    const body = obj.spec as {
      backoffLimit: number;
      activeDeadlineSeconds: number;
      template: {
        spec: {
          restartPolicy: string;
          containers: Array<{
            name: string;
            image: string;
            command: string[];
            env: Array<{ name: string; value?: string }>;
          }>;
        };
      };
    };
    expect(body.backoffLimit).toBe(0);
    expect(body.activeDeadlineSeconds).toBe(1800);
    expect(body.template.spec.restartPolicy).toBe("Never");
    const [c] = body.template.spec.containers;
    expect(c?.name).toBe("nightly--export-extract--everything--from--the--warehouse");
    expect(c?.image).toBe(version.docker_image);
    expect(c?.command).toEqual(["/bin/sh", "-c", "./extract 2026-01-01 svc.nightly_export.1767240000"]);
    expect(c?.env.find((e) => e.name === "PAASTA_INSTANCE_TYPE")?.value).toBe("tron");
    expect(obj.metadata.labels).toMatchObject({ "paasta.yelp.com/batch": "attempt", "paasta.yelp.com/attempt": "2" });
  });

  it("a run record round-trips through its annotations", () => {
    const obj = renderRunRecord({ ...run, reported: false }, "prod", "tron");
    expect((obj.spec as { suspend: boolean }).suspend).toBe(true);
    const back = runOf({ ...obj, metadata: { ...obj.metadata, creationTimestamp: "2026-01-01T04:00:01Z" } } as KubeJob);
    expect(back).toEqual({ ...run, created_at: Date.parse("2026-01-01T04:00:01Z"), reported: false });
  });

  it("an attempt's state comes from the Job's conditions, with why it failed", () => {
    const base = renderAttempt({ ...launchSpec(job, run, "load", 1, { manual: false }), version }) as KubeJob;
    const at = (status: KubeJob["status"], annotations: Record<string, string> = {}) =>
      attemptOf(
        {
          ...base,
          metadata: { ...base.metadata, annotations: { ...base.metadata.annotations, ...annotations } },
          status,
        },
        new Map([[base.metadata.name, 7]]),
      );
    expect(at({ startTime: "2026-01-01T04:00:02Z", active: 1 })).toMatchObject({
      state: "running",
      started_at: Date.parse("2026-01-01T04:00:02Z"),
      action: "load",
      attempt: 1,
    });
    expect(
      at({ completionTime: "2026-01-01T04:00:09Z", conditions: [{ type: "Complete", status: "True" }] }),
    ).toMatchObject({ state: "succeeded", ended_at: Date.parse("2026-01-01T04:00:09Z") });
    const deadline = {
      conditions: [
        { type: "Failed", status: "True", reason: "DeadlineExceeded", lastTransitionTime: "2026-01-01T05:00:00Z" },
      ],
    };
    expect(at(deadline)).toMatchObject({
      state: "failed",
      exit_code: 7,
      killed: false,
      reason: "exceeded max_runtime (?s)",
    });
    expect(
      at(deadline, { "paasta.yelp.com/killed": "user", "paasta.yelp.com/kill-reason": "killed by a user" }),
    ).toMatchObject({ state: "failed", killed: true, reason: "killed by a user" });
  });
});

describe("schedules in words", () => {
  it.each([
    [{ type: "daily", value: "04:00:00" }, "UTC", "every day at 04:00:00 (UTC)"],
    [{ type: "daily", value: "4:30 MWF" }, "UTC", "at 04:30:00 on Monday, Wednesday and Friday (UTC)"],
    [{ type: "cron", value: "0 4 * * *" }, "America/Los_Angeles", "every day at 04:00 (America/Los_Angeles)"],
    [{ type: "cron", value: "*/15 * * * *" }, "UTC", "every 15 minutes (UTC)"],
    [{ type: "cron", value: "30 9 * * 1-5" }, "UTC", "at 09:30 on weekdays (UTC)"],
    [{ type: "cron", value: "0 3 1 * *" }, "UTC", "at 03:00 on day 1 of every month (UTC)"],
    [{ type: "cron", value: "5 4 * 2 *" }, "UTC", 'cron "5 4 * 2 *" (UTC)'],
    [{ type: "interval", value: "2s" }, "UTC", "every 2 seconds"],
    [{ type: "interval", value: "1 hour" }, "UTC", "every hour"],
  ] as const)("%o in %s → %s", (schedule, tz, words) => {
    expect(scheduleWords(schedule, tz)).toBe(words);
  });
});

describe("tronctl identifiers", () => {
  it("JOB, JOB.RUN, JOB.RUN.ACTION; anything else says why", () => {
    expect(parseJobId("reports.nightly")).toEqual({ target: { service: "reports", job: "nightly" } });
    expect(parseJobId("reports.nightly.12")).toEqual({ target: { service: "reports", job: "nightly", run: 12 } });
    expect(parseJobId("reports.nightly.12.load")).toEqual({
      target: { service: "reports", job: "nightly", run: 12, action: "load" },
    });
    expect(parseJobId("reports")).toEqual({ error: "it needs two to four dot-separated parts" });
    expect(parseJobId("reports.nightly.last")).toEqual({ error: 'the run "last" is not a number' });
    expect(parseJobId("reports.night ly")).toEqual({
      error: "\"night ly\" is not a name (letters, digits, '_' and '-')",
    });
  });
});
