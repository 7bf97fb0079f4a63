/**
 * The dashboard's pages through the API app (app.request, no socket) over a real LocalBackend store with the
 * examples tree (hello.main applied; the supervisor is not started, so no task runs): what each page shows,
 * escaping of config values, 404s, assets, security headers, and the actions' token check.
 *
 * The capability sections not on main yet (mesh, autoscaling) are checked by adding their routes to the app
 * with canned answers: stand-ins for the routes other components will serve, which model only the answer's
 * shape (not how mesh membership or the autoscaler compute it). Jobs are checked for real in browser.test.ts.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { MeshStatusReader } from "../../src/backends/mesh-powers.js";
import type { ActiveAlert } from "../../src/model/alerts.js";
import type { AutoscalingApi } from "../../src/model/autoscaling.js";
import { apiFixture } from "../api/fixture.js";

const SCRIPT = "<script>window.__xss=1</script>";

async function page(app: { request: (p: string, i?: RequestInit) => Response | Promise<Response> }, path: string) {
  const res = await app.request(path);
  return { status: res.status, headers: res.headers, text: await res.text() };
}

describe("dashboard pages", () => {
  it("home: every service with team, description and its instances' state; a filter; safe headers", async () => {
    const { app, soa } = await apiFixture();
    writeFileSync(
      join(soa, "echo/service.yaml"),
      `description: "${SCRIPT}"\nexternal_link: "javascript:alert(1)"\ngit_url: ../../services/echo\n`,
    );
    const home = await page(app, "/");
    expect(home.status).toBe(200);
    expect(home.headers.get("content-type")).toMatch(/^text\/html/);
    expect(home.headers.get("content-security-policy")).toContain("script-src 'self'");
    for (const s of ["hello", "echo", "reports"]) expect(home.text).toContain(`data-service="${s}"`);
    expect(home.text).toMatch(/data-instance="hello.main".*state-deploying.*bbbbbbbb.*0\/3.*dev\.everything/s);
    expect(home.text).toMatch(/data-instance="echo.main".*Not deployed/s);
    expect(home.text).toContain("&lt;script&gt;window.__xss=1&lt;/script&gt;");
    expect(home.text).not.toContain(SCRIPT);
    expect(home.text).not.toContain("javascript:");
    expect(home.text).toMatch(/<strong>3<\/strong> services/);
    const filtered = await page(app, "/?q=echo");
    expect(filtered.text).toContain('data-service="echo"');
    expect(filtered.text).not.toContain('data-service="hello"');
  });

  it("instance page: status, the config that matters, and no capability sections without data", async () => {
    const { app } = await apiFixture();
    const p = await page(app, "/services/hello/main");
    expect(p.status).toBe(200);
    expect(p.text).toContain('data-live="/ui/live/services/hello/main"');
    expect(p.text).toMatch(/<dt>CPUs<\/dt><dd>0.1<\/dd><dt>Memory<\/dt><dd>128 MB<\/dd>/);
    expect(p.text).toContain("<dt>Bounce method</dt><dd>crossover (margin 0.95)</dd>");
    expect(p.text).toContain("<dt>Deploy group</dt><dd>dev.everything</dd>");
    expect(p.text).toContain(`data-version="${"b".repeat(40)}"`);
    for (const id of ["alerts", "mesh", "autoscaling"])
      expect(p.text).toContain(`<section id="${id}" hidden></section>`);
    expect(p.text).toContain('hx-post="/ui/actions/services/hello/main/state/stop"');
  });

  it("unknown services and instances, and odd names, are HTML 404s; unknown jobs pages too", async () => {
    const { app } = await apiFixture();
    for (const path of ["/services/nope", "/services/hello/nope", "/services/hel%3Clo/main", "/jobs"]) {
      const p = await page(app, path);
      expect(p.status, path).toBe(404);
      expect(p.headers.get("content-type"), path).toMatch(/^text\/html/);
    }
    expect((await page(app, "/services/hello/nope")).text).toContain("hello has no instance nope on dev");
  });

  it("serves htmx from its npm package and the one stylesheet and script, with ETags", async () => {
    const { app } = await apiFixture();
    const htmx = await app.request("/ui/assets/htmx.min.js");
    expect(htmx.status).toBe(200);
    expect(htmx.headers.get("content-type")).toMatch(/javascript/);
    expect(await htmx.text()).toContain("htmx");
    const etag = htmx.headers.get("etag") as string;
    expect((await app.request("/ui/assets/htmx.min.js", { headers: { "if-none-match": etag } })).status).toBe(304);
    expect((await app.request("/ui/assets/dashboard.css")).headers.get("content-type")).toMatch(/text\/css/);
    expect(await (await app.request("/ui/assets/dashboard.js")).text()).toContain("sessionStorage");
    expect((await app.request("/ui/assets/secret.txt")).status).toBe(404);
  });

  it("actions are refused without the token, with the API's catalogue message", async () => {
    const { app } = await apiFixture();
    const restart = "/ui/actions/services/hello/main/replicas/t1/restart";
    const none = await app.request(restart, { method: "POST" });
    expect(none.status).toBe(401);
    expect(await none.text()).toContain("PAASTA_API_UNAUTHORIZED): write refused: no bearer token");
    const wrong = await app.request(restart, { method: "POST", headers: { authorization: "Bearer nope" } });
    expect(await wrong.text()).toContain("wrong bearer token");
    const unknown = await app.request(restart, { method: "POST", headers: { authorization: "Bearer s3cret" } });
    expect(unknown.status).toBe(404);
    const stop = await app.request("/ui/actions/services/hello/main/state/stop", { method: "POST" });
    expect(stop.status).toBe(401);
    expect(await stop.text()).toContain("no bearer token");
  });

  it("capability sections appear when the cluster serves them: alerts, mesh, autoscaling", async () => {
    const firing: ActiveAlert = {
      service: "hello",
      instance: "main",
      cluster: "dev",
      check: "check_paasta_services_replication.hello.main",
      kind: "replication",
      severity: "critical",
      state: "firing",
      since: new Date().toISOString(),
      output: "0/3 healthy",
      team: "platform",
      page: true,
      runbook: "https://example.org/runbooks/hello",
      tip: null,
      last_sent_at: null,
      sent_to: [],
    };
    // The mesh reader stands in for the proxy component: a canned answer in the route's shape; it does not
    // model HAProxy (the browser and mesh tests do, against real HAProxy).
    const mesh: MeshStatusReader = {
      meshStatus: async (ref: { service: string; instance: string }) => ({
        ...ref,
        cluster: "dev",
        proxy: { available: true, detail: "HAProxy serving 1 namespace" },
        namespaces: [
          {
            name: "hello.main",
            proxy_port: 20001,
            address: "127.0.0.1:20001",
            served: true,
            backends: [
              {
                task: "t1",
                service: "hello",
                instance: "main",
                address: "127.0.0.1:31000",
                state: "up" as const,
                healthy: true,
                sessions: 2,
                weight: 10,
              },
            ],
          },
        ],
      }),
    };
    // The autoscaling API stands in for the local autoscaler: a canned answer in the route's shape; it reads no
    // metric and sets nothing (test/api/autoscaler.test.ts and test/autoscaler do, against the real one).
    const unused = async (): Promise<never> => {
      throw new Error("not used by the page");
    };
    const autoscaling: AutoscalingApi = {
      status: async (ref) => ({
        ...ref,
        cluster: "dev",
        decision_policy: "proportional",
        metric: "cpu",
        current: 1.2,
        setpoint: 0.8,
        current_instances: 3,
        desired: 5,
        min: 1,
        max: 5,
        override: null,
        paused_until: null,
        metrics: [],
        desired_instances: 5,
        calculated_instances: 5,
      }),
      setDesired: unused,
      setOverride: unused,
      pausedUntil: unused,
      pause: unused,
    };
    const { app } = await apiFixture({ alerts: async () => [firing], mesh, autoscaling });
    const p = await page(app, "/services/hello/main");
    expect(p.text).toMatch(/<section id="alerts" class="alerts">.*check_paasta_services_replication.hello.main/s);
    expect(p.text).toMatch(/<section id="mesh" class="mesh">.*data-backend="t1"/s);
    expect(p.text).toMatch(/<section id="autoscaling" class="autoscaling">.*desired instances<\/dt><dd>5/s);
    const home = await page(app, "/");
    expect(home.text).toMatch(/data-instance="hello.main".*1 alert firing/s);
  });

  it("the home page's one sweep (the local backend's listStatuses) gives what status() gives per instance", async () => {
    const { backend } = await apiFixture();
    const swept = await backend.listStatuses();
    expect(swept).toEqual([await backend.status({ service: "hello", instance: "main" })]);
    expect(swept[0]?.deploy_status).toBe("Deploying");
  });

  it("the live stream sends the page's fragments as SSE swap events", async () => {
    const { app } = await apiFixture();
    const controller = new AbortController();
    const res = await app.request("/ui/live/services/hello/main", { signal: controller.signal });
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const reader = res.body?.getReader() as ReadableStreamDefaultReader<Uint8Array>;
    let text = "";
    while (!text.includes('id="events"')) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    expect(text).toMatch(/^event: swap\ndata: <section id="summary"/m);
    expect(text).toMatch(/event: swap\ndata: <section id="versions"/);
  });
});
