/**
 * Control tags in a monorepo (issue 10 item 11): `paasta stop -s beta` writes a stop tag into the repository
 * alpha, beta and echo deploy from, which stops the same instance of all three (PaaSTA's tag semantics). The
 * CLI must say so first, listing the instances reached, and refuse off a terminal without --yes. Real git
 * repositories, `paasta up` as a child process, the CLI as a child process (not a terminal).
 */
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { paastaBin } from "../helpers/cli.js";
import {
  getJson,
  killTaskGroups,
  makeWorkspace,
  runtimeIdIfAny,
  sleep,
  startUp,
  type UpProcess,
  until,
  type Workspace,
} from "../helpers/runtime.js";

const KUBE = "main:\n  cmd: node server.js\n  instances: 1\n  deploy_group: dev.everything\n";
const SERVICE = (name: string) =>
  `description: ${name}\nexternal_link: https://example.org\ngit_url: ../../repos/alpha\n`;

describe("stop in a repository shared by several services", () => {
  let ws: Workspace;
  let up: UpProcess | undefined;
  const bounce = (service: string) =>
    getJson<{ deploy_status: string }>(`${ws.api}/v1/services/${service}/main/bounce_status`);
  const all = () => Promise.all(["alpha", "beta", "echo"].map(async (s) => (await bounce(s)).deploy_status));

  beforeAll(async () => {
    ws = await makeWorkspace({
      alpha: { "kubernetes-dev.yaml": KUBE },
      beta: { "kubernetes-dev.yaml": KUBE, "service.yaml": SERVICE("beta") },
      echo: { "kubernetes-dev.yaml": KUBE, "service.yaml": SERVICE("echo") },
    });
    up = startUp(ws);
    await up.waitForOutput(/API: +http/);
    const sha = ws.commit("alpha", { VERSION: "1\n" });
    for (const service of ["alpha", "beta", "echo"]) {
      const r = paastaBin(["mark-for-deployment", "-s", service, "-c", sha, "-l", "dev.everything"], { env: ws.env });
      expect(r.code, r.stderr).toBe(0);
    }
    await until(all, (s) => s.every((x) => x === "Running"), 30_000);
  }, 90_000);

  afterAll(async () => {
    await up?.kill("SIGTERM");
    killTaskGroups(runtimeIdIfAny(ws.stateDir));
    rmSync(ws.root, { recursive: true, force: true });
  });

  it("off a terminal, stop lists the other services' instances it reaches and refuses without --yes", async () => {
    const r = paastaBin(["stop", "-s", "beta", "-c", "dev", "-i", "main"], { env: ws.env });
    expect(r.code).not.toBe(0);
    expect(r.stdout).toContain("beta's git repository also deploys other services");
    expect(r.stdout).toContain("alpha: cluster = dev, instance = main");
    expect(r.stdout).toContain("echo: cluster = dev, instance = main");
    expect(r.stderr).toContain("[PAASTA_ABORTED]");
    expect(r.stderr).toContain("pass --yes");
    await sleep(3000); // a stop tag would have been noticed by now
    expect(await all()).toEqual(["Running", "Running", "Running"]);
  }, 30_000);

  it("with --yes it says so and does it: all three stop", async () => {
    const r = paastaBin(["stop", "-s", "beta", "-c", "dev", "-i", "main", "--yes"], { env: ws.env });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("alpha: cluster = dev, instance = main");
    await until(all, (s) => s.every((x) => x === "Stopped"), 30_000);
  }, 40_000);
});
