/**
 * Resolved configs and statuses for the monitor's pure tests: configs come from a real soa-configs tree
 * through the real resolver; statuses are built by value (the shape backends return).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadServiceDir } from "../../src/config/file-check.js";
import { formatProblem } from "../../src/config/problem.js";
import { resolveInstance } from "../../src/config/resolve/index.js";
import { loadSystemConfig } from "../../src/config/system.js";
import type { ResolvedInstanceConfig } from "../../src/config/types.js";
import type { InstanceStatus, TaskStatus, VersionStatus } from "../../src/model/status.js";
import { tempDir } from "../helpers/cli.js";

export function configOf(files: Record<string, string>, instance = "main"): ResolvedInstanceConfig {
  const root = tempDir("paasta-monitor-");
  mkdirSync(join(root, "soa", "svc"), { recursive: true });
  mkdirSync(join(root, "etc"));
  writeFileSync(join(root, "etc", "paasta.json"), JSON.stringify({ cluster: "c1" }));
  for (const [f, text] of Object.entries({
    "service.yaml": "description: d\nexternal_link: https://example.org\n",
    ...files,
  }))
    writeFileSync(join(root, "soa", "svc", f), text);
  const r = resolveInstance(
    loadServiceDir(join(root, "soa"), "svc"),
    loadSystemConfig(join(root, "etc")),
    "c1",
    instance,
    "kubernetes",
  );
  if (!r.ok) throw new Error(r.problems.map(formatProblem).join("; "));
  return r.config;
}

export function task(o: Partial<TaskStatus> = {}): TaskStatus {
  return {
    id: "main-abc",
    host: "127.0.0.1",
    port: 1,
    state: "healthy",
    healthy: true,
    restarts: 0,
    started_at: null,
    last_exit_code: null,
    reason: null,
    ...o,
  };
}

export function version(o: Partial<VersionStatus> = {}): VersionStatus {
  const tasks = o.tasks ?? [];
  return {
    git_sha: "aaaaaaaa11111111",
    image_version: null,
    config_hash: "config1",
    desired: true,
    replicas: tasks.length,
    ready_replicas: tasks.filter((t) => t.healthy).length,
    tasks,
    ...o,
  };
}

export function status(versions: VersionStatus[], o: Partial<InstanceStatus> = {}): InstanceStatus {
  return {
    service: "svc",
    instance: "main",
    cluster: "c1",
    desired_state: "start",
    desired_instances: 2,
    bounce_method: "crossover",
    deploy_status: "Running",
    deploy_status_message: null,
    versions,
    error_message: null,
    ...o,
  };
}
