#!/usr/bin/env node
// bench/validate: `paasta validate --all` over a generated 1,000-service tree (each service like the
// examples: service/monitoring/deploy/smartstack.yaml, kubernetes-CLUSTER.yaml for 3 clusters, an adhoc and a
// tron file). One process, the real CLI. Prints JSON; target ≤ 3 s (issue 2).
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const SERVICES = Number(process.env.BENCH_SERVICES ?? 1000);
const CLUSTERS = ["dev", "stage", "prod"];
const root = mkdtempSync(join(tmpdir(), "paasta-bench-validate-"));
const soa = join(root, "soa-configs");

function write(dir, name, text) {
  writeFileSync(join(dir, name), text);
}

for (let i = 0; i < SERVICES; i++) {
  const svc = `service-${String(i).padStart(4, "0")}`;
  const dir = join(soa, svc);
  mkdirSync(dir, { recursive: true });
  write(
    dir,
    "service.yaml",
    `description: Service ${i}\nexternal_link: https://example.org/${svc}\ngit_url: https://git.example.org/${svc}.git\n`,
  );
  write(dir, "monitoring.yaml", "team: platform\npage: false\nrunbook: https://example.org/runbook\n");
  write(
    dir,
    "deploy.yaml",
    `pipeline:\n  - step: itest\n  - step: push-to-registry\n  - step: canary\n${CLUSTERS.map((c) => `  - step: ${c}.everything\n`).join("")}`,
  );
  write(dir, "smartstack.yaml", `main:\n  proxy_port: ${19000 + (i % 2000)}\n  timeout_server_ms: 2000\n`);
  for (const c of CLUSTERS) {
    write(
      dir,
      `kubernetes-${c}.yaml`,
      `_web: &web\n  cmd: node server.js\n  cpus: 0.5\n  mem: 512\n  healthcheck_mode: http\n  env:\n    A: b\n\nmain:\n  <<: *web\n  instances: 3\n  deploy_group: "{cluster}.everything"\n\ncanary:\n  <<: *web\n  instances: 1\n  deploy_group: canary\n  registrations: [${svc}.main]\n\nworker:\n  cmd: node worker.js\n  min_instances: 1\n  max_instances: 5\n  deploy_group: ${c}.everything\n  autoscaling:\n    metrics_providers:\n      - type: cpu\n        setpoint: 0.7\n`,
    );
  }
  write(dir, "adhoc-dev.yaml", "shell:\n  cmd: sh\n  deploy_group: dev.everything\n");
  write(
    dir,
    "tron-prod.yaml",
    "nightly:\n  schedule: daily 04:00:00\n  deploy_group: prod.everything\n  actions:\n    a:\n      command: run a\n    b:\n      command: run b\n      requires: [a]\n",
  );
}

const bin = new URL("../bin/paasta.js", import.meta.url).pathname;
const t0 = process.hrtime.bigint();
const r = spawnSync(process.execPath, [bin, "validate", "--all", "-y", soa], { encoding: "utf8", maxBuffer: 1 << 28 });
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
rmSync(root, { recursive: true, force: true });
const lines = r.stdout.trim().split("\n");
const result = {
  bench: "validate",
  services: SERVICES,
  files: SERVICES * (5 + CLUSTERS.length + 1),
  seconds: Number(seconds.toFixed(3)),
  target_seconds: 3,
  ratio_to_target: Number((seconds / 3).toFixed(3)),
  exit_code: r.status,
  last_line: lines[lines.length - 1],
};
console.log(JSON.stringify(result));
if (r.status !== 0) {
  console.error(r.stderr || lines.slice(-20).join("\n"));
  process.exit(1);
}
