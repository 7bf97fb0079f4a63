/**
 * soa-configs strictness: values PaaSTA's schemas accept validate here too, those that are surely a mistake
 * get a located warning with the reason (validation still passes), and the resolver gives them PaaSTA's
 * meaning. Also PyYAML's scalars, broken links and unsupported files (docs/compatibility.md records each).
 */
import { cpSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadServiceDir } from "../../src/config/file-check.js";
import { resolveInstance } from "../../src/config/resolve/index.js";
import { validateService } from "../../src/config/validate.js";
import { parseYaml } from "../../src/config/yaml.js";
import { planPipeline } from "../../src/pipeline/plan.js";
import { EXAMPLES, tempDir } from "../helpers/cli.js";

/** hello from the examples, with its kubernetes-dev.yaml replaced. */
function service(kubernetes: string, extra: Record<string, string> = {}): string {
  const soa = tempDir();
  cpSync(join(EXAMPLES, "hello"), join(soa, "hello"), { recursive: true });
  writeFileSync(join(soa, "hello/kubernetes-dev.yaml"), kubernetes);
  for (const [f, text] of Object.entries(extra)) writeFileSync(join(soa, "hello", f), text);
  return soa;
}

const REALISTIC = `main:
  deploy_group: dev.everything
  cmd: [sleep, 60]
  fs_group: 12345678901234567890
  extra_volumes:
    - {containerPath: /etc/app, hostPath: /etc/app}
  persistent_volumes:
    - {container_path: /data, size: 10}
  lifecycle:
    termination_grace_period_secnods: 5
    pre_stop_command: [sleep, "1"]
  bounce_health_params: {check_haproxy: true, min_task_uptime: 5, extra: 1}
  secret_volumes:
    - {container_path: /secrets, secret_name: db, extra_field: x, items: [{key: k, path: p, extra: 1}]}
  projected_sa_volumes:
    - {container_path: /var/sa, audience: api, note: hi}
  autoscaling:
    metrics_providers:
      - {type: cpu, decision_policy: legacy}
  iam_role: ""
  namespace: ""
  deploy_whitelist: []
  healthcheck_interval_seconds: 0
  healthcheck_timeout_seconds: 0
  healthcheck_max_consecutive_failures: 0
  container_port: 0
  node_selectors_preferred:
    - preferences: {instance_type: [m5.large]}
  topology_spread_constraints:
    - {max_skew: 1}
    - {topology_key: topology.kubernetes.io/zone}
`;

describe("values PaaSTA's schemas accept", () => {
  it("validate passes, with a located warning for each surely-mistaken value", () => {
    const soa = service(REALISTIC, {
      "adhoc-dev.yaml": 'shell:\n  cmd: sh\n  deploy_group: dev.everything\n  iam_role: ""\n  namespace: ""\n',
    });
    mkdirSync(join(soa, "hello/secrets"));
    writeFileSync(join(soa, "hello/secrets/db.json"), JSON.stringify({ environments: { dev: { ciphertext: "x" } } }));
    const r = validateService(soa, "hello");
    expect(r.problems.map((p) => `${p.path}: ${p.message}`)).toEqual([]);
    const warnings = r.lines.filter((l) => l.kind === "warn").map((l) => (l as { text: string }).text);
    expect(warnings).toEqual([
      'kubernetes-dev.yaml:10:5 main.lifecycle.termination_grace_period_secnods: unknown key "termination_grace_period_secnods" (did you mean "termination_grace_period_seconds"?): accepted as PaaSTA does, and not read',
      'kubernetes-dev.yaml:12:67 main.bounce_health_params.extra: unknown key "extra": accepted as PaaSTA does, and not read',
      'kubernetes-dev.yaml:14:51 main.secret_volumes[0].extra_field: unknown key "extra_field": accepted as PaaSTA does, and not read',
      'kubernetes-dev.yaml:14:93 main.secret_volumes[0].items[0].extra: unknown key "extra": accepted as PaaSTA does, and not read',
      'kubernetes-dev.yaml:16:48 main.projected_sa_volumes[0].note: unknown key "note": accepted as PaaSTA does, and not read',
      'kubernetes-dev.yaml:19:38 main.autoscaling.metrics_providers[0].decision_policy: decision_policy "legacy" is neither proportional nor bespoke: it acts as proportional (an HPA), as in PaaSTA',
      "kubernetes-dev.yaml:23:33 main.healthcheck_interval_seconds: healthcheck_interval_seconds 0 cannot check anything: 1 is used (the least Kubernetes allows)",
      "kubernetes-dev.yaml:24:32 main.healthcheck_timeout_seconds: healthcheck_timeout_seconds 0 cannot check anything: 1 is used (the least Kubernetes allows)",
      "kubernetes-dev.yaml:25:41 main.healthcheck_max_consecutive_failures: healthcheck_max_consecutive_failures 0 cannot check anything: 1 is used (the least Kubernetes allows)",
      "kubernetes-dev.yaml:26:19 main.container_port: container_port 0 is no port: the default (8888) is used",
      "kubernetes-dev.yaml:30:7 main.topology_spread_constraints[0]: a topology spread constraint without topology_key spreads over nothing: it is left out",
    ]);
  });

  it("the resolver gives them PaaSTA's meaning", () => {
    const svc = loadServiceDir(service(REALISTIC), "hello");
    const r = resolveInstance(svc, undefined, "dev", "main", "kubernetes");
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    const c = r.config;
    expect(c.cmd).toEqual(["sleep", "60"]);
    expect(c.volumes.find((v) => v.containerPath === "/etc/app")?.mode).toBe("RO");
    expect(c.persistent_volumes[0]?.mode).toBe("RO");
    expect(c.namespace).toBe("paastasvc-hello");
    expect(c.container_port).toBe(8888);
    expect(c.healthcheck).toMatchObject({ interval_seconds: 1, timeout_seconds: 1, max_consecutive_failures: 1 });
    expect(c.metrics_providers[0]?.decision_policy).toBe("proportional");
    expect(c.placement.deploy_whitelist).toBeNull();
    expect(c.placement.topology_spread_constraints.map((t) => t.topology_key)).toEqual(["topology.kubernetes.io/zone"]);
    expect(c.placement.node_selectors_preferred[0]?.weight).toBe(1);
  });

  it("unknown keys of strict objects stay errors", () => {
    const r = validateService(service("main:\n  deploy_group: dev.everything\n  instanecs: 2\n"), "hello");
    expect(r.problems.map((p) => p.message)).toEqual([
      'unknown key "instanecs" (did you mean "instances"? allowed keys: see schemas/kubernetes.schema.json)',
    ]);
  });

  it("a parallel block inside a parallel deploy step is accepted, warned about, and flattened", () => {
    const deploy = `pipeline:
  - step: itest
  - parallel:
      - step: dev.everything
      - parallel:
          - step: canary
          - step: prod.everything
`;
    const soa = service("main:\n  deploy_group: dev.everything\n", { "deploy.yaml": deploy });
    const r = validateService(soa, "hello");
    expect(r.problems).toEqual([]);
    expect(r.lines.filter((l) => l.kind === "warn").map((l) => (l as { text: string }).text)).toContain(
      "deploy.yaml:5:9 pipeline[1].parallel[1].parallel: a parallel block inside a parallel block: its steps run with the outer block's",
    );
    const parsed = parseYaml(deploy, "deploy.yaml");
    if (!parsed.ok) throw new Error("parse");
    const { plan, problems } = planPipeline(parsed.doc.value as never);
    expect(problems).toEqual([]);
    expect(plan.stages.map((s) => s.key)).toEqual(["itest", "dev.everything+canary+prod.everything"]);
  });
});

describe("YAML scalars as PyYAML reads them", () => {
  it("1e3 without a dot is a string; integers above 2^53 are numbers", () => {
    const r = parseYaml("a: 1e3\nb: 1.0e3\nc: 1.5e+3\nd: 12345678901234567890\ne: .5\n", "x.yaml");
    if (!r.ok) throw new Error("parse");
    expect(r.doc.value).toEqual({ a: "1e3", b: "1.0e3", c: 1500, d: Number("12345678901234567890"), e: 0.5 });
  });
});

describe("what a service directory holds besides its files", () => {
  it("a broken link is skipped; rollback-*.yaml and autotuned_defaults/ are reported as not supported", () => {
    const soa = service("main:\n  deploy_group: dev.everything\n");
    rmSync(join(soa, "hello/kubernetes-prod.yaml"));
    symlinkSync(join(soa, "nowhere.yaml"), join(soa, "hello/kubernetes-prod.yaml"));
    writeFileSync(join(soa, "hello/rollback-dev.everything.yaml"), "conditions: []\n");
    mkdirSync(join(soa, "hello/autotuned_defaults"));
    const r = validateService(soa, "hello");
    expect(r.problems).toEqual([]);
    const warnings = r.lines.filter((l) => l.kind === "warn").map((l) => (l as { text: string }).text);
    expect(warnings).toEqual([
      "autotuned_defaults: ignored, not supported: autotuned defaults come from Yelp's autotuner, which is not part of paasta",
      "kubernetes-prod.yaml: a broken symbolic link: skipped",
      "rollback-dev.everything.yaml: ignored, not supported: automatic rollback rules (Yelp's SLO-driven rollbacks) are not read by paasta",
    ]);
  });
});
