/**
 * The dashboard in a real browser (Debian's Chromium driven by playwright-core) against the real local
 * runtime: `paasta up` as a child process running the demo services (examples/soa-configs) and one service
 * whose description and output contain markup. The browser and `paasta up` are stopped after the tests, even
 * when one fails.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Browser, startBrowser } from "../helpers/browser.js";
import { paastaBin } from "../helpers/cli.js";
import { makeDemoWorkspace, markAll } from "../helpers/demo.js";
import { getJson, startUp, type UpProcess, until, type Workspace } from "../helpers/runtime.js";

interface Status {
  deploy_status: string;
  desired_state: string;
  versions: Array<{
    git_sha: string;
    desired: boolean;
    ready_replicas: number;
    tasks: Array<{ id: string; state: string }>;
  }>;
}

const XSS_DESCRIPTION = "<script>window.__xss=1</script>";
const XSS_LINE = "<script>window.__xss=2</script><img src=x onerror=window.__xss=3>";
const XSS = {
  "service.yaml": `description: "${XSS_DESCRIPTION}"\nexternal_link: "javascript:window.__xss=4"\ngit_url: ../../repos/xss\n`,
  "kubernetes-dev.yaml": `main:\n  cmd: "echo '${XSS_LINE}' && exec node server.js"\n  instances: 1\n  deploy_group: dev.everything\n`,
};

/** hello.main bounces slowly enough (min_task_uptime) for a page to see both versions. */
const slowBounce = (service: string, file: string, text: string) =>
  service === "hello" && file === "kubernetes-dev.yaml"
    ? text.replace(
        "bounce_method: crossover",
        "bounce_method: crossover\n  bounce_health_params:\n    min_task_uptime: 4",
      )
    : text;

describe("the dashboard in Chromium, on the local runtime", () => {
  let ws: Workspace;
  let up: UpProcess | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const status = (instance = "main", service = "hello") =>
    getJson<Status>(`${ws.api}/v1/services/${service}/${instance}/status`);

  beforeAll(async () => {
    ws = await makeDemoWorkspace({ extra: { xss: XSS }, edit: slowBounce });
    markAll(ws, {
      hello: ["dev.everything", "canary"],
      echo: ["dev.echo"],
      reports: ["dev.reports"],
      xss: ["dev.everything"],
    });
    up = startUp(ws);
    await up.waitForOutput(/API: +http/);
    browser = await startBrowser();
    page = await browser.newPage();
    page.on("dialog", (d) => void d.accept());
    await until(status, (s) => s.deploy_status === "Running" && (s.versions[0]?.ready_replicas ?? 0) === 3, 60_000);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await up?.kill("SIGTERM");
  }, 60_000);

  it("paasta up prints the dashboard URL first", () => {
    const first = up?.output.find((l) => /https?:\/\//.test(l)) ?? "";
    expect(first).toMatch(/^Dashboard: +http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it("home lists the demo services with owner, description and live state; the filter narrows them", async () => {
    await page.goto(`${ws.api}/`);
    for (const s of ["hello", "echo", "reports", "xss"]) await page.waitForSelector(`section[data-service="${s}"]`);
    expect(await page.textContent('section[data-service="hello"] .team')).toBe("platform");
    expect(await page.textContent('section[data-service="hello"] .description')).toContain("reports its git SHA");
    const row = 'tr[data-instance="hello.main"]';
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent?.includes("3/3"), row);
    expect(await page.textContent(`${row} .pill`)).toBe("Running");
    await page.fill("#filter", "echo");
    expect(await page.isHidden('section[data-service="hello"]')).toBe(true);
    expect(await page.isVisible('section[data-service="echo"]')).toBe(true);
    expect(page.url()).toMatch(/\?q=echo$/);
  });

  it("values with <script> are shown as text and never run (description, log line, link)", async () => {
    await page.goto(`${ws.api}/`);
    const xss = 'section[data-service="xss"]';
    expect(await page.textContent(`${xss} .description`)).toBe(XSS_DESCRIPTION);
    expect(await page.locator(`${xss} a[href^="javascript:"]`).count()).toBe(0);
    await page.goto(`${ws.api}/services/xss/main`);
    await page.waitForFunction((t) => document.getElementById("logs")?.textContent?.includes(t), XSS_LINE, {
      timeout: 30_000,
    });
    expect(await page.textContent("h1 + .description")).toBe(XSS_DESCRIPTION);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator("#logs img").count()).toBe(0);
    const scripts = await page.$$eval("script", (s) => s.map((e) => e.getAttribute("src")));
    expect(scripts).toEqual(["/ui/assets/htmx.min.js", "/ui/assets/dashboard.js"]);
  });

  it("restarting a task through the page is refused without the token and works with it", async () => {
    await page.goto(`${ws.api}/services/hello/main`);
    const id = (await page
      .locator("#versions article.current tr[data-task]")
      .first()
      .getAttribute("data-task")) as string;
    expect(id).toBeTruthy();
    await page.click(`tr[data-task="${id}"] button`);
    await page.waitForFunction(() => document.getElementById("flash")?.textContent?.includes("Refused"));
    expect(await page.textContent("#flash")).toMatch(/401.*no bearer token/s);
    const still = (await status()).versions.flatMap((v) => v.tasks).find((t) => t.id === id);
    expect(still?.state).toBe("healthy");

    await page.fill('#token-form input[name="token"]', ws.token);
    await page.click('#token-form button[type="submit"]');
    expect(await page.isVisible("#token-set")).toBe(true);
    await page.click(`tr[data-task="${id}"] button`);
    await page.waitForFunction(() => document.getElementById("flash")?.textContent?.includes("being replaced"));
    // The page follows the replacement live: the task leaves, three healthy tasks remain.
    await page.waitForSelector(`tr[data-task="${id}"]`, { state: "detached", timeout: 30_000 });
    await until(status, (s) => s.versions.flatMap((v) => v.tasks).filter((t) => t.state === "healthy").length === 3);
    expect((await status()).versions.flatMap((v) => v.tasks).some((t) => t.id === id)).toBe(false);
  }, 60_000);

  it("during a crossover bounce the instance page shows both versions, then only the new one, without a reload", async () => {
    await page.goto(`${ws.api}/services/hello/main`);
    const old = (await status()).versions[0]?.git_sha as string;
    await page.evaluate(() => {
      (window as unknown as { __sameDocument: boolean }).__sameDocument = true;
    });
    const sha = ws.commit("hello", { VERSION: "2\n" });
    const r = paastaBin(["mark-for-deployment", "-s", "hello", "-c", sha, "-l", "dev.everything"], { env: ws.env });
    expect(r.code, r.stderr).toBe(0);
    const shas = () => page.$$eval("#versions [data-version]", (els) => els.map((e) => e.getAttribute("data-version")));
    await page.waitForFunction(() => document.querySelectorAll("#versions [data-version]").length === 2, undefined, {
      timeout: 30_000,
    });
    expect((await shas()).sort()).toEqual([old, sha].sort());
    await page.waitForFunction(
      (s) => {
        const v = [...document.querySelectorAll("#versions [data-version]")].map((e) => e.getAttribute("data-version"));
        return v.length === 1 && v[0] === s;
      },
      sha,
      { timeout: 60_000 },
    );
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
  }, 90_000);

  it("stop and start an instance through the page (with the token of this tab)", async () => {
    await page.goto(`${ws.api}/services/hello/canary`);
    expect(await page.isVisible("#token-set")).toBe(true);
    await page.click("#summary button.danger");
    await page.waitForFunction(() => document.getElementById("flash")?.textContent?.includes("stop requested"));
    await page.waitForFunction(() => document.querySelector("#summary .pill")?.textContent === "Stopped", undefined, {
      timeout: 30_000,
    });
    await page.click("#summary button:not(.danger)");
    await page.waitForFunction(() => document.getElementById("flash")?.textContent?.includes("start requested"));
    await page.waitForFunction(() => document.querySelector("#summary .pill")?.textContent === "Running", undefined, {
      timeout: 30_000,
    });
    expect((await status("canary")).desired_state).toBe("start");
  }, 90_000);

  it("jobs: the demo's job with its schedule, and its runs with each action's state, live", async () => {
    await page.goto(`${ws.api}/`);
    expect(await page.textContent('.links a[href="/jobs"]')).toBe("Jobs");
    await page.goto(`${ws.api}/jobs`);
    const row = 'tr[data-job="reports.nightly"]';
    expect(await page.textContent(row)).toContain("every 30 seconds");
    await page.click(`${row} a`);
    await page.waitForSelector('#job-runs [data-action="load"] .state-succeeded', { timeout: 90_000 });
    expect(await page.textContent("#job-runs")).toMatch(/extract.*succeeded/s);
  }, 120_000);

  it("paasta up stops promptly while a page is streaming live updates", async () => {
    await page.goto(`${ws.api}/services/hello/main`);
    await page.waitForFunction(() => document.getElementById("live-state")?.textContent === "live");
    const started = Date.now();
    expect(await up?.kill("SIGTERM")).toBe(0);
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 30_000);
});
