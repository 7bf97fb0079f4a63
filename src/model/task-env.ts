/**
 * The environment PaaSTA injects into every task (reference §1.5): who it is, which version, its resources.
 * One function for every runner: the local runtime, the Kubernetes pod template, local-run and batch actions.
 */
import type { DesiredApp } from "./app.js";

/** What the PAASTA_* variables say about a task. */
export interface TaskIdentity {
  readonly service: string;
  readonly instance: string;
  readonly cluster: string;
  readonly deploy_group: string | null;
  /** kubernetes, eks, adhoc, tron … (PAASTA_INSTANCE_TYPE). */
  readonly instance_type: string;
  readonly docker_image: string;
  readonly git_sha: string;
  readonly image_version: string | null;
  readonly cpus: number;
  readonly mem: number;
  readonly disk: number;
  readonly gpus: number | null;
  readonly team: string | null;
}

export function identityOf(app: DesiredApp): TaskIdentity {
  const c = app.config;
  return {
    service: app.service,
    instance: app.instance,
    cluster: app.cluster,
    deploy_group: c.deploy_group,
    instance_type: c.type,
    docker_image: app.docker_image,
    git_sha: app.git_sha,
    image_version: app.image_version,
    cpus: c.cpus,
    mem: c.mem,
    disk: c.disk,
    gpus: c.gpus,
    team: c.monitoring.team,
  };
}

/** PAASTA_* variables; PAASTA_PORT when the task has a port. The user `env` is applied over these by callers. */
export function paastaEnv(t: TaskIdentity, port: number | null): Record<string, string> {
  const env: Record<string, string> = {
    PAASTA_SERVICE: t.service,
    PAASTA_INSTANCE: t.instance,
    PAASTA_CLUSTER: t.cluster,
    PAASTA_DEPLOY_GROUP: t.deploy_group ?? "",
    PAASTA_DOCKER_IMAGE: t.docker_image,
    PAASTA_GIT_SHA: t.git_sha.slice(0, 8),
    PAASTA_INSTANCE_TYPE: t.instance_type,
    PAASTA_RESOURCE_CPUS: String(t.cpus),
    PAASTA_RESOURCE_MEM: String(t.mem),
    PAASTA_RESOURCE_DISK: String(t.disk),
    PAASTA_HOST: "127.0.0.1",
    AWS_SDK_UA_APP_ID: `${t.service}.${t.instance}`.slice(0, 50),
  };
  if (t.image_version) env.PAASTA_IMAGE_VERSION = t.image_version;
  if (t.gpus !== null) env.PAASTA_RESOURCE_GPUS = String(t.gpus);
  if (t.team) env.PAASTA_MONITORING_TEAM = t.team;
  if (port !== null) env.PAASTA_PORT = String(port);
  return env;
}
