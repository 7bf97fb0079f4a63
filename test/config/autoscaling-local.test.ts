/**
 * `paasta validate` on clusters of the local backend: autoscaling providers the local autoscaler has no source
 * for are accepted, with a warning naming the instance, the cluster and the provider; nothing is said for
 * cpu/memory/active-requests, for bespoke autoscaling, or on Kubernetes clusters.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SystemConfig } from "../../src/config/system.js";
import { validateService } from "../../src/config/validate.js";
import { tempDir } from "../helpers/paths.js";

const INSTANCES = `uw:
  cmd: run
  min_instances: 1
  max_instances: 3
  deploy_group: dev.all
  autoscaling:
    metrics_providers:
      - type: uwsgi
cpu:
  cmd: run
  min_instances: 1
  max_instances: 3
  deploy_group: dev.all
bespoke:
  cmd: run
  min_instances: 1
  max_instances: 3
  deploy_group: dev.all
  autoscaling:
    metrics_providers:
      - type: uwsgi
        decision_policy: bespoke
`;

function tree(): string {
  const soa = join(tempDir("paasta-validate-local-as-"), "soa");
  mkdirSync(join(soa, "web"), { recursive: true });
  writeFileSync(join(soa, "web/service.yaml"), "description: web\nexternal_link: https://example.org\n");
  writeFileSync(join(soa, "web/monitoring.yaml"), "team: t\n");
  writeFileSync(join(soa, "web/deploy.yaml"), "pipeline:\n  - step: dev.all\n  - step: prod.all\n");
  writeFileSync(join(soa, "web/kubernetes-dev.yaml"), INSTANCES);
  writeFileSync(join(soa, "web/kubernetes-prod.yaml"), INSTANCES.replaceAll("dev.all", "prod.all"));
  return soa;
}

describe("validate: autoscaling on the local backend", () => {
  it("warns for providers without a local source, only on local clusters", () => {
    const system = new SystemConfig(
      {
        clusters: ["dev", "prod"],
        cluster_backends: {
          dev: { type: "local", executor: "process", state_dir: "/tmp/x" },
          prod: { type: "kubernetes" },
        },
      },
      "/etc/paasta",
    );
    const report = validateService(tree(), "web", { system });
    const warnings = report.lines.filter((l) => l.kind === "warn").map((l) => (l as { text: string }).text);
    expect(warnings.filter((w) => /local backend/.test(w))).toEqual([
      'uw (cluster dev): metrics provider "uwsgi" is not available on the local backend: it is reported, and does not scale the instance there',
    ]);
    expect(report.problems).toEqual([]);
  });
});
