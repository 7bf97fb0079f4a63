/**
 * The environment of a task, as PaaSTA injects it (reference §1.5): PAASTA_* variables, then the instance's
 * `env` (which wins), then the runtime's own bookkeeping variables (which must not be overridden).
 */
import type { DesiredApp } from "../../reconcile/desired.js";

/** Variables of the runtime's environment that tasks of the process executor inherit. */
const INHERITED = ["PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "USER", "SHELL"];

export function paastaEnv(app: DesiredApp, port: number | null): Record<string, string> {
  const c = app.config;
  const env: Record<string, string> = {
    PAASTA_SERVICE: app.service,
    PAASTA_INSTANCE: app.instance,
    PAASTA_CLUSTER: app.cluster,
    PAASTA_DEPLOY_GROUP: c.deploy_group,
    PAASTA_DOCKER_IMAGE: app.docker_image,
    PAASTA_GIT_SHA: app.git_sha.slice(0, 8),
    PAASTA_INSTANCE_TYPE: c.type,
    PAASTA_RESOURCE_CPUS: String(c.cpus),
    PAASTA_RESOURCE_MEM: String(c.mem),
    PAASTA_RESOURCE_DISK: String(c.disk),
    PAASTA_HOST: "127.0.0.1",
    AWS_SDK_UA_APP_ID: `${app.service}.${app.instance}`.slice(0, 50),
  };
  if (app.image_version) env.PAASTA_IMAGE_VERSION = app.image_version;
  if (c.gpus !== null) env.PAASTA_RESOURCE_GPUS = String(c.gpus);
  if (c.monitoring.team) env.PAASTA_MONITORING_TEAM = c.monitoring.team;
  if (port !== null) env.PAASTA_PORT = String(port);
  return env;
}

export function taskEnv(
  app: DesiredApp,
  port: number | null,
  ids: { taskId: string; runtimeId: string },
  inherit: NodeJS.ProcessEnv | undefined,
): Record<string, string> {
  const base: Record<string, string> = {};
  for (const k of INHERITED) {
    const v = inherit?.[k];
    if (v !== undefined) base[k] = v;
  }
  return {
    ...base,
    ...paastaEnv(app, port),
    ...app.config.env,
    PAASTA_TASK_ID: ids.taskId,
    PAASTA_RUNTIME_ID: ids.runtimeId,
  };
}
