import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { pickProxyPort } from "../../src/config/scaffold.js";
import { EXAMPLES, paasta, paastaBin, tempDir } from "../helpers/cli.js";

describe("paasta validate (CLI)", () => {
  it("the examples tree is valid, through the installed binary", () => {
    const r = paastaBin(["validate", "--all", "-y", EXAMPLES]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("✓ hello: ");
    expect(r.stdout.trim().split("\n").pop()).toBe("All 3 services are valid.");
  });

  it("reports a located problem and exits 1", async () => {
    const soa = tempDir();
    cpSync(join(EXAMPLES, "hello"), join(soa, "hello"), { recursive: true });
    writeFileSync(
      join(soa, "hello/kubernetes-norcal-prod.yaml"),
      "main:\n  instances: 1\n  oops: true\n  deploy_group: prod.everything\n",
    );
    const r = await paasta(["validate", "-s", "hello", "-y", soa]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      '✗ kubernetes-norcal-prod.yaml:3:3 main.oops: unknown key "oops" (allowed keys: see schemas/kubernetes.schema.json)',
    );
    expect(r.stdout).toContain("✓ Successfully validated schema: service.yaml");
  });

  it("without -s validates the current directory as the service", async () => {
    const r = await paasta(["validate"], { cwd: join(EXAMPLES, "reports") });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("✓ Successfully validated schema: tron-dev.yaml");
  });

  it("--json gives every problem with its location", async () => {
    const soa = tempDir();
    mkdirSync(join(soa, "svc"));
    writeFileSync(join(soa, "svc/service.yaml"), "description: d\n");
    const r = await paasta(["validate", "-s", "svc", "-y", soa, "--json"]);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.valid).toBe(false);
    const texts = out.services[0].problems.map((p: { text: string }) => p.text);
    expect(texts).toContain("service.yaml:1:1 external_link: is required (a string)");
    expect(texts).toContain(
      "monitoring.yaml: file is missing: every service with a service.yaml needs a monitoring.yaml (with at least `team:`)",
    );
  });

  it("a missing soa dir is a clear usage error with how to fix it", async () => {
    const r = await paasta(["validate", "--all", "-y", "/nonexistent/soa"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "soa-configs directory /nonexistent/soa does not exist or is not a directory [PAASTA_SOA_DIR_MISSING]",
    );
    expect(r.stderr).toContain("how to fix: Pass -d/--soa-dir DIR");
  });
});

describe("paasta list / list-clusters / info", () => {
  it("lists services and service.instance lines", async () => {
    expect((await paasta(["list", "-d", EXAMPLES])).stdout.split("\n")).toEqual(["echo", "hello", "reports"]);
    const instances = (await paasta(["list", "-i", "-d", EXAMPLES])).stdout.split("\n");
    expect(instances).toEqual([
      "echo.main",
      "hello.canary",
      "hello.main",
      "hello.shell",
      "reports.nightly.extract",
      "reports.nightly.load",
    ]);
  });

  it("-a also lists directories without instances; --json", async () => {
    const soa = tempDir();
    cpSync(EXAMPLES, soa, { recursive: true });
    mkdirSync(join(soa, "toolbox"));
    writeFileSync(join(soa, "toolbox/service.yaml"), "description: t\nexternal_link: x\n");
    expect((await paasta(["list", "-d", soa])).stdout).not.toContain("toolbox");
    expect(JSON.parse((await paasta(["list", "-a", "--json", "-d", soa])).stdout)).toEqual({
      services: ["echo", "hello", "reports", "toolbox"],
    });
  });

  it("list-clusters", async () => {
    expect((await paasta(["list-clusters", "-d", EXAMPLES])).stdout).toBe("dev\nprod");
  });

  it("info shows owners, clusters and proxy endpoints", async () => {
    const r = await paasta(["info", "-s", "hello", "-d", EXAMPLES, "--json"]);
    expect(r.code).toBe(0);
    const info = JSON.parse(r.stdout);
    expect(info).toMatchObject({
      service: "hello",
      team: "platform",
      runbook: "https://example.org/runbooks/hello",
      // No system config here: no cluster to ask whether the port is served (test/runtime/mesh.test.ts asks one).
      proxy_endpoints: [{ registration: "hello.main", proxy_port: 20001, served: [], not_served: [] }],
    });
    expect(info.clusters).toEqual([
      { cluster: "dev", instances: ["canary", "main", "shell"], dashboards: {} },
      { cluster: "prod", instances: ["main"], dashboards: {} },
    ]);
    const text = await paasta(["info", "-s", "hello", "-d", EXAMPLES]);
    expect(text.stdout).toContain("Monitored By: team platform");
    expect(text.stdout).toContain("  - dev: canary, main, shell");
    expect(text.stdout).toContain("  - hello.main (port 20001): no cluster to ask (no instance, or no system config)");
    expect(text.stdout).not.toContain("http://127.0.0.1:20001");
  });

  it("info of an unknown service is a clear error", async () => {
    const r = await paasta(["info", "-s", "nope", "-d", EXAMPLES]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`service nope not found in ${EXAMPLES} [PAASTA_SERVICE_NOT_FOUND]`);
  });
});

describe("paasta fsm", () => {
  it("scaffolds a service that validates, with an unused proxy_port", async () => {
    const soa = tempDir();
    cpSync(EXAMPLES, soa, { recursive: true });
    writeFileSync(join(soa, "echo/smartstack.yaml"), "main:\n  proxy_port: 20666\n");
    const r = await paasta(["fsm", "-s", "my-cool-service", "-y", soa, "--team", "data", "-c", "dev,prod"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("✓ The new service validates");
    const smartstack = parse(readFileSync(join(soa, "my-cool-service/smartstack.yaml"), "utf8"));
    const port = smartstack.main.proxy_port;
    expect(port).toBeGreaterThanOrEqual(19000);
    expect(port).toBeLessThanOrEqual(21000);
    expect([20001, 20666]).not.toContain(port);
    expect(parse(readFileSync(join(soa, "my-cool-service/monitoring.yaml"), "utf8"))).toEqual({
      team: "data",
      page: false,
    });
    expect((await paasta(["validate", "--all", "-y", soa])).code).toBe(0);
  });

  it("refuses an existing service directory", async () => {
    const soa = tempDir();
    cpSync(EXAMPLES, soa, { recursive: true });
    const r = await paasta(["fsm", "-s", "hello", "-y", soa]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("[PAASTA_SERVICE_EXISTS]");
  });

  it("pickProxyPort skips used ports", () => {
    const at20666 = () => (20666 - 19000) / 2001;
    expect(pickProxyPort(new Set(), at20666)).toBe(20666);
    expect(pickProxyPort(new Set([20666, 20667]), at20666)).toBe(20668);
    const all = new Set(Array.from({ length: 2001 }, (_, i) => 19000 + i));
    expect(pickProxyPort(all)).toBeUndefined();
  });
});

describe("paasta check", () => {
  function serviceRepo(withMakefile: boolean): { repo: string; soa: string } {
    const root = tempDir();
    const repo = join(root, "hello");
    mkdirSync(repo);
    execFileSync("git", ["init", "-q", repo]);
    writeFileSync(join(repo, "Dockerfile"), "FROM scratch\n");
    if (withMakefile) {
      writeFileSync(
        join(repo, "Makefile"),
        "test:\n\ttrue\nitest:\n\techo $(DOCKER_TAG)\ncook-image:\n\tdocker build -t $(DOCKER_TAG) .\n",
      );
    }
    execFileSync("git", ["-C", repo, "add", "-A"]);
    execFileSync("git", ["-C", repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "init"]);
    const soa = join(root, "soa");
    cpSync(EXAMPLES, soa, { recursive: true });
    writeFileSync(join(soa, "hello/service.yaml"), `description: d\nexternal_link: x\ngit_url: ${repo}\n`);
    return { repo, soa };
  }

  it("passes for a repo that honours the contract", async () => {
    const { repo, soa } = serviceRepo(true);
    const r = await paasta(["check", "-d", soa], { cwd: repo });
    expect(r.stdout).not.toContain("✗");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("✓ Makefile responds to cook-image");
    expect(r.stdout).toContain(`✓ Git repo ${repo} is reachable`);
  });

  it("fails, saying what to add, without a Makefile", async () => {
    const { repo, soa } = serviceRepo(false);
    const r = await paasta(["check", "-d", soa, "--json"], { cwd: repo });
    expect(r.code).toBe(1);
    const failed = JSON.parse(r.stdout).checks.filter((c: { ok: boolean }) => !c.ok);
    expect(failed).toEqual([
      {
        ok: false,
        message: "No Makefile",
        detail: ["add a Makefile with targets test, itest and cook-image (see docs/cli.md#check)"],
      },
    ]);
  });
});
