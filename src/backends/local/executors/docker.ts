/**
 * The `docker` executor: each task is a container of the app's image (REGISTRY/services-S:paasta-SHA[-IV],
 * pulled when missing) with cpus (+cpu_burst_add) as a CPU quota and mem as its memory limit, container_port
 * published on 127.0.0.1 at the port the runtime allocated, an init process as PID 1, and labels that
 * identify it (service, instance, git sha, config hash, task id, runtime id). Liveness and exit codes come
 * from the engine (inspect); output is copied into the task's files; containers outlive `paasta up` and are
 * re-adopted by id, and strays of this runtime are found by its runtime-id label.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type Dockerode from "dockerode";
import { PaastaError } from "../../../errors.js";
import { execInContainer } from "../../../image/container-exec.js";
import { describe, type Engine, isNotFound } from "../../../image/engine.js";
import { ensureImage } from "../../../image/images.js";
import type { DesiredApp } from "../../../model/app.js";
import { oomKilledReason } from "../../powers.js";
import { ensurePrivateDir } from "../private-files.js";
import { recordedExitCode, type TaskRecord } from "../store.js";
import { SECRETS_DIR_VAR, secretsRoot } from "../task-secrets.js";
import { followLogs } from "./docker-logs.js";
import type { Executor, Liveness, Orphan, StartedTask } from "./executor.js";

export const LABEL = {
  service: "paasta.yelp.com/service",
  instance: "paasta.yelp.com/instance",
  cluster: "paasta.yelp.com/cluster",
  gitSha: "paasta.yelp.com/git_sha",
  imageVersion: "paasta.yelp.com/image_version",
  configSha: "paasta.yelp.com/config_sha",
  taskId: "paasta.yelp.com/task_id",
  runtimeId: "paasta.yelp.com/runtime_id",
} as const;

/** Variables of the runtime's own environment that mean nothing inside a container (the image sets its own). */
const HOST_ONLY = ["PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "USER", "SHELL"];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class DockerExecutor implements Executor {
  readonly name = "docker" as const;
  onExit?: (taskId: string) => void;
  private readonly images = new Map<string, Promise<void>>();
  private readonly followers = new Map<string, Promise<void>>();

  constructor(
    private readonly engine: Engine,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  imageOf(app: DesiredApp): string {
    return app.image_url ?? app.docker_image;
  }

  prepare(app: DesiredApp): Promise<void> {
    const image = this.imageOf(app);
    let p = this.images.get(image);
    if (!p) {
      p = ensureImage(this.engine, image, this.env, () => {}).then(() => undefined);
      this.images.set(image, p);
      p.catch(() => this.images.delete(image));
    }
    return p;
  }

  /** The container environment: the task's, without the runtime's host variables, PAASTA_PORT = container_port. */
  containerEnv(app: DesiredApp, env: Record<string, string>): string[] {
    const out: Record<string, string> = { ...env };
    for (const k of HOST_ONLY) if (app.config.env[k] === undefined) delete out[k];
    delete out[SECRETS_DIR_VAR]; // a host path: the container sees its secret volumes at their container_path
    out.PAASTA_PORT = String(app.config.container_port);
    return Object.entries(out).map(([k, v]) => `${k}=${v}`);
  }

  command(app: DesiredApp): string[] | undefined {
    const cmd = app.config.cmd;
    if (typeof cmd === "string") return ["sh", "-c", cmd];
    if (Array.isArray(cmd) && cmd.length > 0) return [...cmd, ...app.config.args];
    return app.config.args.length > 0 ? [...app.config.args] : undefined;
  }

  async start(task: TaskRecord, app: DesiredApp, env: Record<string, string>): Promise<StartedTask> {
    await this.prepare(app);
    ensurePrivateDir(task.log_dir);
    const c = app.config;
    const port = `${c.container_port}/tcp`;
    const cpus = c.cpus + c.cpu_burst_add;
    const binds = [
      ...c.volumes.map((v) => `${v.hostPath}:${v.containerPath}:${v.mode.toLowerCase()}`),
      // The task's secret volume files (written at its start, task-secrets.ts), read-only at their container_path.
      ...(env[SECRETS_DIR_VAR]
        ? c.secret_volumes.map((v) => `${join(secretsRoot(task.log_dir), v.container_path)}:${v.container_path}:ro`)
        : []),
    ];
    const cmd = this.command(app);
    let container: Dockerode.Container | undefined;
    try {
      container = await this.engine.docker.createContainer({
        name: `paasta-${app.service}-${task.id}`.replace(/[^a-zA-Z0-9_.-]/g, "_"),
        Image: this.imageOf(app),
        ...(cmd ? { Cmd: cmd } : {}),
        Env: this.containerEnv(app, env),
        Labels: {
          [LABEL.service]: app.service,
          [LABEL.instance]: app.instance,
          [LABEL.cluster]: app.cluster,
          [LABEL.gitSha]: app.git_sha,
          [LABEL.imageVersion]: app.image_version ?? "",
          [LABEL.configSha]: app.config_hash,
          [LABEL.taskId]: task.id,
          [LABEL.runtimeId]: env.PAASTA_RUNTIME_ID ?? "",
        },
        ExposedPorts: { [port]: {} },
        HostConfig: {
          Init: true,
          Memory: Math.round(c.mem * 1024 * 1024),
          // PaaSTA's docker path: --memory-swap=mem+64m
          MemorySwap: Math.round((c.mem + 64) * 1024 * 1024),
          CpuPeriod: c.cfs_period_us,
          CpuQuota: Math.round(cpus * c.cfs_period_us),
          Binds: binds,
          PortBindings: task.port === null ? {} : { [port]: [{ HostIp: "127.0.0.1", HostPort: String(task.port) }] },
        },
      });
      await container.start();
    } catch (e) {
      await container?.remove({ force: true }).catch(() => {});
      throw new PaastaError("PAASTA_CONTAINER_FAILED", { what: `${app.service}.${app.instance}`, detail: describe(e) });
    }
    this.follow(task.id, container, task.log_dir);
    void container
      .wait()
      .then(() => this.onExit?.(task.id))
      .catch(() => {});
    return { pid: null, container_id: container.id, proc_start: null, host: "127.0.0.1", port: task.port };
  }

  private follow(taskId: string, container: Dockerode.Container, logDir: string): void {
    if (this.followers.has(taskId)) return;
    const p = followLogs(container, logDir).finally(() => this.followers.delete(taskId));
    this.followers.set(taskId, p);
  }

  /** Lets the follower copy the last lines (bounded), records the exit code, removes the container. */
  private async finish(task: TaskRecord, container: Dockerode.Container, exitCode: number | null): Promise<void> {
    const f = this.followers.get(task.id);
    if (f) await Promise.race([f, sleep(2000)]);
    if (exitCode !== null) {
      try {
        ensurePrivateDir(task.log_dir);
        writeFileSync(join(task.log_dir, "exit_code"), String(exitCode));
      } catch {
        // the state directory went away
      }
    }
    await container.remove({ force: true }).catch(() => {});
  }

  /** Each task's container stats (one-shot: no wait for a second sample): total CPU time and memory in use. */
  async usage(tasks: readonly TaskRecord[]): Promise<Map<string, { cpu_seconds: number; memory_bytes: number }>> {
    const out = new Map<string, { cpu_seconds: number; memory_bytes: number }>();
    await Promise.all(
      tasks.map(async (t) => {
        if (!t.container_id) return;
        try {
          const container = this.engine.docker.getContainer(t.container_id);
          const s = (await container.stats({ stream: false, "one-shot": true } as { stream: false })) as unknown as {
            cpu_stats?: { cpu_usage?: { total_usage?: number } };
            memory_stats?: { usage?: number; stats?: { inactive_file?: number } };
          };
          const ns = s.cpu_stats?.cpu_usage?.total_usage;
          if (ns === undefined) return;
          const mem = (s.memory_stats?.usage ?? 0) - (s.memory_stats?.stats?.inactive_file ?? 0);
          out.set(t.id, { cpu_seconds: ns / 1e9, memory_bytes: Math.max(0, mem) });
        } catch {
          // gone, or the engine is busy: measured next time
        }
      }),
    );
    return out;
  }

  async liveness(task: TaskRecord): Promise<Liveness> {
    if (!task.container_id) return { alive: false, exitCode: null };
    const container = this.engine.docker.getContainer(task.container_id);
    let info: Dockerode.ContainerInspectInfo;
    try {
      info = await container.inspect();
    } catch (e) {
      if (isNotFound(e)) return { alive: false, exitCode: recordedExitCode(task) };
      throw e;
    }
    if (info.State.Running) {
      this.follow(task.id, container, task.log_dir); // re-adopted after a restart
      return { alive: true };
    }
    if (info.State.Status === "created") return { alive: true };
    await this.finish(task, container, info.State.ExitCode);
    const oom = info.State.OOMKilled ? oomKilledReason(info.State.ExitCode) : undefined;
    return { alive: false, exitCode: info.State.ExitCode, ...(oom ? { reason: oom } : {}) };
  }

  async stop(task: TaskRecord, graceSeconds: number): Promise<void> {
    if (!task.container_id) return;
    const container = this.engine.docker.getContainer(task.container_id);
    try {
      await container.stop({ t: Math.max(0, Math.ceil(graceSeconds)) });
    } catch (e) {
      if (isNotFound(e)) return;
      // 304: already stopped
    }
    const info = await container.inspect().catch(() => undefined);
    await this.finish(task, container, info ? info.State.ExitCode : null);
  }

  async exec(
    task: TaskRecord,
    app: DesiredApp,
    command: string,
    env: Record<string, string>,
    timeoutMs: number,
  ): Promise<number> {
    if (!task.container_id) return 127;
    const container = this.engine.docker.getContainer(task.container_id);
    return execInContainer(container, command, timeoutMs, this.containerEnv(app, env)).catch(() => 127);
  }

  async findOrphans(runtimeId: string, known: ReadonlySet<string>): Promise<Orphan[]> {
    const list = await this.engine.docker.listContainers({
      all: true,
      filters: { label: [`${LABEL.runtimeId}=${runtimeId}`] },
    });
    return list
      .map((c) => ({ id: c.Id, taskId: c.Labels?.[LABEL.taskId] ?? "" }))
      .filter((c) => c.taskId !== "" && !known.has(c.taskId))
      .map((c) => ({
        taskId: c.taskId,
        started: { pid: null, container_id: c.id, proc_start: null, host: "127.0.0.1", port: null },
        kill: async () => {
          await this.engine.docker
            .getContainer(c.id)
            .remove({ force: true })
            .catch(() => {});
        },
      }));
  }
}
