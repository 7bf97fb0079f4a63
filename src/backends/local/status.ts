/**
 * What the local backend reports about an app, built from the store and the supervisor's view: the versions
 * running with their tasks (for reconcile's observe and `paasta status`), the deploy status, and, for a bounce
 * that is stuck or under way, words for why it is not Running yet.
 */
import type { DesiredApp } from "../../model/app.js";
import { redactEnv, redactText } from "../../model/redact.js";
import {
  type AppRef,
  deployStatusOf,
  type InstanceStatus,
  type ObservedApp,
  type TaskStatus,
  type VersionStatus,
} from "../backend.js";
import { isTerminal, replicasOf, type Store, type TaskRecord } from "./store.js";
import type { Supervisor } from "./supervisor.js";

/** The parts of the supervisor status reads: happiness and crash loops. */
export type SupervisorView = Pick<Supervisor, "isHappy" | "backoffOf">;

/** Every app not being removed, with its running versions (for reconcile). */
export function observedApps(store: Store): ObservedApp[] {
  return store
    .apps()
    .filter((a) => !a.removing)
    .map((rec) => {
      const tasks = store
        .tasks(rec.service, rec.instance)
        .filter((t) => !isTerminal(t.state) && t.state !== "draining");
      return {
        service: rec.service,
        instance: rec.instance,
        desired_config_hash: rec.app.config_hash,
        desired_replicas: replicasOf(rec),
        versions: versionsOf(tasks, rec.app).map(({ tasks: _t, desired: _d, ...v }) => v),
      };
    });
}

/**
 * The status of one app. `servicePids` maps tasks to their services' own processes (below the executor's
 * wrapper), when the executor can tell. Everything words carry (reasons, the message, the command line, env)
 * has its credential-looking parts redacted (model/redact.ts).
 */
export function instanceStatus(
  store: Store,
  cluster: string,
  supervisor: SupervisorView,
  ref: AppRef,
  servicePids: (tasks: readonly TaskRecord[]) => ReadonlyMap<string, number> = () => new Map(),
): InstanceStatus | undefined {
  const rec = store.app(ref.service, ref.instance);
  if (!rec) return undefined;
  const app = rec.app;
  const env = app.config.env;
  const all = store.tasks(ref.service, ref.instance);
  const live = all.filter((t) => !isTerminal(t.state));
  const pids = servicePids(live);
  const versions = versionsOf(live, app, all, (t) => supervisor.isHappy(t, app)).map((v) =>
    redactVersion(v, env, pids),
  );
  const desired = replicasOf(rec);
  const deployStatus = deployStatusOf(desired, versions);
  const message =
    deployStatus === "Running" || deployStatus === "Stopped"
      ? null
      : whyNotRunning(app, desired, versions, all, supervisor.backoffOf(app.service, app.instance, app.config_hash));
  return {
    service: ref.service,
    instance: ref.instance,
    cluster,
    desired_state: app.desired_state,
    desired_instances: desired,
    bounce_method: app.config.bounce_method,
    deploy_status: deployStatus,
    deploy_status_message: message === null ? null : redactText(message, env),
    versions,
    error_message: null,
    command: commandLine(app),
    env: redactEnv(env),
  };
}

/** A version with its tasks' services' PIDs and its words redacted. */
function redactVersion(
  v: VersionStatus,
  env: Readonly<Record<string, string>>,
  pids: ReadonlyMap<string, number>,
): VersionStatus {
  const redact = (text: string | null) => (text === null ? null : redactText(text, env));
  return {
    ...v,
    tasks: v.tasks.map((t) => ({ ...t, pid: pids.get(t.id) ?? t.pid, reason: redact(t.reason) })),
    ...(v.failures ? { failures: { ...v.failures, last_reason: redact(v.failures.last_reason) } } : {}),
  };
}

/** The command line tasks of `app` run (cmd and args), credential-looking parts redacted; null without cmd. */
function commandLine(app: DesiredApp): string | null {
  const cmd = app.config.cmd;
  if (cmd === null) return null;
  const line = typeof cmd === "string" ? cmd : [...cmd, ...app.config.args].join(" ");
  return redactText(line, app.config.env);
}

/** Words for a stuck or progressing bounce: new tasks happy, the last failure, a crash loop's backoff. */
function whyNotRunning(
  app: DesiredApp,
  desired: number,
  versions: VersionStatus[],
  all: TaskRecord[],
  backoff: { failures: number; waitMs: number } | undefined,
): string {
  const current = versions.find((v) => v.desired);
  const parts = [
    `${current?.ready_replicas ?? 0}/${desired} tasks of ${app.git_sha.slice(0, 8)} (${app.config_hash}) healthy`,
  ];
  const old = versions.filter((v) => !v.desired && v.replicas > 0);
  if (old.length > 0)
    parts.push(
      `old versions still running: ${old.map((v) => `${v.git_sha.slice(0, 8)} ${v.ready_replicas}/${v.replicas}`).join(", ")}`,
    );
  const failing = all
    .filter((t) => t.config_hash === app.config_hash && t.reason && (t.state === "failed" || t.failures > 0))
    .at(-1);
  if (failing?.reason) parts.push(`last problem: ${failing.reason}`);
  if (backoff && backoff.failures > 0) {
    parts.push(
      `crash loop: ${backoff.failures} failure(s)${backoff.waitMs > 0 ? `, next start in ${Math.ceil(backoff.waitMs / 1000)}s` : ""}`,
    );
  }
  return parts.join("; ");
}

function taskStatus(t: TaskRecord): TaskStatus {
  return {
    id: t.id,
    host: t.host,
    port: t.port,
    state: t.state,
    healthy: t.state === "healthy",
    restarts: t.restarts ?? 0,
    started_at: t.started_at === null ? null : new Date(t.started_at).toISOString(),
    last_exit_code: t.last_exit_code,
    reason: t.reason,
    pid: t.pid,
  };
}

/** The app's tasks grouped by version, the desired version first (present even with no task). */
function versionsOf(
  live: TaskRecord[],
  app: DesiredApp,
  all: TaskRecord[] = live,
  happy: (t: TaskRecord) => boolean = (t) => t.state === "healthy",
): VersionStatus[] {
  const byHash = new Map<string, TaskRecord[]>();
  byHash.set(app.config_hash, []);
  for (const t of live) byHash.set(t.config_hash, [...(byHash.get(t.config_hash) ?? []), t]);
  const versions: VersionStatus[] = [];
  for (const [hash, tasks] of byHash) {
    if (tasks.length === 0 && hash !== app.config_hash) continue;
    const sample = tasks[0];
    const failed = all.filter((t) => t.config_hash === hash && t.state === "failed");
    const running = tasks.filter((t) => t.state !== "draining");
    const last = failed.reduce<TaskRecord | undefined>(
      (a, t) => (!a || (t.stopped_at ?? 0) >= (a.stopped_at ?? 0) ? t : a),
      undefined,
    );
    versions.push({
      git_sha: sample?.git_sha ?? app.git_sha,
      image_version: sample?.image_version ?? app.image_version,
      config_hash: hash,
      desired: hash === app.config_hash,
      replicas: running.length,
      ready_replicas: running.filter(happy).length,
      tasks: tasks.map(taskStatus),
      // Failures of this version so far: a crash loop stays visible between two restarts (the monitor reads it).
      ...(last
        ? {
            failures: {
              count: failed.length,
              last_exit_code: last.last_exit_code,
              last_reason: last.reason,
              last_at: last.stopped_at === null ? null : new Date(last.stopped_at).toISOString(),
            },
          }
        : {}),
    });
  }
  return versions.sort((a, b) => Number(b.desired) - Number(a.desired));
}
