/** The resolver: defaults, merge order (service.yaml → instance, monitoring.yaml → monitoring), mesh defaults, Tron. */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadServiceDir } from "../../src/config/file-check.js";
import { formatProblem } from "../../src/config/problem.js";
import { interpolateDeployGroup, resolveInstance, resolveTronJob } from "../../src/config/resolve/index.js";
import type { ResolvedInstanceConfig, ResolvedTronJob } from "../../src/config/types.js";

const FIXTURES = fileURLToPath(new URL("../fixtures/validate/", import.meta.url));
const RESOLVE = `${FIXTURES}resolve`;

function instance(service: string, name: string, kind: "kubernetes" | "adhoc" = "kubernetes"): ResolvedInstanceConfig {
  const r = resolveInstance(loadServiceDir(RESOLVE, service), undefined, "c1", name, kind);
  if (!r.ok) throw new Error(r.problems.map(formatProblem).join("; "));
  return r.config;
}

function job(service: string, name: string): ResolvedTronJob {
  const r = resolveTronJob(loadServiceDir(RESOLVE, service), undefined, "c1", name);
  if (!r.ok) throw new Error(r.problems.map(formatProblem).join("; "));
  return r.config;
}

describe("defaults", () => {
  const bare = instance("my_svc", "bare");

  it("resources, port, bounce", () => {
    expect(bare).toMatchObject({
      cpus: 1,
      mem: 4096,
      disk: 1024,
      gpus: null,
      cpu_burst_add: 1,
      cfs_period_us: 100000,
      container_port: 8888,
      bounce_method: "crossover",
      bounce_margin_factor: 0.95,
      bounce_overprovision_factor: 1,
      min_task_uptime: 0,
    });
  });

  it("health checks: 60/10/10/30, no mode outside the mesh", () => {
    expect(bare.healthcheck).toEqual({
      mode: null,
      uri: "/status",
      cmd: "/bin/true",
      grace_period_seconds: 60,
      interval_seconds: 10,
      timeout_seconds: 10,
      max_consecutive_failures: 30,
    });
    expect(bare).toMatchObject({ in_mesh: false, mesh: null, drain_method: "noop" });
    expect(bare.explicit).not.toContain("bounce_margin_factor");
    expect(bare.pod).toMatchObject({ pdb_max_unavailable: 0, unhealthy_pod_eviction_policy: "IfHealthyBudget" });
  });

  it("deploy_group CLUSTER.INSTANCE, registrations SERVICE.INSTANCE, namespace paastasvc-SERVICE with _ → --", () => {
    expect(bare.deploy_group).toBe("c1.bare");
    expect(bare.registrations).toEqual(["my_svc.bare"]);
    expect(bare.namespace).toBe("paastasvc-my--svc");
  });

  it("replicas and autoscaling", () => {
    expect(bare).toMatchObject({ instances: 1, min_instances: 1, max_instances: null, autoscaled: false });
    expect(bare.metrics_providers).toEqual([
      {
        type: "cpu",
        explicit_keys: [],
        decision_policy: "proportional",
        setpoint: 0.8,
        max_instances_alert_threshold: 0.8,
        moving_average_window_seconds: null,
        desired_active_requests_per_replica: null,
        target_type: "AverageValue",
        metrics_query: null,
        series_query: null,
      },
    ]);
  });

  it("the rest", () => {
    expect(bare).toMatchObject({
      args: [],
      env: {},
      volumes: [],
      pool: "default",
      net: "bridge",
      weight: 10,
      replication_threshold: 50,
      git_url: null,
      docker_registry: null,
    });
    expect(bare.lifecycle).toEqual({
      pre_stop_command: null,
      pre_stop_drain_seconds: 0,
      pre_stop_wait_for_connections_to_complete: false,
      termination_grace_period_seconds: null,
    });
  });

  it("adhoc instances run in the paasta namespace", () => {
    expect(instance("my_svc", "shell", "adhoc")).toMatchObject({
      type: "adhoc",
      namespace: "paasta",
      deploy_group: "c1.shell",
    });
  });

  it("Tron: job and action defaults (disk 4096, cpu_burst_add 0)", () => {
    const nightly = job("my_svc", "nightly");
    expect(nightly).toMatchObject({
      time_zone: "UTC",
      enabled: true,
      queueing: true,
      allow_overlap: false,
      run_limit: 50,
      max_runtime: null,
      cleanup_action: null,
      schedule: { type: "daily", value: "" },
    });
    expect(nightly.actions).toHaveLength(1);
    expect(nightly.actions[0]).toMatchObject({
      name: "run",
      instance: "nightly.run",
      command: "./run",
      executor: "paasta",
      requires: [],
      retries: 0,
      service: "my_svc",
      deploy_group: "batch",
      cpus: 1,
      mem: 4096,
      disk: 4096,
      cpu_burst_add: 0,
      pool: "default",
    });
  });
});

describe("merge order", () => {
  const main = instance("merged", "main");

  it("service.yaml keys are defaults under the instance; the instance wins", () => {
    expect(main.cpus).toBe(0.25);
    expect(main.mem).toBe(1024);
    expect(instance("merged", "plain").mem).toBe(256);
  });

  it("mappings merge key by key", () => {
    expect(main.env).toEqual({ FROM_SERVICE: "service", SHARED: "instance", OWN: "instance" });
  });

  it("lists are replaced, not concatenated", () => {
    expect(main.volumes).toEqual([{ containerPath: "/from-instance", hostPath: "/srv/instance", mode: "RW" }]);
    expect(instance("merged", "plain").volumes).toEqual([
      { containerPath: "/from-service", hostPath: "/srv/service", mode: "RO" },
    ]);
  });

  it("monitoring.yaml sits under the instance's `monitoring`; service.yaml's top-level keys come last", () => {
    expect(main.monitoring).toMatchObject({
      team: "platform",
      page: false, // the instance's override
      slack_channels: ["#from-monitoring"],
      tip: "from service.yaml",
    });
    expect(instance("merged", "plain").monitoring.page).toBe(true);
  });
});

describe("mesh-derived defaults", () => {
  it("registered in a namespace with a proxy_port: http health check on the namespace's uri, hacheck drain", () => {
    const main = instance("merged", "main");
    expect(main.in_mesh).toBe(true);
    expect(main.healthcheck).toMatchObject({ mode: "http", uri: "/health" });
    expect(main).toMatchObject({ drain_method: "hacheck", drain_method_params: { delay: 60 } });
    expect(main.lifecycle).toMatchObject({
      pre_stop_drain_seconds: 30,
      pre_stop_wait_for_connections_to_complete: true,
    });
  });

  it("a discovery-only namespace (proxy_port: null) is not the mesh", () => {
    const plain = instance("merged", "plain");
    expect(plain.registrations).toEqual(["merged.discovery"]);
    expect(plain).toMatchObject({ in_mesh: false, drain_method: "noop" });
    expect(plain.healthcheck.mode).toBeNull();
  });

  it("explicit keys win over mesh defaults", () => {
    const tcp = instance("merged", "tcp");
    expect(tcp.registrations).toEqual(["merged.tcp"]);
    expect(tcp).toMatchObject({ drain_method: "noop" });
    expect(tcp.healthcheck.mode).toBe("tcp");
  });
});

describe("the resolved config", () => {
  it("is deeply frozen", () => {
    const main = instance("merged", "main");
    expect(Object.isFrozen(main)).toBe(true);
    expect(Object.isFrozen(main.env)).toBe(true);
    expect(Object.isFrozen(main.healthcheck)).toBe(true);
    expect(Object.isFrozen(main.volumes[0])).toBe(true);
    expect(() => {
      (main as { cpus: number }).cpus = 8;
    }).toThrow(TypeError);
    const nightly = job("my_svc", "nightly");
    expect(Object.isFrozen(nightly.actions[0])).toBe(true);
  });

  it("is never returned when a file involved has a problem (unless best effort)", () => {
    const svc = loadServiceDir(`${FIXTURES}schema-kubernetes`, "svc");
    const strict = resolveInstance(svc, undefined, "norcal-prod", "main", "kubernetes");
    expect(strict.ok).toBe(false);
    if (!strict.ok) {
      expect(strict.partial).toBeUndefined();
      expect(strict.problems.map(formatProblem)).toContain(
        'kubernetes-norcal-prod.yaml:4:3 main.oops: unknown key "oops" (allowed keys: see schemas/kubernetes.schema.json)',
      );
    }
    const lenient = resolveInstance(svc, undefined, "norcal-prod", "main", "kubernetes", { bestEffort: true });
    expect(lenient.ok).toBe(true);
  });

  it("an unknown instance is a problem", () => {
    const r = resolveInstance(loadServiceDir(RESOLVE, "my_svc"), undefined, "c1", "nope", "kubernetes");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.map(formatProblem)).toEqual(['kubernetes-c1.yaml: instance "nope" not found']);
  });
});

describe("deploy_group interpolation", () => {
  const vars = { cluster: "norcal-prod", instance: "main", service: "hello" };

  it("fills {cluster}, {instance} and {service}", () => {
    expect(interpolateDeployGroup("{cluster}.{service}.{instance}", vars)).toBe("norcal-prod.hello.main");
    expect(interpolateDeployGroup("prod", vars)).toBe("prod");
  });

  it("rejects other placeholders", () => {
    expect(interpolateDeployGroup("{region}.main", vars)).toEqual({
      error: "unknown placeholder {region} (allowed: {cluster}, {instance}, {service})",
    });
  });
});
