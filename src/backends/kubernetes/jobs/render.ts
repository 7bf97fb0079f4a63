/**
 * batch/v1 Jobs for batch work (pure): a run's record (a suspended Job that never starts a pod, its annotations
 * the run's record), an action attempt (the pod of the action's instance config, `restartPolicy: Never`,
 * `backoffLimit: 0` — retries are the scheduler's, `retries_delay` apart — and the action's max_runtime as
 * `activeDeadlineSeconds`), a one-off run.
 */

import { batchApp } from "../../../model/jobs/app.js";
import type { RunRecord } from "../../../model/jobs/records.js";
import type { LaunchSpec, OneOffSpec } from "../../batch.js";
import { podTemplate } from "../render/pod.js";
import type { Json, KubeObject } from "../render/types.js";
import { A, attemptJobName, batchLabels, KIND_ATTEMPT, KIND_ONE_OFF, KIND_RUN, runJobName } from "./names.js";

function job(
  name: string,
  namespace: string,
  labels: Record<string, string>,
  annotations: Record<string, string>,
  spec: Json,
): KubeObject {
  return { apiVersion: "batch/v1", kind: "Job", metadata: { name, namespace, labels, annotations }, spec };
}

export function renderRunRecord(run: Omit<RunRecord, "created_at">, cluster: string, namespace: string): KubeObject {
  const labels = batchLabels(KIND_RUN, cluster, {
    service: run.service,
    job: run.job,
    run: run.run,
    instance: run.job,
  });
  return job(
    runJobName(run.service, run.job, run.run),
    namespace,
    labels,
    {
      [A.service]: run.service,
      [A.job]: run.job,
      [A.scheduledAt]: new Date(run.scheduled_at).toISOString(),
      [A.manual]: String(run.manual),
      [A.state]: run.state,
      [A.reason]: run.reason ?? "",
      [A.versions]: JSON.stringify(run.versions),
      [A.dag]: JSON.stringify(run.dag),
      [A.cleanup]: run.cleanup ?? "",
      [A.reported]: String(run.reported),
    },
    {
      suspend: true,
      backoffLimit: 0,
      template: {
        metadata: { labels },
        spec: { restartPolicy: "Never", containers: [{ name: "record", image: "paasta/run-record:none" }] },
      },
    },
  );
}

/** The pod template of a batch launch: the instance's pod, never restarted, PAASTA_INSTANCE_TYPE as given. */
function batchPod(
  spec: { config: LaunchSpec["config"]; version: NonNullable<LaunchSpec["version"]> },
  type: string,
  labels: Record<string, string>,
): Json {
  const t = podTemplate(batchApp(spec.config, spec.version)) as { metadata: Json; spec: Json };
  const containers = (t.spec.containers as Json[]).map((c) => ({
    ...c,
    // JOB.ACTION: a container name has no dots.
    name: String(c.name).replace(/[^a-z0-9-]/g, "-"),
    env: (c.env as Json[]).map((e) => (e.name === "PAASTA_INSTANCE_TYPE" ? { ...e, value: type } : e)),
    ports: undefined,
  }));
  return {
    metadata: { ...t.metadata, labels: { ...(t.metadata.labels as Record<string, string>), ...labels } },
    spec: { ...t.spec, containers, restartPolicy: "Never", shareProcessNamespace: undefined },
  };
}

export function renderAttempt(spec: LaunchSpec & { version: NonNullable<LaunchSpec["version"]> }): KubeObject {
  const labels = batchLabels(KIND_ATTEMPT, spec.cluster, {
    service: spec.service,
    job: spec.job,
    run: spec.run,
    action: spec.action,
    attempt: spec.attempt,
    instance: `${spec.job}.${spec.action}`,
  });
  const body: Json = { backoffLimit: 0, template: batchPod(spec, "tron", labels) };
  if (spec.maxRuntimeSeconds !== null) body.activeDeadlineSeconds = Math.max(1, Math.round(spec.maxRuntimeSeconds));
  return job(
    attemptJobName(spec.service, spec.job, spec.run, spec.action, spec.attempt),
    spec.config.namespace,
    labels,
    {
      [A.service]: spec.service,
      [A.job]: spec.job,
      [A.action]: spec.action,
      [A.manual]: String(spec.manual),
      [A.command]: spec.command,
    },
    body,
  );
}

export function renderOneOff(spec: OneOffSpec, name: string, command: string): KubeObject {
  const labels = batchLabels(KIND_ONE_OFF, spec.cluster, { service: spec.service, instance: spec.instance });
  const config = { ...spec.config, cmd: command, args: [] };
  return job(
    name,
    spec.config.namespace,
    labels,
    { [A.service]: spec.service, [A.instance]: spec.instance, [A.user]: spec.user, [A.command]: command },
    {
      backoffLimit: 0,
      activeDeadlineSeconds: spec.maxDurationSeconds,
      template: batchPod({ config, version: spec.version }, spec.config.type, labels),
    },
  );
}
