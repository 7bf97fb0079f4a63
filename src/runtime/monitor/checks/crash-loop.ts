/**
 * Crash loop: the running version's replicas keep failing (exits, or health checks that kill them) and it is
 * not fully healthy. Restarts come from each task (Kubernetes' restartCount, the local runtime's failed tasks
 * of the version) or the version's remembered failures (the local runtime between two restarts, when no task
 * of it is alive). The output carries the last exit code and reason.
 */
import { DEFAULTS } from "../../../config/resolve/defaults.js";
import type { ResolvedInstanceConfig } from "../../../config/types.js";
import type { InstanceStatus, TaskStatus } from "../../../model/status.js";
import { type MonitoringEvent, monitoringEvent } from "../event.js";

function lastProblem(tasks: readonly TaskStatus[], failures: InstanceStatus["versions"][number]["failures"]) {
  const worst = [...tasks].filter((t) => !t.healthy).sort((a, b) => b.restarts - a.restarts)[0];
  const exit = failures?.last_exit_code ?? worst?.last_exit_code ?? null;
  const reason = worst?.reason ?? failures?.last_reason ?? null;
  return { exit, reason, task: worst?.id ?? null };
}

export function crashLoopCheck(
  config: ResolvedInstanceConfig,
  status: InstanceStatus,
  cluster: string,
  threshold: number = DEFAULTS.crash_loop_restarts,
): MonitoringEvent | undefined {
  const { service, instance } = config;
  const current = status.versions.find((v) => v.desired);
  const restarts = Math.max(0, ...(current?.tasks ?? []).map((t) => t.restarts), current?.failures?.count ?? 0);
  const wanted = status.desired_state === "start" ? status.desired_instances : 0;
  const looping = current !== undefined && wanted > 0 && restarts >= threshold && current.ready_replicas < wanted;
  let output = `${service}.${instance} is not crash looping (${restarts} restart(s) of the running version)`;
  if (looping) {
    const p = lastProblem(current.tasks, current.failures);
    const parts = [
      `${service}.${instance} is crash looping: ${restarts} restart(s) of version ${current.git_sha.slice(0, 8)} (${current.config_hash}), ${current.ready_replicas}/${wanted} healthy`,
      `last exit code: ${p.exit ?? "unknown"}${p.reason ? `; reason: ${p.reason}` : ""}${p.task ? ` (task ${p.task})` : ""}`,
    ];
    output = parts.join("\n");
  }
  return monitoringEvent(config.monitoring, {
    check: "crash_loop",
    name: `check_paasta_crash_loop.${service}.${instance}`,
    service,
    instance,
    cluster,
    status: looping ? 2 : 0,
    output,
    defaults: {
      tip: `See why with: paasta logs -s ${service} -i ${instance} -c ${cluster}; paasta status -s ${service} -i ${instance} -c ${cluster} -vv`,
    },
  });
}
