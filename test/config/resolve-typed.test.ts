/**
 * Every key a backend reads is a typed field of the resolved config, with its default from the one table and
 * the system config's cluster-wide values where PaaSTA reads them (placement, PDB), and "was it set" recorded.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadServiceDir } from "../../src/config/file-check.js";
import { formatProblem } from "../../src/config/problem.js";
import { DEFAULTS, resolveInstance, resolveNamespaces, resolveTronJob } from "../../src/config/resolve/index.js";
import { loadSystemConfig, type SystemConfig } from "../../src/config/system.js";
import { tempDir } from "../helpers/cli.js";

function tree(files: Record<string, string>, system: Record<string, unknown> = {}) {
  const root = tempDir("paasta-resolve-");
  mkdirSync(join(root, "soa", "svc"), { recursive: true });
  mkdirSync(join(root, "etc"));
  writeFileSync(join(root, "etc", "paasta.json"), JSON.stringify({ cluster: "c1", ...system }));
  for (const [f, text] of Object.entries({
    "service.yaml": "description: d\nexternal_link: https://example.org\n",
    ...files,
  }))
    writeFileSync(join(root, "soa", "svc", f), text);
  return { svc: loadServiceDir(join(root, "soa"), "svc"), system: loadSystemConfig(join(root, "etc")) };
}

function resolved(t: { svc: ReturnType<typeof loadServiceDir>; system: SystemConfig }, name = "main") {
  const r = resolveInstance(t.svc, t.system, "c1", name, "kubernetes");
  if (!r.ok) throw new Error(r.problems.map(formatProblem).join("; "));
  return r.config;
}

describe("Kubernetes settings, typed", () => {
  const plain = resolved(tree({ "kubernetes-c1.yaml": "main:\n  cmd: x\n" }));

  it("defaults come from the table", () => {
    expect(plain.pod).toEqual({
      cap_add: [],
      privileged: false,
      service_account_name: null,
      fs_group: null,
      fs_group_change_policy: null,
      prometheus_port: null,
      prometheus_path: null,
      prometheus_shard: null,
      routable_ip: false,
      pod_management_policy: DEFAULTS.pod_management_policy,
      unhealthy_pod_eviction_policy: DEFAULTS.unhealthy_pod_eviction_policy,
      pdb_max_unavailable: DEFAULTS.pdb_max_unavailable,
    });
    expect(plain.placement.topology_spread_constraints).toEqual([]);
    expect(plain.scaledown).toEqual(DEFAULTS.hpa_scale_down);
    expect(plain.stop_grace_seconds).toBe(DEFAULTS.stop_grace_seconds);
  });

  it("the system config's cluster-wide values fill what the instance does not say", () => {
    const t = tree(
      {
        "kubernetes-c1.yaml":
          "main:\n  cmd: x\n  pool: batch\nother:\n  cmd: x\n  unhealthy_pod_eviction_policy: IfHealthyBudget\n",
      },
      {
        topology_spread_constraints: [{ topology_key: "zone" }],
        pool_node_affinities: { batch: { instance_type: ["c5.xlarge"] } },
        pdb_max_unavailable: "20%",
        unhealthy_pod_eviction_policy: "AlwaysAllow",
      },
    );
    const main = resolved(t);
    expect(main.placement.topology_spread_constraints).toEqual([
      { topology_key: "zone", max_skew: 1, when_unsatisfiable: "ScheduleAnyway", match_label_keys: null },
    ]);
    expect(main.placement.pool_node_affinity).toEqual({ instance_type: ["c5.xlarge"] });
    expect(main.pod).toMatchObject({ pdb_max_unavailable: "20%", unhealthy_pod_eviction_policy: "AlwaysAllow" });
    expect(resolved(t, "other").pod.unhealthy_pod_eviction_policy).toBe("IfHealthyBudget");
  });

  it("an explicit bounce_margin_factor sets the PDB, and is recorded as explicit", () => {
    const c = resolved(tree({ "kubernetes-c1.yaml": "main:\n  cmd: x\n  bounce_margin_factor: 0.5\n" }));
    expect(c.pod.pdb_max_unavailable).toBe("50%");
    expect(c.explicit).toContain("bounce_margin_factor");
    expect(plain.explicit).not.toContain("bounce_margin_factor");
  });

  it("placement keys keep their structure; single anti-affinity targets become lists", () => {
    const c = resolved(
      tree({
        "kubernetes-c1.yaml": `main:
  cmd: x
  node_selectors: {instance_type: [m5.large], habitat: uswest1a}
  deploy_whitelist: [region, [uswest1]]
  deploy_blacklist: [[habitat, uswest1b]]
  anti_affinity: {service: other}
  anti_affinity_preferred: [{instance: canary, weight: 5}]
  cap_add: [NET_ADMIN, IPC_LOCK]
  prometheus_port: 9090
  persistent_volumes: [{container_path: /data, size: 10, mode: RW}]
`,
      }),
    );
    expect(c.placement).toMatchObject({
      node_selectors: { instance_type: ["m5.large"], habitat: "uswest1a" },
      deploy_whitelist: ["region", ["uswest1"]],
      deploy_blacklist: [["habitat", "uswest1b"]],
      anti_affinity: [{ service: "other", instance: null, weight: DEFAULTS.anti_affinity_weight }],
      anti_affinity_preferred: [{ service: null, instance: "canary", weight: 5 }],
    });
    expect(c.pod).toMatchObject({ cap_add: ["IPC_LOCK", "NET_ADMIN"], prometheus_port: 9090 });
    expect(c.persistent_volumes).toEqual([
      { container_path: "/data", size_gib: 10, mode: "RW", storage_class_name: DEFAULTS.storage_class_name },
    ]);
  });
});

describe("the mesh namespace", () => {
  const t = tree({
    "smartstack.yaml":
      "main:\n  proxy_port: 20001\n  timeout_server_ms: 5000\n  endpoint_timeouts: {/slow: 30000}\n  balance: leastconn\ncanary_only:\n  proxy_port: null\n",
    "kubernetes-c1.yaml": "main:\n  cmd: x\n",
  });

  it("the instance carries its registration's namespace, with the namespace's defaults", () => {
    const c = resolved(t);
    expect(c.mesh).toEqual({
      name: "main",
      proxy_port: 20001,
      mode: "http",
      healthcheck_mode: "http",
      healthcheck_uri: "/status",
      healthcheck_timeout_s: DEFAULTS.mesh_healthcheck_timeout_s,
      timeout_connect_ms: DEFAULTS.mesh_timeout_connect_ms,
      timeout_server_ms: 5000,
      timeout_client_ms: null,
      idle_timeout_s: DEFAULTS.mesh_idle_timeout_s,
      endpoint_timeouts: { "/slow": 30000 },
      retries: DEFAULTS.mesh_retries,
      lb_policy: "LEAST_REQUEST",
      extra_headers: {},
    });
    expect(c.drain_method_params.delay).toBe(DEFAULTS.hacheck_drain_delay);
  });

  it("a service's namespaces are listed with proxy_port null for discovery-only ones", () => {
    expect(resolveNamespaces(t.svc).map((n) => [n.name, n.proxy_port])).toEqual([
      ["canary_only", null],
      ["main", 20001],
    ]);
  });
});

describe("http drains", () => {
  it("each call gets PaaSTA's method and success codes unless set", () => {
    const c = resolved(
      tree({
        "kubernetes-c1.yaml": `main:
  cmd: x
  drain_method: http
  drain_method_params:
    drain: {url_format: "http://{host}:{port}/drain"}
    stop_draining: {url_format: "http://{host}:{port}/undrain"}
    is_draining: {url_format: "http://{host}:{port}/draining", success_codes: "200-299,409"}
    is_safe_to_kill: {url_format: "http://{host}:{port}/safe", method: POST, success_codes: 204}
`,
      }),
    );
    expect(c.drain_method_params).toMatchObject({
      drain: { url_format: "http://{host}:{port}/drain", method: "GET", success_codes: "200-399" },
      is_safe_to_kill: { method: "POST", success_codes: "204" },
      is_draining: { method: "GET", success_codes: "200-299,409" },
    });
  });
});

describe("Tron actions, typed", () => {
  it("durations in seconds, the job's defaults inherited, the service's registry, volumes from the system", () => {
    const t = tree(
      {
        "service.yaml": "description: d\nexternal_link: https://example.org\ndocker_registry: registry.example:5000\n",
        "tron-c1.yaml": `nightly:
  schedule: daily 04:00
  deploy_group: prod.batch
  max_runtime: 2h
  actions:
    extract:
      command: ./extract {shortdate}
      retries: 2
      retries_delay: 30s
      expected_runtime: 10 minutes
    load:
      command: ./load
      requires: [extract]
`,
      },
      { volumes: [{ hostPath: "/nail/etc", containerPath: "/nail/etc", mode: "RO" }] },
    );
    const r = resolveTronJob(t.svc, t.system, "c1", "nightly");
    if (!r.ok) throw new Error(r.problems.map(formatProblem).join("; "));
    const [extract, load] = r.config.actions;
    expect(r.config).toMatchObject({ max_runtime_seconds: 7200, node: DEFAULTS.tron_node });
    expect(extract).toMatchObject({
      retries: 2,
      retries_delay_seconds: 30,
      expected_runtime_seconds: 600,
      cfs_period_us: DEFAULTS.cfs_period_us,
      deploy_group: "prod.batch",
      docker_registry: "registry.example:5000",
      volumes: [{ hostPath: "/nail/etc", containerPath: "/nail/etc", mode: "RO" }],
    });
    expect(extract?.explicit).not.toContain("deploy_group");
    expect(load).toMatchObject({ requires: ["extract"], retries: 0, retries_delay_seconds: 0 });
  });
});
