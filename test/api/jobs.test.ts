/**
 * The jobs and remote-run routes through app.request, over a real LocalBackend's batch store (SQLite in a temp
 * state dir) and the examples tree. No scheduler runs here: these tests are about the routes, the recorded
 * verbs, errors and auth; runs that really run are in test/jobs/.
 */
import { cpSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApi } from "../../src/api/app.js";
import { ProcessExecutor } from "../../src/backends/local/executors/process.js";
import { LocalBackend } from "../../src/backends/local/index.js";
import { JobConfigs } from "../../src/runtime/scheduler/configs.js";
import { jobsApi } from "../../src/runtime/scheduler/jobs-api.js";
import { EXAMPLES, tempDir } from "../helpers/cli.js";

const SHA = "c".repeat(40);
let backend: LocalBackend;
let app: ReturnType<typeof buildApi>;
const auth = { authorization: "Bearer s3cret" };
const post = (path: string, headers: Record<string, string> = auth) => app.request(path, { method: "POST", headers });

beforeAll(() => {
  const root = tempDir("paasta-api-jobs-");
  const soa = join(root, "soa");
  cpSync(EXAMPLES, soa, { recursive: true });
  writeFileSync(
    join(soa, "reports/deployments.json"),
    JSON.stringify({
      v1: {},
      v2: {
        deployments: {
          "dev.reports": { docker_image: `services-reports:paasta-${SHA}`, git_sha: SHA, image_version: null },
        },
        controls: {},
      },
    }),
  );
  backend = new LocalBackend({
    cluster: "dev",
    stateDir: join(root, "state"),
    executor: (d) => new ProcessExecutor(d),
  });
  const jobs = jobsApi({
    cluster: "dev",
    soaDir: soa,
    configs: new JobConfigs(soa, undefined, "dev"),
    store: backend.batch(),
  });
  app = buildApi({ cluster: "dev", backend, soaDir: soa, token: "s3cret", version: "9.9.9", jobs });
});

afterAll(async () => backend.close());

describe("/v1/jobs", () => {
  it("lists the cluster's jobs with the schedule in words and the next runs", async () => {
    const r = await app.request("/v1/jobs");
    expect(r.status).toBe(200);
    const { jobs } = await r.json();
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({
      service: "reports",
      job: "nightly",
      schedule: { type: "interval", value: "30s", words: "every 30 seconds", time_zone: "UTC" },
      enabled: true,
      control: null,
      config_error: null,
      last_runs: [],
    });
    const next = jobs[0].next_runs.map((t: string) => Date.parse(t));
    expect(next).toHaveLength(3);
    expect(next[1] - next[0]).toBe(30_000);
  });

  it("start records a manual run with its actions; one run reads back; disable and enable are recorded", async () => {
    const started = await post("/v1/jobs/reports/nightly/start");
    expect(started.status).toBe(200);
    const body = await started.json();
    expect(body).toMatchObject({ target: "reports.nightly", verb: "start", message: "run 1 started" });
    expect(body.run).toMatchObject({ id: "reports.nightly.1", run: 1, manual: true, state: "running" });
    expect(body.run.actions.map((a: { name: string; state: string }) => [a.name, a.state])).toEqual([
      ["extract", "scheduled"],
      ["load", "waiting"],
      ["cleanup", "waiting"],
    ]);
    const one = await (await app.request("/v1/jobs/reports/nightly/runs/1")).json();
    expect(one.actions[1]).toMatchObject({ name: "load", retries: 2, attempts: 0, why: "waiting for extract" });
    expect((await post("/v1/jobs/reports/nightly/disable")).status).toBe(200);
    const detail = await (await app.request("/v1/jobs/reports/nightly")).json();
    expect(detail).toMatchObject({ enabled: false, control: { enabled: false }, next_runs: [], queueing: true });
    expect(detail.actions.map((a: { name: string }) => a.name)).toEqual(["extract", "load", "cleanup"]);
    expect((await post("/v1/jobs/reports/nightly/enable")).status).toBe(200);
    expect((await (await app.request("/v1/jobs/reports/nightly")).json()).enabled).toBe(true);
  });

  it("verbs need the token, apply to the right level, and say why not", async () => {
    expect((await post("/v1/jobs/reports/nightly/start", {})).status).toBe(401);
    const wrongLevel = await post("/v1/jobs/reports/nightly/retry");
    expect(wrongLevel.status).toBe(409);
    expect((await wrongLevel.json()).message).toBe(
      "cannot retry reports.nightly: retry takes an action (SERVICE.JOB.RUN.ACTION)",
    );
    const notFailed = await post("/v1/jobs/reports/nightly/runs/1/actions/extract/retry");
    expect(notFailed.status).toBe(409);
    expect((await notFailed.json()).message).toContain("the action is scheduled; only a failed action is retried");
    expect((await post("/v1/jobs/reports/nightly/runs/1/cancel")).status).toBe(200);
    const cancelled = await (await app.request("/v1/jobs/reports/nightly/runs/1")).json();
    expect(cancelled.state).toBe("cancelled");
    expect((await post("/v1/jobs/reports/nightly/frobnicate")).status).toBe(400);
    const unknown = await app.request("/v1/jobs/reports/daily");
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).code).toBe("PAASTA_JOB_NOT_FOUND");
    expect((await app.request("/v1/jobs/reports/nightly/runs/99")).status).toBe(404);
  });

  it("remote-run: an instance with nothing deployed cannot start; the routes are in /openapi.json", async () => {
    const r = await post("/v1/remote_run/hello/shell/start?cmd=true");
    expect(r.status).toBe(422);
    expect((await r.json()).message).toContain("nothing is deployed for deploy group dev.everything");
    const doc = await (await app.request("/openapi.json")).json();
    for (const p of [
      "/v1/jobs",
      "/v1/jobs/{service}/{job}",
      "/v1/jobs/{service}/{job}/runs/{run}",
      "/v1/jobs/{service}/{job}/{verb}",
      "/v1/jobs/{service}/{job}/runs/{run}/{verb}",
      "/v1/jobs/{service}/{job}/runs/{run}/actions/{action}/{verb}",
      "/v1/remote_run/{service}/{instance}/start",
      "/v1/remote_run/runs/{id}",
    ])
      expect(Object.keys(doc.paths)).toContain(p);
  });
});

describe("without the BatchRunner power", () => {
  it("the job routes answer 501 with why", async () => {
    const plain = buildApi({
      cluster: "dev",
      backend: { ...backend, kind: "other" } as never,
      soaDir: EXAMPLES,
      token: "t",
      version: "1",
    });
    const r = await plain.request("/v1/jobs");
    expect(r.status).toBe(501);
    expect((await r.json()).code).toBe("PAASTA_JOBS_UNSUPPORTED");
  });
});
