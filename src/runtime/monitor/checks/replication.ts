/**
 * PaaSTA's replication check (reference §8.1, path B "pod check"): available replicas (healthy tasks locally,
 * Ready pods on Kubernetes — what `status` reports as ready) against the expected count; CRITICAL under
 * `replication_threshold` %. The mesh path (the proxy's view per location) comes with discovery.
 */
import { DEFAULTS } from "../../../config/resolve/defaults.js";
import type { ResolvedInstanceConfig } from "../../../config/types.js";
import type { InstanceStatus } from "../../../model/status.js";
import { type MonitoringEvent, monitoringEvent } from "../event.js";

/** PaaSTA's get_instances(): the fixed count, or the live replica count clamped to the autoscaling bounds. */
export function expectedInstances(config: ResolvedInstanceConfig, status: InstanceStatus): number {
  if (!config.autoscaled) return config.instances;
  const max = config.max_instances ?? Number.POSITIVE_INFINITY;
  return Math.min(Math.max(status.desired_instances, config.min_instances), max);
}

export function replicationAlertAfter(config: ResolvedInstanceConfig): string {
  return !config.autoscaled && config.instances === 1
    ? DEFAULTS.replication_alert_after_single
    : DEFAULTS.replication_alert_after;
}

function description(service: string, instance: string, cluster: string): string {
  const ref = `-s ${service} -i ${instance} -c ${cluster}`;
  return [
    `This alert means that ${service}.${instance} has fewer healthy replicas than it should on ${cluster}.`,
    `Causes: replicas failing their health checks or crashing (see \`paasta logs ${ref}\`),`,
    "a bounce to a version that never becomes healthy, or not enough capacity to place them.",
    `What to do: \`paasta status ${ref} -vv\` shows each replica and why it is not healthy; roll back with`,
    `\`paasta rollback\`, or add capacity / instances.`,
  ].join("\n");
}

export function replicationCheck(
  config: ResolvedInstanceConfig,
  status: InstanceStatus,
  cluster: string,
): MonitoringEvent | undefined {
  const { service, instance } = config;
  const base = {
    check: "replication" as const,
    name: `check_paasta_services_replication.${service}.${instance}`,
    service,
    instance,
    cluster,
    defaults: {
      runbook: DEFAULTS.replication_runbook,
      tip: `Check the instance with: paasta status -s ${service} -i ${instance} -c ${cluster} -vv`,
      alert_after: replicationAlertAfter(config),
      description: description(service, instance, cluster),
    },
  };
  if (status.desired_state === "stop") {
    return monitoringEvent(config.monitoring, { ...base, status: 0, output: `${service}.${instance} is stopped` });
  }
  const expected = expectedInstances(config, status);
  const available = status.versions.reduce((n, v) => n + v.ready_replicas, 0);
  const threshold = config.replication_threshold;
  const ratio = expected === 0 ? 100 : (available / expected) * 100;
  const critical = ratio < threshold;
  const lines = [`${service}.${instance} has ${available}/${expected} replicas available (threshold: ${threshold}%)`];
  if (critical && status.deploy_status_message) lines.push(status.deploy_status_message);
  return monitoringEvent(config.monitoring, { ...base, status: critical ? 2 : 0, output: lines.join("\n") });
}
