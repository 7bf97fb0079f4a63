/**
 * `paasta local-run` against the real engine: the three scenarios of PaaSTA's local_run integration tests
 * (long-running with --build and --cmd, adhoc, Tron action; each exits 42), health checks, --dry-run, and the
 * process executor when no engine answers.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { paastaBin } from "../helpers/cli.js";
import { dockerCli, type FakeService, fakeService } from "../helpers/docker.js";

const KUBERNETES = `main:
  cpus: 0.1
  mem: 100
  env:
    FOO: BAR
  deploy_group: test-cluster.main
  healthcheck_mode: http
  healthcheck_uri: /status
  healthcheck_grace_period_seconds: 2
  healthcheck_interval_seconds: 0.3
  healthcheck_timeout_seconds: 1
  healthcheck_max_consecutive_failures: 3
broken:
  cmd: sleep 30
  deploy_group: test-cluster.main
  healthcheck_mode: cmd
  healthcheck_cmd: exit 3
  healthcheck_grace_period_seconds: 0
  healthcheck_interval_seconds: 0.2
  healthcheck_max_consecutive_failures: 2
`;
const ADHOC = `sample_adhoc_job:
  cpus: .1
  mem: 100
  disk: 450
  cmd: 'echo Hello from adhoc && exit 42'
  deploy_group: test-cluster.main
`;
const TRON = `sample_tron_job:
  schedule: "daily 04:00:00"
  deploy_group: test-cluster.main
  actions:
    action1:
      command: exit 42
    action2:
      command: /bin/true
`;

describe("paasta local-run (real engine)", () => {
  let svc: FakeService;
  const localRun = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    paastaBin(["local-run", "-s", svc.service, "-c", "test-cluster", ...args], {
      cwd: svc.repo,
      env: { ...svc.env, ...env },
    });

  beforeAll(() => {
    svc = fakeService({
      soa: {
        "kubernetes-test-cluster.yaml": KUBERNETES,
        "adhoc-test-cluster.yaml": ADHOC,
        "tron-test-cluster.yaml": TRON,
      },
    });
  });

  it("long-running main with --build --cmd: exit 42 and FOO=BAR in the output", () => {
    const r = localRun([
      "-i",
      "main",
      "--build",
      "--cmd",
      "echo FOO=$FOO; echo PAASTA_SERVICE=$PAASTA_SERVICE; exit 42",
    ]);
    expect(r.stdout).toContain("FOO=BAR");
    expect(r.stdout).toContain("PAASTA_SERVICE=fake_simple_service");
    expect(r.stderr).toContain("Successfully tagged");
    expect(r.code).toBe(42);
    // the container is removed afterwards
    expect(dockerCli(["ps", "-aq", "--filter", "label=paasta.yelp.com/local_run=true"])).toBe("");
  });

  it("an adhoc instance whose cmd exits 42: exit 42", () => {
    const r = localRun(["-i", "sample_adhoc_job", "--build"]);
    expect(r.stdout).toContain("Hello from adhoc");
    expect(r.code).toBe(42);
  });

  it("a Tron action job.action whose command exits 42: exit 42", () => {
    const r = localRun(["-i", "sample_tron_job.action1", "--build"]);
    expect(r.code).toBe(42);
    expect(localRun(["-i", "sample_tron_job.action2", "--build"]).code).toBe(0);
  });

  it("-t runs only the health check: passes with timings, and the container is gone", () => {
    const r = localRun(["-i", "main", "-t"]);
    expect(r.stdout).toMatch(/✓ Health check passed after \d+(\.\d)?s \(\d+ checks?\): HTTP 200 from \/status/);
    expect(r.code).toBe(0);
    expect(dockerCli(["ps", "-aq", "--filter", "label=paasta.yelp.com/local_run=true"])).toBe("");
  });

  it("-t fails (exit 1) after healthcheck_max_consecutive_failures failed checks", () => {
    const r = localRun(["-i", "broken", "-t"]);
    expect(r.stderr).toContain("Health check failed (attempt 2 of 2): exit 3 exited 3");
    expect(r.stdout).toMatch(/✗ Health check failed after/);
    expect(r.code).toBe(1);
  });

  it("the container gets mem as its memory limit, a CPU quota and the production environment", () => {
    const r = localRun([
      "-i",
      "main",
      "-k",
      "--cmd",
      "cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/cpu/cpu.cfs_quota_us 2>/dev/null || cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/cpu.max; env | sort",
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(String(100 * 1024 * 1024));
    expect(r.stdout).toContain("110000"); // (cpus 0.1 + cpu_burst_add 1) × cfs_period_us 100000
    for (const v of ["PAASTA_SERVICE=fake_simple_service", "PAASTA_INSTANCE=main", "PAASTA_CLUSTER=test-cluster"])
      expect(r.stdout).toContain(v);
    expect(r.stdout).toContain("PAASTA_PORT=8888");
    expect(r.stdout).toContain("PAASTA_DEPLOY_GROUP=test-cluster.main");
    expect(r.stdout).toMatch(/PAASTA_RESOURCE_MEM=100\b/);
  });

  it("--dry-run --json prints what would run and runs nothing", () => {
    const r = localRun(["-i", "main", "--dry-run", "--json"]);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(plan.executor).toBe("docker");
    expect(plan.image).toBe("paasta-local-run-fake_simple_service-tester");
    expect(plan.env.FOO).toBe("BAR");
    expect(plan.memoryBytes).toBe(100 * 1024 * 1024);
    expect(plan.command_line.slice(0, 2)).toEqual(["docker", "run"]);
    expect(plan.healthcheck.mode).toBe("http");
    const text = localRun(["-i", "sample_tron_job.action1", "--dry-run"]);
    expect(text.stdout).toMatch(/docker run .* paasta-local-run-fake_simple_service-tester sh -c 'exit 42'/);
  });

  it("--pull without a deployment says how to deploy, not a stack trace", () => {
    const r = localRun(["-i", "main", "--pull"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("[PAASTA_NOT_DEPLOYED]");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("without a reachable engine it runs as a process in the current directory (exit code and env kept)", () => {
    const r = localRun(["-i", "main", "--cmd", "echo FOO=$FOO in $(basename $PWD); exit 42"], {
      DOCKER_HOST: "unix:///nonexistent/docker.sock",
    });
    expect(r.stderr).toContain("cannot reach a container engine at unix:///nonexistent/docker.sock");
    expect(r.stderr).toContain("running as a process");
    expect(r.stdout).toContain("FOO=BAR in fake_simple_service");
    expect(r.code).toBe(42);
    const t = localRun(["-i", "main", "--executor", "process", "-t", "--cmd", "node server.js"]);
    expect(t.stdout).toMatch(/✓ Health check passed/);
    expect(t.code).toBe(0);
    const tron = localRun(["-i", "sample_tron_job.action1", "--executor", "process"]);
    expect(tron.code).toBe(42);
  });

  it("--executor docker without an engine: a catalogue error saying how to start one", () => {
    const r = localRun(["-i", "main", "--executor", "docker"], { DOCKER_HOST: "unix:///nonexistent/docker.sock" });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("[PAASTA_ENGINE_UNREACHABLE]");
    expect(r.stderr).toContain("how to fix: Start one and point DOCKER_HOST");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
