/**
 * `paasta validate`, check by check: for each one a tree that passes it and a tree that fails it, with the exact
 * located lines users see (`FILE:LINE:COL PATH: MESSAGE`). Fixture trees live in test/fixtures/validate/CASE/.
 * Every invalid tree is valid except for what its case is about, so the whole list of problems is compared.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadServiceDir } from "../../src/config/file-check.js";
import { formatProblem } from "../../src/config/problem.js";
import {
  proxyPortsOfTree,
  type ServiceReport,
  type ValidateOptions,
  validateService,
  validateTree,
} from "../../src/config/validate.js";

const FIXTURES = fileURLToPath(new URL("../fixtures/validate/", import.meta.url));
const tree = (name: string) => `${FIXTURES}${name}`;

/** The ✓ line of each check (validate.ts and rules/*). */
const CHECK = {
  schema: (file: string) => `Successfully validated schema: ${file}`,
  instances: "All PaaSTA instances are valid for all clusters",
  serviceName: (service: string) => `Service name ${service} is valid`,
  monitoring: "Service has a monitoring.yaml file",
  instanceNames: (service: string) => `All ${service}'s instance names are unique in each cluster`,
  deployGroups: "All deploy_groups are steps of deploy.yaml",
  registrations: "All registrations are SERVICE.NAMESPACE",
  minMax: "All min_instances are at most max_instances",
  autoscaling: "All autoscaling configs are valid",
  smartstack: "All SmartStack configs are valid",
  registrationNamespaces: "All registrations name an existing namespace",
  tron: "All Tron job action graphs are valid",
  secrets: "All SECRET() references have a ciphertext for their cluster's secret environment",
  proxyPorts: "All proxy_ports are unique in the tree",
} as const;

function run(caseName: string, service = "svc", options: ValidateOptions = {}): ServiceReport {
  return validateService(tree(caseName), service, options);
}

/** Problems as printed (`✗ …` without the mark), in report order. */
function failures(report: ServiceReport): string[] {
  return report.lines.flatMap((l) => (l.kind === "fail" ? [formatProblem(l.problem)] : []));
}

function oks(report: ServiceReport): string[] {
  return report.lines.flatMap((l) => (l.kind === "ok" ? [l.text] : []));
}

/** The ✓ lines a fully valid report of this service would have, that this report lacks (= the failed checks). */
function failedChecks(caseName: string, report: ServiceReport, prefix = ""): string[] {
  const svc = loadServiceDir(tree(caseName), report.service, prefix);
  const expected = [
    ...svc.files.map((f) => CHECK.schema(`${prefix}${f.name}`)),
    CHECK.instances,
    CHECK.serviceName(report.service),
    CHECK.monitoring,
    CHECK.instanceNames(report.service),
    CHECK.deployGroups,
    CHECK.registrations,
    CHECK.minMax,
    CHECK.autoscaling,
    CHECK.smartstack,
    CHECK.registrationNamespaces,
    CHECK.tron,
    CHECK.secrets,
  ];
  const have = oks(report);
  return expected.filter((text) => !have.includes(text));
}

const validTree = validateTree(tree("valid"));
const good = validTree.reports.find((r) => r.service === "good") as ServiceReport;

describe("the valid tree", () => {
  it("passes every check of every service, with no warning", () => {
    expect(validTree.problems).toBe(0);
    expect(validTree.reports.map((r) => r.service)).toEqual(["good", "other"]);
    for (const report of validTree.reports) {
      expect(report.problems).toEqual([]);
      expect(report.lines.every((l) => l.kind === "ok")).toBe(true);
    }
  });

  it("prints one ✓ line per file and per check, in order", () => {
    expect(oks(good)).toEqual([
      CHECK.schema("good/adhoc-norcal-prod.yaml"),
      CHECK.schema("good/deploy.yaml"),
      CHECK.schema("good/eks-norcal-prod.yaml"),
      CHECK.schema("good/kubernetes-norcal-dev.yaml"),
      CHECK.schema("good/kubernetes-norcal-prod.yaml"),
      CHECK.schema("good/monitoring.yaml"),
      CHECK.schema("good/service.yaml"),
      CHECK.schema("good/smartstack.yaml"),
      CHECK.schema("good/tron-norcal-prod.yaml"),
      CHECK.instances,
      CHECK.serviceName("good"),
      CHECK.monitoring,
      CHECK.instanceNames("good"),
      CHECK.deployGroups,
      CHECK.registrations,
      CHECK.minMax,
      CHECK.autoscaling,
      CHECK.smartstack,
      CHECK.registrationNamespaces,
      CHECK.tron,
      CHECK.secrets,
      CHECK.proxyPorts,
    ]);
  });

  it("validates the same one service at a time (file names without the SERVICE/ prefix)", () => {
    const report = run("valid", "good", { proxyPorts: proxyPortsOfTree(tree("valid")) });
    expect(report.problems).toEqual([]);
    expect(oks(report)).toContain(CHECK.schema("kubernetes-norcal-prod.yaml"));
    expect(oks(report)).toContain(CHECK.proxyPorts);
  });

  it("resolves every instance and job of every cluster", () => {
    expect(good.instances.map((i) => `${i.cluster} ${i.type} ${i.instance} ${i.deploy_group}`).sort()).toEqual([
      "norcal-dev kubernetes main norcal-dev.everything",
      "norcal-prod adhoc shell tools",
      "norcal-prod eks worker batch",
      "norcal-prod kubernetes canary canary",
      "norcal-prod kubernetes main norcal-prod.everything",
    ]);
    expect(good.jobs.map((j) => `${j.name}: ${j.actions.map((a) => a.name).join(",")}`)).toEqual([
      "nightly: extract,load",
      "weekdays: report",
      "frequent: poll,notify",
      "typed: cleanup",
      "remote: uptime",
    ]);
  });
});

describe("1. schema of each file type", () => {
  it("valid: all eight file types of the valid tree pass their schema", () => {
    const kinds = loadServiceDir(tree("valid"), "good").files.map((f) => f.kind);
    expect([...new Set(kinds)].sort()).toEqual([
      "adhoc",
      "deploy",
      "eks",
      "kubernetes",
      "monitoring",
      "service",
      "smartstack",
      "tron",
    ]);
    expect(failedChecks("valid", good, "good/")).toEqual([]);
  });

  it("kubernetes-CLUSTER.yaml: unknown key, wrong type, out of range, bad enum, bad instance names", () => {
    const report = run("schema-kubernetes");
    expect(failures(report)).toEqual([
      'kubernetes-norcal-prod.yaml:4:3 main.oops: unknown key "oops" (allowed keys: see schemas/kubernetes.schema.json)',
      'kubernetes-norcal-prod.yaml:5:9 main.cpus: must be a number (got "lots")',
      "kubernetes-norcal-prod.yaml:6:8 main.mem: must be >= 32 (got 16)",
      'kubernetes-norcal-prod.yaml:7:18 main.bounce_method: must be one of "crossover", "brutal", "downthenup", "upthendown" (got "sideways")',
      "kubernetes-norcal-prod.yaml:8:14 main.instances: must be an integer (got 2.5)",
      'kubernetes-norcal-prod.yaml:12:13 main.extra_volumes[0].mode: must be one of "RO", "RW" (got "rw")',
      "kubernetes-norcal-prod.yaml:13:1 Main_: invalid instance name \"Main_\": use lowercase letters, digits, '_' and '-', not starting or ending with '_' or '-'",
      'kubernetes-norcal-prod.yaml:15:1 empty: instance "empty" has no keys',
      'kubernetes-norcal-prod.yaml:16:9 scalar: instance "scalar" must be a mapping of keys',
      // `empty` is still an instance: it gets the default deploy_group, which is not in the pipeline.
      'kubernetes-norcal-prod.yaml:15:1 empty: deploy_group "norcal-prod.empty" is not a step of deploy.yaml\'s pipeline (steps: prod)',
    ]);
    expect(failedChecks("schema-kubernetes", report)).toEqual([
      CHECK.schema("kubernetes-norcal-prod.yaml"),
      CHECK.deployGroups,
    ]);
  });

  it("eks-CLUSTER.yaml is checked with the kubernetes schema", () => {
    const report = run("schema-eks");
    expect(failures(report)).toEqual([
      'eks-norcal-prod.yaml:4:3 main.unknown_key: unknown key "unknown_key" (allowed keys: see schemas/kubernetes.schema.json)',
      'eks-norcal-prod.yaml:5:19 main.container_port: must be a number (got "8080")',
      "eks-norcal-prod.yaml:6:14 main.instances: must be >= 0 (got -1)",
      'eks-norcal-prod.yaml:7:21 main.healthcheck_mode: must be one of "cmd", "tcp", "http", "https" (got "grpc")',
      "eks-norcal-prod.yaml:8:1 -bad: invalid instance name \"-bad\": use lowercase letters, digits, '_' and '-', not starting or ending with '_' or '-'",
    ]);
    expect(failedChecks("schema-eks", report)).toEqual([CHECK.schema("eks-norcal-prod.yaml")]);
  });

  it("adhoc-CLUSTER.yaml: its own (smaller) set of keys", () => {
    const report = run("schema-adhoc");
    expect(failures(report)).toEqual([
      'adhoc-norcal-prod.yaml:4:3 shell.instances: unknown key "instances" (allowed keys: see schemas/adhoc.schema.json)',
      "adhoc-norcal-prod.yaml:5:8 shell.net: must be a string (got 5)",
      "adhoc-norcal-prod.yaml:6:9 shell.cpus: must be > 0 (got 0)",
      'adhoc-norcal-prod.yaml:7:22 shell.iam_role_provider: must be one of "aws" (got "gcp")',
      "adhoc-norcal-prod.yaml:8:1 Shell: invalid instance name \"Shell\": use lowercase letters, digits, '_' and '-', not starting or ending with '_' or '-'",
    ]);
    expect(failedChecks("schema-adhoc", report)).toEqual([CHECK.schema("adhoc-norcal-prod.yaml")]);
  });

  it("tron-CLUSTER.yaml: job keys, action keys, job monitoring keys, job names, required keys", () => {
    const report = run("schema-tron");
    expect(failures(report)).toEqual([
      'tron-norcal-prod.yaml:4:14 nightly.run_limit: must be a number (got "many")',
      'tron-norcal-prod.yaml:5:3 nightly.colour: unknown key "colour" (allowed keys: see schemas/tron.schema.json)',
      'tron-norcal-prod.yaml:8:5 nightly.monitoring.pager: unknown key "pager" (did you mean "page"? allowed keys: see schemas/tron.schema.json)',
      'tron-norcal-prod.yaml:12:17 nightly.actions.extract.executor: must be one of "paasta", "ssh", "spark" (got "docker")',
      "tron-norcal-prod.yaml:13:16 nightly.actions.extract.retries: must be >= 0 (got -1)",
      'tron-norcal-prod.yaml:14:7 nightly.actions.extract.timeout: unknown key "timeout" (allowed keys: see schemas/tron.schema.json)',
      "tron-norcal-prod.yaml:15:1 1job: invalid job name \"1job\": start with a letter or '_' and use letters, digits, '_' and '-'",
      // Reported once, by the schema (not again by the schedule parser).
      "tron-norcal-prod.yaml:21:3 no_schedule.schedule: is required (a string or a mapping)",
      "tron-norcal-prod.yaml:26:3 no_actions.actions: is required (a mapping or a list)",
    ]);
    expect(failedChecks("schema-tron", report)).toEqual([CHECK.schema("tron-norcal-prod.yaml")]);
  });

  it("service.yaml: its own keys, and instance keys given as defaults (other keys are accepted)", () => {
    const report = run("schema-service");
    expect(failures(report)).toEqual([
      "service.yaml:1:1 description: is required (a string)",
      "service.yaml:1:16 external_link: must be a string (got 42)",
      "service.yaml:2:13 cost_owner: must be lowercase letters, digits and '-', not starting or ending with '-' (got \"Platform Team\")",
      "service.yaml:3:10 git_url: must be a string or null (got a list)",
      "service.yaml:4:7 cpus: must be > 0 (got -1)",
      'service.yaml:5:16 bounce_method: must be one of "crossover", "brutal", "downthenup", "upthendown" (got "sideways")',
    ]);
    // `anything_else:` (line 6) is accepted, as in PaaSTA.
    expect(failures(report).some((l) => l.includes("anything_else"))).toBe(false);
    expect(failedChecks("schema-service", report)).toEqual([CHECK.schema("service.yaml")]);
  });

  it("monitoring.yaml: known keys are typed, extra keys are forwarded", () => {
    const report = run("schema-monitoring");
    expect(failures(report)).toEqual([
      'monitoring.yaml:2:7 page: must be true or false (got "yes")',
      "monitoring.yaml:3:16 realert_every: must be >= -1 (got -5)",
      'monitoring.yaml:4:14 alert_after: must look like 30s, 5m, 1h or 2D (got "5 minutes")',
      "monitoring.yaml:5:11 priority: must be a string or a number (got a list)",
    ]);
    expect(failures(report).some((l) => l.includes("custom_key"))).toBe(false);
    expect(failedChecks("schema-monitoring", report)).toEqual([CHECK.schema("monitoring.yaml")]);
  });

  it("deploy.yaml: top-level keys, step keys, step names, ranges, enums", () => {
    const report = run("schema-deploy");
    expect(failures(report)).toEqual([
      "deploy.yaml:3:11 pipeline[1].step: must contain only letters, digits, '_', '.' and '-' (got \"prod cluster\")",
      'deploy.yaml:4:14 pipeline[1].timeout: must be a number (got "long")',
      'deploy.yaml:5:5 pipeline[1].typo: unknown key "typo" (allowed keys: see schemas/deploy.schema.json)',
      "deploy.yaml:7:46 pipeline[2].crashloop_rollback_percentage_threshold: must be <= 1 (got 2)",
      'deploy.yaml:8:26 default_deploy_strategy: must be one of "verify", "no-verify" (got "yolo")',
      'deploy.yaml:9:1 pipelines: unknown key "pipelines" (did you mean "pipeline"? allowed keys: see schemas/deploy.schema.json)',
    ]);
    expect(failedChecks("schema-deploy", report)).toEqual([CHECK.schema("deploy.yaml")]);
  });

  it("smartstack.yaml: proxy_port range, enums, types, unknown keys, namespace names, required proxy_port", () => {
    const report = run("schema-smartstack");
    expect(failures(report)).toEqual([
      "smartstack.yaml:2:15 main.proxy_port: must be >= 19000 (got 18000)",
      'smartstack.yaml:3:9 main.mode: must be one of "http", "https", "http2", "tcp" (got "udp")',
      'smartstack.yaml:4:23 main.timeout_connect_ms: must be a number (got "fast")',
      'smartstack.yaml:5:3 main.colour: unknown key "colour" (allowed keys: see schemas/smartstack.schema.json)',
      "smartstack.yaml:6:1 bad name!: invalid namespace name \"bad name!\": use letters, digits, '_', '.' and '-'",
      "smartstack.yaml:9:3 nothing.proxy_port: is required (a number or null)",
    ]);
    expect(failedChecks("schema-smartstack", report)).toEqual([CHECK.schema("smartstack.yaml")]);
  });

  it("a YAML syntax error is located, and the file's instances are not checked further", () => {
    const report = run("yaml-syntax");
    expect(failures(report)).toEqual([
      "kubernetes-norcal-prod.yaml:4:21: YAML syntax error: bad indentation of a mapping entry",
    ]);
    expect(report.instances).toEqual([]);
    expect(failedChecks("yaml-syntax", report)).toEqual([CHECK.schema("kubernetes-norcal-prod.yaml")]);
  });

  it("a duplicate key is an error at the repeated key", () => {
    const report = run("yaml-duplicate");
    expect(failures(report)).toEqual([
      'kubernetes-norcal-prod.yaml:6:3: duplicate key "cpus" (each key may appear once in a mapping)',
    ]);
    expect(failedChecks("yaml-duplicate", report)).toEqual([CHECK.schema("kubernetes-norcal-prod.yaml")]);
  });

  it("`<<` merges and `_` templates: values are merged; a bad value is located in the template", () => {
    const report = run("yaml-templates");
    // main inherits `mem: 4` from _base (line 4); second and third override it.
    expect(failures(report)).toEqual(["kubernetes-norcal-prod.yaml:4:8 main.mem: must be >= 32 (got 4)"]);
    const byName = new Map(report.instances.map((i) => [i.instance, i]));
    expect([...byName.keys()].sort()).toEqual(["main", "second", "third"]);
    expect(byName.get("main")).toMatchObject({ cmd: "./run", deploy_group: "prod", mem: 4, instances: 2, cpus: 1 });
    expect(byName.get("second")).toMatchObject({ cmd: "./run", deploy_group: "prod", mem: 256, cpus: 0.5 });
    expect(byName.get("third")).toMatchObject({ cmd: "./run", mem: 1024, cpus: 1 });
  });

  it("templates in the valid tree (kubernetes, smartstack, tron) are not instances", () => {
    expect(good.instances.some((i) => i.instance.startsWith("_"))).toBe(false);
    expect(good.jobs.some((j) => j.name.startsWith("_"))).toBe(false);
    const extract = good.jobs.find((j) => j.name === "nightly")?.actions.find((a) => a.name === "extract");
    expect(extract).toMatchObject({ cpus: 0.1, mem: 128, command: "node extract.js" });
    const main = good.instances.find((i) => i.instance === "main" && i.cluster === "norcal-prod");
    expect(main).toMatchObject({ cpus: 0.5, mem: 512, env: { FROM_SERVICE_YAML: "yes" } });
  });
});

describe("2. unique instance names per cluster across types", () => {
  it("valid: the same name in two clusters is fine", () => {
    expect(oks(good)).toContain(CHECK.instanceNames("good"));
    const mains = good.instances.filter((i) => i.instance === "main").map((i) => i.cluster);
    expect(mains.sort()).toEqual(["norcal-dev", "norcal-prod"]);
  });

  it("invalid: kubernetes vs eks vs adhoc in one cluster; instance names too long once sanitised", () => {
    const report = run("instance-names");
    expect(failures(report)).toEqual([
      "adhoc-norcal-dev.yaml:4:1 a_very_long_instance_name_with_many_underscores_in_it_somewhere: instance name is 73 characters once sanitised ('_' counts 2); the limit is 63",
      'adhoc-norcal-prod.yaml:1:1 main: instance "main" is also defined in kubernetes-norcal-prod.yaml: instance names must be unique in a cluster across file types',
      'eks-norcal-prod.yaml:1:1 worker: instance "worker" is also defined in kubernetes-norcal-prod.yaml: instance names must be unique in a cluster across file types',
    ]);
    // adhoc-norcal-dev.yaml's `worker` is in another cluster than kubernetes-norcal-prod.yaml's: not reported.
    expect(failedChecks("instance-names", report)).toEqual([CHECK.instanceNames("svc")]);
  });
});

describe("3. every deploy_group is a step of deploy.yaml", () => {
  it("valid: {cluster} is filled in; steps inside `parallel` count", () => {
    expect(oks(good)).toContain(CHECK.deployGroups);
    const groups = good.instances.map((i) => i.deploy_group).sort();
    expect(groups).toEqual(["batch", "canary", "norcal-dev.everything", "norcal-prod.everything", "tools"]);
  });

  it("invalid: explicit, interpolated, default (CLUSTER.INSTANCE), Tron job and action deploy groups; unknown placeholders", () => {
    const report = run("deploy-groups");
    expect(failures(report)).toEqual([
      "kubernetes-norcal-prod.yaml:11:17 templated.deploy_group: unknown placeholder {region} (allowed: {cluster}, {instance}, {service})",
      'kubernetes-norcal-prod.yaml:3:17 main.deploy_group: deploy_group "norcal-prod.everything" is not a step of deploy.yaml\'s pipeline (steps: canary, prod)',
      'kubernetes-norcal-prod.yaml:7:1 implicit: deploy_group "norcal-prod.implicit" is not a step of deploy.yaml\'s pipeline (steps: canary, prod)',
      'tron-norcal-prod.yaml:3:17 nightly.deploy_group: action extract: deploy_group "batch" is not a step of deploy.yaml\'s pipeline (steps: canary, prod)',
      'tron-norcal-prod.yaml:18:21 listed.actions[1].deploy_group: action second: deploy_group "nowhere" is not a step of deploy.yaml\'s pipeline (steps: canary, prod)',
    ]);
    expect(failedChecks("deploy-groups", report)).toEqual([CHECK.instances, CHECK.deployGroups]);
  });

  it("invalid: deploy.yaml is missing", () => {
    const report = run("deploy-missing");
    expect(failures(report)).toEqual([
      'kubernetes-norcal-prod.yaml:3:17 main.deploy_group: deploy_group "prod" cannot be checked: deploy.yaml is missing (add it with a pipeline step "prod")',
    ]);
    expect(failedChecks("deploy-missing", report)).toEqual([CHECK.deployGroups]);
  });
});

describe("4. registrations are SERVICE.NAMESPACE", () => {
  it("valid: one dot, any service", () => {
    expect(oks(good)).toContain(CHECK.registrations);
    expect(good.instances.find((i) => i.instance === "canary")?.registrations).toEqual(["good.main"]);
  });

  it("invalid: no dot, two dots", () => {
    const report = run("registrations");
    expect(failures(report).filter((f) => f.includes("exactly one dot"))).toEqual([
      'kubernetes-norcal-prod.yaml:4:29 main.registrations[1]: registration "svc" must be SERVICE.NAMESPACE (exactly one dot)',
      'kubernetes-norcal-prod.yaml:4:34 main.registrations[2]: registration "svc.main.extra" must be SERVICE.NAMESPACE (exactly one dot)',
    ]);
    expect(failedChecks("registrations", report)).toEqual([CHECK.registrations, CHECK.registrationNamespaces]);
  });

  it("explicit registrations must name an existing namespace of an existing service", () => {
    expect(oks(good)).toContain(CHECK.registrationNamespaces);
    expect(failures(run("registrations")).filter((f) => !f.includes("exactly one dot"))).toEqual([
      'kubernetes-norcal-prod.yaml:4:19 main.registrations[0]: registration "svc.main": svc/smartstack.yaml has no namespace "main" (it has: canary)',
      'kubernetes-norcal-prod.yaml:4:50 main.registrations[3]: registration "other.ns": there is no service "other" in this soa-configs tree',
    ]);
  });
});

describe("5. min_instances <= max_instances", () => {
  it("valid: min < max, min = max, and min without max (not autoscaled)", () => {
    expect(oks(good)).toContain(CHECK.minMax);
    const report = run("min-max");
    const byName = new Map(report.instances.map((i) => [i.instance, i]));
    expect(byName.get("equal")).toMatchObject({ min_instances: 3, max_instances: 3, autoscaled: true });
    expect(byName.get("fixed")).toMatchObject({ min_instances: 5, max_instances: null, autoscaled: false });
  });

  it("invalid: min > max, located at min_instances (or at max_instances with the default min)", () => {
    const report = run("min-max");
    expect(failures(report)).toEqual([
      "kubernetes-norcal-prod.yaml:4:18 main.min_instances: min_instances (5) must not be greater than max_instances (2)",
      "kubernetes-norcal-prod.yaml:14:18 zero.max_instances: min_instances (1, the default) must not be greater than max_instances (0)",
    ]);
    expect(failedChecks("min-max", report)).toEqual([CHECK.minMax]);
  });
});

describe("6. autoscaling providers", () => {
  it("valid: cpu + active-requests; arbitrary-promql with metrics_query", () => {
    expect(oks(good)).toContain(CHECK.autoscaling);
    const main = good.instances.find((i) => i.instance === "main" && i.cluster === "norcal-prod");
    expect(main?.metrics_providers.map((p) => p.type)).toEqual(["cpu", "active-requests"]);
  });

  it("invalid: duplicate type, bespoke combined, unsupported fields, promql without query, active-requests setpoint", () => {
    const report = run("autoscaling");
    expect(failures(report)).toEqual([
      'kubernetes-norcal-prod.yaml:8:15 duplicate.autoscaling.metrics_providers[1].type: metrics provider "cpu" is set more than once',
      "kubernetes-norcal-prod.yaml:17:26 bespoke.autoscaling.metrics_providers[0].decision_policy: bespoke autoscaling cannot be combined with other metrics providers",
      'kubernetes-norcal-prod.yaml:26:24 unsupported.autoscaling.metrics_providers[0].metrics_query: metrics provider "cpu" does not support metrics_query',
      'kubernetes-norcal-prod.yaml:27:46 unsupported.autoscaling.metrics_providers[0].desired_active_requests_per_replica: metrics provider "cpu" does not support desired_active_requests_per_replica',
      'kubernetes-norcal-prod.yaml:29:22 unsupported.autoscaling.metrics_providers[1].target_type: metrics provider "active-requests" does not support target_type',
      "kubernetes-norcal-prod.yaml:36:9 promql.autoscaling.metrics_providers[0]: arbitrary-promql needs metrics_query",
      'kubernetes-norcal-prod.yaml:37:46 promql.autoscaling.metrics_providers[0].desired_active_requests_per_replica: metrics provider "arbitrary-promql" does not support desired_active_requests_per_replica',
      "kubernetes-norcal-prod.yaml:45:15 active.autoscaling.metrics_providers[0].type: active-requests does not support instances with several registrations",
      "kubernetes-norcal-prod.yaml:46:19 active.autoscaling.metrics_providers[0].setpoint: setpoint is not supported for active-requests; use desired_active_requests_per_replica",
    ]);
    // `not_autoscaled` (no max_instances) repeats cpu, but its providers are not used: not reported.
    expect(failures(report).some((l) => l.includes("not_autoscaled"))).toBe(false);
    expect(failedChecks("autoscaling", report)).toEqual([CHECK.autoscaling]);
  });
});

describe("7. smartstack", () => {
  it("valid: discover within advertise, discovery-only namespace, long name without proxy_port", () => {
    expect(oks(good)).toContain(CHECK.smartstack);
  });

  it("invalid: discover not in advertise (explicit or default), name length limits", () => {
    const report = run("smartstack");
    expect(failures(report)).toEqual([
      'smartstack.yaml:4:13 main.discover: discover "habitat" must be one of advertise (region)',
      'smartstack.yaml:7:14 default_discover.advertise: discover "region" must be one of advertise (superregion)',
      "smartstack.yaml:8:1 this_namespace_name_is_long_enough_to_break_the_proxy_limit: service and namespace names are 62 characters together; with a proxy_port the limit is 55",
      "smartstack.yaml:12:1 this_namespace_name_is_so_long_that_even_without_any_proxy_port_it_goes_over_the_limit_of_one_hundred_and_eighteen_chars: service and namespace names are 123 characters together; the limit is 118",
    ]);
    expect(failedChecks("smartstack", report)).toEqual([CHECK.smartstack]);
  });

  it("invalid: proxy_port outside 19000–21000 (schema)", () => {
    expect(failures(run("schema-smartstack"))).toContain(
      "smartstack.yaml:2:15 main.proxy_port: must be >= 19000 (got 18000)",
    );
  });

  it("valid: distinct proxy ports across the tree", () => {
    for (const report of validTree.reports) expect(oks(report)).toContain(CHECK.proxyPorts);
    const gamma = validateTree(tree("proxy-ports")).reports.find((r) => r.service === "gamma") as ServiceReport;
    expect(gamma.problems).toEqual([]);
    expect(oks(gamma)).toContain(CHECK.proxyPorts);
  });

  it("invalid: a proxy_port used by two services is reported in both (whole tree)", () => {
    const result = validateTree(tree("proxy-ports"));
    expect(result.problems).toBe(2);
    expect(result.reports.flatMap(failures)).toEqual([
      "alpha/smartstack.yaml:2:15 main.proxy_port: proxy_port 20301 is also used by beta.copy: proxy ports must be unique across the tree",
      "beta/smartstack.yaml:4:15 copy.proxy_port: proxy_port 20301 is also used by alpha.main: proxy ports must be unique across the tree",
    ]);
  });

  it("invalid: one service validated against the rest of the tree", () => {
    const report = run("proxy-ports", "beta", { proxyPorts: proxyPortsOfTree(tree("proxy-ports")) });
    expect(failures(report)).toEqual([
      "smartstack.yaml:4:15 copy.proxy_port: proxy_port 20301 is also used by alpha.main: proxy ports must be unique across the tree",
    ]);
    expect(oks(report)).not.toContain(CHECK.proxyPorts);
    // Without the tree's ports (the programmatic default), the check is not run.
    expect(oks(run("proxy-ports", "beta"))).not.toContain(CHECK.proxyPorts);
    expect(run("proxy-ports", "beta").problems).toEqual([]);
  });
});

describe("8. tron", () => {
  it("valid: cron, daily with days, interval, {type: cron, value}, list-form actions, ssh without deploy_group", () => {
    expect(oks(good)).toContain(CHECK.tron);
    expect(good.jobs.map((j) => `${j.name} ${j.schedule.type} ${j.schedule.value}`)).toEqual([
      "nightly cron 0 4 * * *",
      "weekdays daily 04:30:00 MTWRF",
      "frequent interval 10m",
      "typed cron 30 2 * * 1",
      "remote daily ",
    ]);
  });

  it("valid: every accepted schedule form parses", () => {
    const report = run("tron-schedules");
    const ok = ["cron_ok", "daily_ok", "daily_short", "interval_ok", "typed_ok", "start_time_ok", "groc_ok"];
    for (const name of ok) expect(failures(report).some((l) => l.includes(`${name}.`))).toBe(false);
    const jobs = new Map(report.jobs.map((j) => [j.name, j.schedule]));
    expect(jobs.get("start_time_ok")).toEqual({ type: "daily", value: "05:00:00" });
    expect(jobs.get("groc_ok")).toEqual({ type: "other", value: "groc daily every day at 04:00" });
  });

  it("invalid: schedules", () => {
    const report = run("tron-schedules");
    expect(failures(report)).toEqual([
      "tron-norcal-prod.yaml:60:13 number.schedule: must be a string or a mapping (got 5)",
      'tron-norcal-prod.yaml:33:13 cron_fields.schedule: cron schedule "0 4 * *" must have 5 fields (minute hour day-of-month month day-of-week)',
      'tron-norcal-prod.yaml:36:13 cron_range.schedule: invalid cron schedule "61 4 * * *": CronPattern: Invalid value for minute: 61',
      "tron-norcal-prod.yaml:39:13 daily_time.schedule: invalid daily time \"25:00:00\": use HH:MM:SS (24-hour), e.g. 'daily 04:00:00'",
      "tron-norcal-prod.yaml:42:13 daily_days.schedule: invalid daily days \"MXF\": use letters of MTWRFSU, e.g. 'daily 04:00:00 MWF'",
      "tron-norcal-prod.yaml:45:13 interval_unit.schedule: invalid interval \"10 parsecs\": use a number and a unit, e.g. 'interval 10m' or 'interval 2 hours'",
      'tron-norcal-prod.yaml:48:13 unknown_type.schedule: unknown schedule type "weekly" (allowed: cron, daily, interval, groc daily)',
      "tron-norcal-prod.yaml:52:5 typed_bad.schedule: a mapping schedule needs `type` (cron, daily or interval) and `value`",
      'tron-norcal-prod.yaml:56:5 typed_unknown.schedule: unknown schedule type "monthly" (allowed: cron, daily, interval, groc daily)',
    ]);
    expect(failedChecks("tron-schedules", report)).toEqual([CHECK.schema("tron-norcal-prod.yaml"), CHECK.instances]);
  });

  it("invalid: unknown time_zone", () => {
    const report = run("tron-time-zone");
    expect(failures(report)).toEqual([
      "tron-norcal-prod.yaml:3:14 nightly.time_zone: unknown time zone \"Mars/Olympus_Mons\": use an IANA time zone name, e.g. 'UTC' or 'America/Los_Angeles'",
    ]);
    expect(failedChecks("tron-time-zone", report)).toEqual([CHECK.instances]);
  });

  it("invalid: requires names a missing action, cycles, actions without deploy_group", () => {
    const report = run("tron-dag");
    expect(failures(report)).toEqual([
      'tron-norcal-prod.yaml:36:7 no_deploy_group.actions.compute.deploy_group: action "compute" needs a deploy_group (on the action or its job) to run with the paasta executor',
      "tron-norcal-prod.yaml:42:17 bad_placeholder.deploy_group: unknown placeholder {env} (allowed: {cluster}, {instance}, {service})",
      'tron-norcal-prod.yaml:53:5 cleanup_without_deploy_group.cleanup_action.deploy_group: action "cleanup" needs a deploy_group (on the action or its job) to run with the paasta executor',
      'tron-norcal-prod.yaml:9:17 missing_requirement.actions.load.requires: action load requires "transform", which is not an action of job missing_requirement (actions: extract, load)',
      "tron-norcal-prod.yaml:13:3 cycle.actions: actions form a cycle: a -> c -> b -> a",
      'tron-norcal-prod.yaml:31:17 list_form.actions[1].requires: action second requires "frist", which is not an action of job list_form (actions: first, second)',
    ]);
    // The ssh action of no_deploy_group needs no deploy_group.
    expect(failures(report).some((l) => l.includes("remote"))).toBe(false);
    expect(failedChecks("tron-dag", report)).toEqual([CHECK.instances, CHECK.tron]);
  });
});

describe("9. monitoring.yaml beside service.yaml", () => {
  it("valid", () => {
    expect(oks(good)).toContain(CHECK.monitoring);
  });

  it("invalid: missing", () => {
    const report = run("monitoring-missing");
    expect(failures(report)).toEqual([
      "monitoring.yaml: file is missing: every service with a service.yaml needs a monitoring.yaml (with at least `team:`)",
    ]);
    expect(failedChecks("monitoring-missing", report)).toEqual([CHECK.monitoring]);
  });
});

describe("10. SECRET() / SHARED_SECRET() references have a ciphertext for the cluster's secret environment", () => {
  it("valid: SECRET in env and secret_volumes, SHARED_SECRET, in instances and Tron actions", () => {
    expect(oks(good)).toContain(CHECK.secrets);
    const main = good.instances.find((i) => i.instance === "main" && i.cluster === "norcal-prod");
    expect(main?.env).toMatchObject({ DB_PASSWORD: "SECRET(db_password)", API_TOKEN: "SHARED_SECRET(api_token)" });
  });

  const missing = [
    "kubernetes-norcal-prod.yaml:7:14 main.env.MISSING: SECRET(missing) refers to a secret with no file svc/secrets/missing.json (create it with `paasta secret add`)",
    "kubernetes-norcal-prod.yaml:8:21 main.env.SHARED_MISSING: SHARED_SECRET(shared_missing) refers to a secret with no file _shared/secrets/shared_missing.json (create it with `paasta secret add`)",
    "kubernetes-norcal-prod.yaml:16:20 main.secret_volumes[1].secret_name: SECRET(absent) refers to a secret with no file svc/secrets/absent.json (create it with `paasta secret add`)",
    "tron-norcal-prod.yaml:8:16 nightly.actions.extract.env.TOKEN: SECRET(tron_token) refers to a secret with no file svc/secrets/tron_token.json (create it with `paasta secret add`)",
    "tron-norcal-prod.yaml:19:14 listed.actions[1].env.KEY: SHARED_SECRET(listed_key) refers to a secret with no file _shared/secrets/listed_key.json (create it with `paasta secret add`)",
  ];
  const broken =
    'kubernetes-norcal-prod.yaml:11:13 main.env.BROKEN: SECRET(broken): svc/secrets/broken.json: environments.norcal-prod.ciphertext: Invalid input: expected string, received undefined (expected {"environments": {ENV: {"ciphertext": …}}})';
  const noCiphertext = (name: string, line: string, env: string) =>
    `kubernetes-norcal-prod.yaml:${line} SECRET(${name}) has no ciphertext for secret environment ${env} (cluster norcal-prod) in svc/secrets/${name}.json (add it with \`paasta secret update -s svc -n ${name} -c norcal-prod\`)`;

  it("invalid: missing files, a malformed file, no ciphertext for the cluster's environment (its name by default)", () => {
    const report = run("secrets");
    expect(failures(report)).toEqual([
      missing[0],
      missing[1],
      noCiphertext("elsewhere", "10:16 main.env.ELSEWHERE:", "norcal-prod"),
      broken,
      ...missing.slice(2),
    ]);
    expect(failedChecks("secrets", report)).toEqual([CHECK.secrets]);
  });

  it("invalid: vault_cluster_map maps the cluster to another environment (PaaSTA's check)", async () => {
    const { SystemConfig } = await import("../../src/config/system.js");
    const system = new SystemConfig({ vault_cluster_map: { "norcal-prod": "devc" } }, FIXTURES);
    const report = run("secrets", "svc", { system });
    const lines = failures(report);
    // elsewhere.json has a devc ciphertext: fine now; present.json and shared_present.json only have norcal-prod.
    expect(lines.filter((l) => l.includes("ELSEWHERE"))).toEqual([]);
    expect(lines).toContain(
      "kubernetes-norcal-prod.yaml:5:14 main.env.PRESENT: SECRET(present) has no ciphertext for secret environment devc (cluster norcal-prod) in svc/secrets/present.json (add it with `paasta secret update -s svc -n present -c norcal-prod`)",
    );
    expect(lines).toContain(
      "kubernetes-norcal-prod.yaml:6:21 main.env.SHARED_PRESENT: SHARED_SECRET(shared_present) has no ciphertext for secret environment devc (cluster norcal-prod) in _shared/secrets/shared_present.json (add it with `paasta secret update --shared -n shared_present -c norcal-prod`)",
    );
    expect(lines).toContain(
      "kubernetes-norcal-prod.yaml:14:20 main.secret_volumes[0].secret_name: SECRET(present) has no ciphertext for secret environment devc (cluster norcal-prod) in svc/secrets/present.json (add it with `paasta secret update -s svc -n present -c norcal-prod`)",
    );
  });
});

describe("11. service names", () => {
  it("valid", () => {
    expect(oks(good)).toContain(CHECK.serviceName("good"));
  });

  it("invalid: bad characters (one service, and in a whole tree)", () => {
    const message =
      "service name \"Bad.Name\" must use lowercase letters, digits, '_' and '-', and start and end with a letter or digit";
    const report = run("service-name", "Bad.Name");
    expect(failures(report)).toEqual([`Bad.Name/: ${message}`]);
    expect(failedChecks("service-name", report)).toEqual([CHECK.serviceName("Bad.Name")]);
    const inTree = validateTree(tree("service-name")).reports.find((r) => r.service === "Bad.Name") as ServiceReport;
    expect(failures(inTree)).toEqual([`Bad.Name/: ${message}`]);
  });

  it("invalid: longer than 63 characters once sanitised ('_' → '--')", () => {
    const name = "a_service_name_with_many_underscores_is_sanitised_to_be_too_long";
    expect(name.length).toBe(64);
    const report = run("service-name", name);
    expect(failures(report)).toEqual([
      `${name}/: service name "${name}" is too long: 75 characters once sanitised ('_' counts 2); the limit is 63`,
    ]);
    expect(failedChecks("service-name", report)).toEqual([CHECK.serviceName(name)]);
  });
});

describe("12. keys that go (or do not go) together", () => {
  it("valid: args without cmd, healthcheck_cmd, full http drain params, iam_role alone, fs_group with its policy", () => {
    const main = good.instances.find((i) => i.instance === "main" && i.cluster === "norcal-prod");
    expect(main).toMatchObject({ cmd: "node server.js", drain_method: "http" });
    expect(main?.healthcheck).toMatchObject({ mode: "cmd", cmd: "/app/bin/healthy" });
    const canary = good.instances.find((i) => i.instance === "canary");
    expect(canary).toMatchObject({ cmd: null, args: ["--canary"] });
    expect(oks(good)).toContain(CHECK.schema("good/kubernetes-norcal-prod.yaml"));
  });

  it("invalid: cmd+args, healthcheck_mode cmd alone, http drain without params, iam_role+service_account_name, fs_group_change_policy alone", () => {
    const report = run("cross-keys");
    expect(failures(report)).toEqual([
      "adhoc-norcal-prod.yaml:4:3 shell.args: not allowed together with cmd: use cmd alone, or args with the image's entrypoint",
      "kubernetes-norcal-prod.yaml:4:3 both.args: not allowed together with cmd: use cmd alone, or args with the image's entrypoint",
      'kubernetes-norcal-prod.yaml:7:21 cmd_mode.healthcheck_mode: healthcheck_mode "cmd" needs healthcheck_cmd (the command to run)',
      'kubernetes-norcal-prod.yaml:10:17 http_drain.drain_method: drain_method "http" needs drain_method_params.stop_draining, drain_method_params.is_draining, drain_method_params.is_safe_to_kill',
      "kubernetes-norcal-prod.yaml:16:3 identity.service_account_name: not allowed together with iam_role (iam_role creates its own service account)",
      "kubernetes-norcal-prod.yaml:19:3 fs_policy.fs_group_change_policy: needs fs_group",
      "tron-norcal-prod.yaml:8:7 nightly.actions.run.service_account_name: not allowed together with iam_role (iam_role creates its own service account)",
    ]);
    expect(failedChecks("cross-keys", report)).toEqual([
      CHECK.schema("adhoc-norcal-prod.yaml"),
      CHECK.schema("kubernetes-norcal-prod.yaml"),
      CHECK.schema("tron-norcal-prod.yaml"),
    ]);
  });
});

describe("13. -v: upcoming Tron runs", () => {
  const now = new Date("2025-03-07T12:00:00Z"); // a Friday

  function infoLines(report: ServiceReport): string[] {
    return report.lines.flatMap((l) => (l.kind === "info" ? [l.text] : []));
  }

  it("prints the next five runs of every job, in its time zone, after the ✓ lines", () => {
    const report = run("valid", "good", { verbose: true, now });
    expect(infoLines(report)).toEqual([
      "Upcoming runs for nightly (norcal-prod, UTC):",
      "\t2025-03-08T04:00:00.000Z",
      "\t2025-03-09T04:00:00.000Z",
      "\t2025-03-10T04:00:00.000Z",
      "\t2025-03-11T04:00:00.000Z",
      "\t2025-03-12T04:00:00.000Z",
      "Upcoming runs for weekdays (norcal-prod, UTC):",
      "\t2025-03-10T04:30:00.000Z",
      "\t2025-03-11T04:30:00.000Z",
      "\t2025-03-12T04:30:00.000Z",
      "\t2025-03-13T04:30:00.000Z",
      "\t2025-03-14T04:30:00.000Z",
      "Upcoming runs for frequent (norcal-prod, UTC):",
      "\t2025-03-07T12:10:00.000Z",
      "\t2025-03-07T12:20:00.000Z",
      "\t2025-03-07T12:30:00.000Z",
      "\t2025-03-07T12:40:00.000Z",
      "\t2025-03-07T12:50:00.000Z",
      // 02:30 on Mondays in Los Angeles: PDT (UTC-7) from 9 March 2025.
      "Upcoming runs for typed (norcal-prod, America/Los_Angeles):",
      "\t2025-03-10T09:30:00.000Z",
      "\t2025-03-17T09:30:00.000Z",
      "\t2025-03-24T09:30:00.000Z",
      "\t2025-03-31T09:30:00.000Z",
      "\t2025-04-07T09:30:00.000Z",
      "Upcoming runs for remote (norcal-prod, UTC):",
      "\t2025-03-08T00:00:00.000Z",
      "\t2025-03-09T00:00:00.000Z",
      "\t2025-03-10T00:00:00.000Z",
      "\t2025-03-11T00:00:00.000Z",
      "\t2025-03-12T00:00:00.000Z",
    ]);
    const firstInfo = report.lines.findIndex((l) => l.kind === "info");
    expect(report.lines.slice(firstInfo).every((l) => l.kind === "info")).toBe(true);
  });

  it("is silent without -v", () => {
    expect(infoLines(run("valid", "good", { now }))).toEqual([]);
  });

  it("says when runs cannot be computed (groc schedules, unknown time zones)", () => {
    const groc = run("tron-schedules", "svc", { verbose: true, now });
    expect(infoLines(groc)).toContain(
      'Upcoming runs for groc_ok (norcal-prod): not computed for "groc daily every day at 04:00"',
    );
    expect(infoLines(groc)).toContain(
      'Upcoming runs for typed_bad (norcal-prod): not computed for "{"value":"0 3 * * *"}"',
    );
    const tz = run("tron-time-zone", "svc", { verbose: true, now });
    expect(infoLines(tz)).toEqual([
      'Upcoming runs for nightly (norcal-prod): not computed for time zone "Mars/Olympus_Mons"',
    ]);
  });
});
