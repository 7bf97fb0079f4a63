/**
 * The local supervisor: keeps each app's tasks converging to its desired version and replica count, with
 * PaaSTA's bounce semantics, health checks, drains, restarts with exponential backoff, and re-adoption of
 * running tasks after its own restart. Level-based: every tick recomputes what to do from the store and the
 * processes themselves; async work (starting, health checks, stopping) is tracked so it is never doubled.
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type { DesiredApp } from "../../model/app.js";
import { decideBounce } from "./bounce.js";
import { drainerFor } from "./drain.js";
import type { Executor } from "./executors/executor.js";
import { type HealthResult, probe } from "./health.js";
import { allocatePort, DEFAULT_PORT_RANGE } from "./ports.js";
import type { RuntimeLog } from "./runtime-log.js";
import { type AppRecord, isTerminal, type Store, type TaskRecord } from "./store.js";
import { taskEnv } from "./task-env.js";

export interface SupervisorOptions {
  readonly store: Store;
  readonly executor: Executor;
  readonly log: RuntimeLog;
  readonly runtimeId: string;
  readonly stateDir: string;
  readonly portRange?: readonly [number, number];
  /** The environment tasks inherit PATH, HOME … from. */
  readonly inheritEnv?: NodeJS.ProcessEnv;
  readonly tickMs?: number;
  /** Seconds a task may take to stop after SIGTERM when lifecycle does not say. */
  readonly defaultGraceSeconds?: number;
  readonly now?: () => number;
  /** Called after each tick that changed something (metrics, tests). */
  readonly onChange?: () => void;
}

interface Backoff {
  failures: number;
  nextStartAt: number;
  lastReason: string | null;
}

const BACKOFF_BASE_MS = 1000;
const BACKOFF_MAX_MS = 5 * 60_000;
/** A version is considered recovered (backoff reset) once a task has been healthy this long. */
const BACKOFF_RESET_MS = 30_000;
/** Liveness polling of tasks adopted after a restart (not our children: no exit event). */
const LIVENESS_EVERY_MS = 1000;
/** Liveness polling of our own children, whose exits are signalled anyway. */
const OWN_LIVENESS_EVERY_MS = 10_000;
/** How often task output files are copied into the log stream. */
const TAIL_EVERY_MS = 2000;

export class Supervisor {
  private readonly o: SupervisorOptions;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private again = false;
  /** Tasks with work in flight (start, health check, drain); one piece of work per task at a time. */
  private readonly busy = new Set<string>();
  /** Tasks being stopped because they failed their health checks (the liveness check must not count them twice). */
  private readonly killing = new Set<string>();
  private readonly nextHealth = new Map<string, number>();
  private readonly nextLiveness = new Map<string, number>();
  private readonly drainCalled = new Set<string>();
  private readonly backoff = new Map<string, Backoff>();
  private closed = false;
  private nextTail = 0;
  private nextPrune = 0;
  /** Health checks failed, counted for /metrics. */
  healthFailures = 0;
  bounces = 0;

  /** Tasks started by this process: their exit is signalled, so they are polled only as a safety net. */
  private readonly ownTasks = new Set<string>();

  constructor(options: SupervisorOptions) {
    this.o = options;
    options.executor.onExit = (taskId) => {
      this.nextLiveness.set(taskId, 0);
      this.poke();
    };
  }

  private now(): number {
    return (this.o.now ?? Date.now)();
  }

  /** Reconciles the store with the processes that really run, then kills tasks nobody knows. */
  async adopt(): Promise<{ adopted: number; lost: number; orphansKilled: number }> {
    let adopted = 0;
    let lost = 0;
    for (const t of this.o.store.liveTasks()) {
      if (t.pid === null && t.container_id === null) {
        this.finish(t, "failed", null, "never started: the runtime stopped while launching it");
        lost++;
        continue;
      }
      const l = await this.o.executor.liveness(t);
      if (l.alive) {
        adopted++;
        this.nextHealth.set(t.id, 0);
        this.o.log.write({
          service: t.service,
          instance: t.instance,
          component: "task_lifecycle",
          message: `Re-adopted task ${t.id} (pid ${t.pid ?? t.container_id})`,
          task: t.id,
        });
      } else {
        lost++;
        if (t.state === "draining") this.finish(t, "stopped", l.exitCode, "stopped while the runtime was down");
        else
          this.finish(
            t,
            "failed",
            l.exitCode,
            `exited while the runtime was down${l.exitCode !== null ? ` with code ${l.exitCode}` : ""}`,
          );
      }
    }
    const known = new Set(this.o.store.liveTasks().map((t) => t.id));
    let orphansKilled = 0;
    for (const orphan of await this.o.executor.findOrphans(this.o.runtimeId, known)) {
      await orphan.kill();
      orphansKilled++;
    }
    return { adopted, lost, orphansKilled };
  }

  start(): void {
    if (this.timer) return;
    const loop = async () => {
      await this.tick();
      if (!this.closed) this.timer = setTimeout(loop, this.o.tickMs ?? 250);
    };
    this.timer = setTimeout(loop, 0);
  }

  /** Runs a tick soon (after a change of desired state or a health result). */
  poke(): void {
    if (!this.timer || this.closed) return; // not supervising (e.g. a one-off `paasta reconcile`)
    if (this.running) this.again = true;
    else setImmediate(() => void this.tick());
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    while (this.running || this.busy.size > 0 || this.killing.size > 0) await new Promise((r) => setTimeout(r, 20));
  }

  /** Stops supervising, then stops every task (what `paasta up` does on exit unless --keep-running). */
  async stopEverything(): Promise<void> {
    await this.close();
    await Promise.all(
      this.o.store.liveTasks().map(async (t) => {
        if (t.state !== "draining") this.o.store.updateTask(t.id, { state: "draining", draining_since: this.now() });
        await this.o.executor.stop(t, this.graceFor(this.o.store.app(t.service, t.instance)?.app));
        this.o.log.tail(this.o.store, t);
        this.finish({ ...t, state: "draining" }, "stopped", null, "stopped by paasta up shutdown");
      }),
    );
  }

  async tick(): Promise<void> {
    if (this.running || this.closed) {
      this.again = true;
      return;
    }
    this.running = true;
    try {
      do {
        this.again = false;
        await this.checkLiveness();
        const byApp = new Map<string, TaskRecord[]>();
        for (const t of this.o.store.liveTasks()) {
          const key = `${t.service}.${t.instance}`;
          byApp.set(key, [...(byApp.get(key) ?? []), t]);
        }
        for (const rec of this.o.store.apps()) this.converge(rec, byApp.get(`${rec.service}.${rec.instance}`) ?? []);
        if (this.now() >= this.nextPrune) {
          this.nextPrune = this.now() + 60_000;
          this.o.store.pruneTerminal();
        }
        if (this.now() >= this.nextTail) {
          this.nextTail = this.now() + TAIL_EVERY_MS;
          for (const t of this.o.store.liveTasks()) this.o.log.tail(this.o.store, t);
        }
        this.o.onChange?.();
      } while (this.again && !this.closed);
    } catch (e) {
      this.o.log.write({
        service: "paasta",
        instance: "runtime",
        component: "task_lifecycle",
        level: "debug",
        message: `supervisor error: ${(e as Error).stack}`,
      });
    } finally {
      this.running = false;
    }
  }

  private async checkLiveness(): Promise<void> {
    const now = this.now();
    for (const t of this.o.store.liveTasks()) {
      if (this.busy.has(t.id) || this.killing.has(t.id) || t.state === "launching") continue;
      if ((this.nextLiveness.get(t.id) ?? 0) > now) continue;
      this.nextLiveness.set(t.id, now + (this.ownTasks.has(t.id) ? OWN_LIVENESS_EVERY_MS : LIVENESS_EVERY_MS));
      const l = await this.o.executor.liveness(t);
      if (l.alive) continue;
      this.o.log.tail(this.o.store, t);
      if (t.state === "draining") this.finish(t, "stopped", l.exitCode, null);
      else {
        const reason = `exited with code ${l.exitCode ?? "unknown"}`;
        this.finish(t, "failed", l.exitCode, reason);
        this.recordFailure(t, reason);
      }
    }
  }

  private finish(t: TaskRecord, state: "stopped" | "failed", exitCode: number | null, reason: string | null): void {
    const current = this.o.store.tasks(t.service, t.instance).find((x) => x.id === t.id);
    if (!current || isTerminal(current.state)) return;
    this.o.store.updateTask(t.id, {
      state,
      stopped_at: this.now(),
      last_exit_code: exitCode,
      reason: reason ?? t.reason,
    });
    this.nextHealth.delete(t.id);
    this.nextLiveness.delete(t.id);
    this.ownTasks.delete(t.id);
    this.drainCalled.delete(t.id);
    const what = state === "stopped" ? "Stopped" : "Task failed:";
    this.o.log.write({
      service: t.service,
      instance: t.instance,
      component: "task_lifecycle",
      message: `${what} ${t.id}${reason && state === "failed" ? ` (${reason})` : ""}`,
      task: t.id,
    });
  }

  private recordFailure(t: TaskRecord, reason: string): void {
    const key = `${t.service}.${t.instance}.${t.config_hash}`;
    const b = this.backoff.get(key) ?? { failures: 0, nextStartAt: 0, lastReason: null };
    b.failures++;
    b.lastReason = reason;
    b.nextStartAt = this.now() + Math.min(BACKOFF_BASE_MS * 2 ** (b.failures - 1), BACKOFF_MAX_MS);
    this.backoff.set(key, b);
  }

  /** The crash-loop state of an app version, for status. */
  backoffOf(service: string, instance: string, configHash: string): (Backoff & { waitMs: number }) | undefined {
    const b = this.backoff.get(`${service}.${instance}.${configHash}`);
    return b ? { ...b, waitMs: Math.max(0, b.nextStartAt - this.now()) } : undefined;
  }

  isHappy(t: TaskRecord, app: DesiredApp): boolean {
    return (
      t.state === "healthy" &&
      t.healthy_since !== null &&
      this.now() - t.healthy_since >= app.config.min_task_uptime * 1000
    );
  }

  /** One app: health checks due, the bounce decision, starts and drains. */
  private converge(rec: AppRecord, live: TaskRecord[]): void {
    const app = rec.app;
    const now = this.now();
    for (const t of live) this.scheduleHealth(t, app, now);
    const draining = live.filter((t) => t.state === "draining");
    for (const t of draining) this.continueDrain(t, app);
    const active = live.filter((t) => t.state !== "draining");
    const desired = rec.removing ? 0 : app.replicas;
    const fresh = active.filter((t) => t.config_hash === app.config_hash);
    const old = active.filter((t) => t.config_hash !== app.config_hash);
    if (desired === 0) {
      for (const t of active)
        this.beginDrain(t, app, rec.removing ? "instance removed" : "desired state is stop or instances is 0");
      if (rec.removing && live.length === 0) this.o.store.deleteApp(app.service, app.instance);
      return;
    }
    const order = (a: TaskRecord, b: TaskRecord) =>
      Number(this.isHappy(b, app)) - Number(this.isHappy(a, app)) || (a.started_at ?? 0) - (b.started_at ?? 0);
    const happyNew = fresh.filter((t) => this.isHappy(t, app)).length;
    const decision = decideBounce({
      method: app.config.bounce_method,
      instances: desired,
      happyNew,
      oldTasks: [...old].sort(order),
      marginFactor: app.config.bounce_margin_factor,
    });
    for (const t of decision.drain)
      this.beginDrain(t, app, `replaced by ${app.git_sha.slice(0, 8)} (${app.config_hash})`);
    if (fresh.length > desired) {
      const extra = [...fresh].sort(order).slice(desired);
      for (const t of extra) this.beginDrain(t, app, `scaled down to ${desired}`);
    }
    if (decision.startNew && fresh.length < desired) {
      const backoff = this.backoffOf(app.service, app.instance, app.config_hash);
      if (backoff && backoff.waitMs > 0) return;
      if (old.length > 0 && fresh.length === 0 && happyNew === 0) {
        this.bounces++;
        this.o.log.write({
          service: app.service,
          instance: app.instance,
          component: "deploy",
          message: `Bouncing to ${app.git_sha.slice(0, 8)} (${app.config_hash}) with ${app.config.bounce_method}`,
        });
      }
      const missing = desired - fresh.length;
      // After failures, start one task at a time so a crash loop costs one process, not N.
      const count = backoff && backoff.failures > 0 ? Math.min(1, missing) : missing;
      for (let i = 0; i < count; i++) void this.launch(app);
    }
  }

  private graceFor(app: DesiredApp | undefined): number {
    return app?.config.lifecycle.termination_grace_period_seconds ?? this.o.defaultGraceSeconds ?? 30;
  }

  private async launch(app: DesiredApp): Promise<void> {
    const id = `${app.instance}-${app.git_sha.slice(0, 8)}-${randomBytes(3).toString("hex")}`;
    this.busy.add(id);
    const taken = new Set(this.o.store.liveTasks().flatMap((t) => (t.port === null ? [] : [t.port])));
    let task: TaskRecord | undefined;
    try {
      const port = await allocatePort(taken, this.o.portRange ?? DEFAULT_PORT_RANGE);
      const failed = this.o.store.unreplacedFailure(app.service, app.instance, app.config_hash);
      task = {
        id,
        service: app.service,
        instance: app.instance,
        config_hash: app.config_hash,
        git_sha: app.git_sha,
        image_version: app.image_version,
        state: "launching",
        pid: null,
        container_id: null,
        proc_start: null,
        host: "127.0.0.1",
        port,
        created_at: this.now(),
        started_at: null,
        healthy_since: null,
        stopped_at: null,
        draining_since: null,
        failures: 0,
        last_exit_code: failed?.last_exit_code ?? null,
        reason: null,
        log_dir: join(this.o.stateDir, "tasks", id),
        restarts: failed ? failed.restarts + 1 : 0,
        replaces: failed?.id ?? null,
      };
      this.o.store.insertTask(task);
      const env = taskEnv(app, port, { taskId: id, runtimeId: this.o.runtimeId }, this.o.inheritEnv);
      this.ownTasks.add(id);
      const started = await this.o.executor.start(task, app, env);
      const state = app.config.healthcheck.mode === null ? "healthy" : "starting";
      const now = this.now();
      this.o.store.updateTask(id, {
        ...started,
        state,
        started_at: now,
        healthy_since: state === "healthy" ? now : null,
      });
      this.o.log.write({
        service: app.service,
        instance: app.instance,
        component: "task_lifecycle",
        message: `Started task ${id} on port ${started.port ?? port}`,
        task: id,
      });
    } catch (e) {
      const reason = `could not start: ${(e as Error).message}`;
      if (task) {
        this.finish({ ...task }, "failed", null, reason);
        this.recordFailure(task, reason);
      }
    } finally {
      this.busy.delete(id);
      this.poke();
    }
  }

  private scheduleHealth(t: TaskRecord, app: DesiredApp, now: number): void {
    if (
      t.state === "launching" ||
      t.state === "draining" ||
      t.state === "unhealthy" ||
      this.busy.has(t.id) ||
      t.started_at === null
    )
      return;
    const hc = app.config.healthcheck;
    if (hc.mode === null) return;
    const due = this.nextHealth.get(t.id) ?? t.started_at + hc.grace_period_seconds * 1000;
    if (due > now) return;
    this.nextHealth.set(t.id, now + hc.interval_seconds * 1000);
    this.busy.add(t.id);
    void this.runHealthCheck(t, app)
      .then((r) => this.onHealth(t.id, app, r))
      .finally(() => {
        this.busy.delete(t.id);
        this.poke();
      });
  }

  private runHealthCheck(t: TaskRecord, app: DesiredApp): Promise<HealthResult> {
    return probe(app.config.healthcheck, t.host, t.port ?? app.config.container_port, (cmd, timeoutMs) => {
      const env = taskEnv(app, t.port, { taskId: t.id, runtimeId: this.o.runtimeId }, this.o.inheritEnv);
      return this.o.executor.exec(t, app, cmd, env, timeoutMs);
    });
  }

  private onHealth(id: string, app: DesiredApp, r: HealthResult): void {
    const t = this.o.store.tasks(app.service, app.instance).find((x) => x.id === id);
    if (!t || isTerminal(t.state) || t.state === "draining") return;
    const now = this.now();
    if (r.ok) {
      if (t.state !== "healthy") {
        this.o.store.updateTask(id, { state: "healthy", healthy_since: now, failures: 0, reason: null });
        this.o.log.write({
          service: t.service,
          instance: t.instance,
          component: "task_lifecycle",
          message: `Task ${id} is healthy (${r.detail})`,
          task: id,
        });
      } else if (t.failures > 0) this.o.store.updateTask(id, { failures: 0, reason: null });
      const key = `${t.service}.${t.instance}.${t.config_hash}`;
      if (t.healthy_since !== null && now - t.healthy_since >= BACKOFF_RESET_MS) this.backoff.delete(key);
      return;
    }
    this.healthFailures++;
    const failures = t.failures + 1;
    const reason = `health check failed ${failures}/${app.config.healthcheck.max_consecutive_failures}: ${r.detail}`;
    if (failures < app.config.healthcheck.max_consecutive_failures) {
      this.o.store.updateTask(id, { failures, reason });
      return;
    }
    this.o.store.updateTask(id, { failures, reason, state: "unhealthy" });
    this.recordFailure(t, reason);
    this.killing.add(id);
    void this.o.executor
      .stop(t, this.graceFor(app))
      .then(() => this.finish({ ...t, state: "unhealthy" }, "failed", null, reason))
      .finally(() => {
        this.killing.delete(id);
        this.poke();
      });
  }

  private beginDrain(t: TaskRecord, app: DesiredApp, why: string): void {
    if (this.busy.has(t.id) && t.state === "launching") return;
    this.o.store.updateTask(t.id, { state: "draining", draining_since: this.now(), reason: why });
    this.o.log.write({
      service: t.service,
      instance: t.instance,
      component: "task_lifecycle",
      message: `Draining ${t.id}: ${why}`,
      task: t.id,
    });
    this.continueDrain({ ...t, state: "draining" }, app);
  }

  private continueDrain(t: TaskRecord, app: DesiredApp): void {
    if (this.busy.has(t.id) || this.killing.has(t.id)) return;
    this.busy.add(t.id);
    const drainer = drainerFor(app.config);
    const target = { host: t.host, port: t.port };
    void (async () => {
      if (!this.drainCalled.has(t.id)) {
        await drainer.drain(target).catch(() => {});
        this.drainCalled.add(t.id);
      }
      if (!(await drainer.isSafeToKill(target))) return;
      const lc = app.config.lifecycle;
      if (lc.pre_stop_command !== null) {
        const cmd = typeof lc.pre_stop_command === "string" ? lc.pre_stop_command : lc.pre_stop_command.join(" ");
        const env = taskEnv(app, t.port, { taskId: t.id, runtimeId: this.o.runtimeId }, this.o.inheritEnv);
        await this.o.executor.exec(t, app, cmd, env, this.graceFor(app) * 1000);
      }
      // The mesh's default pre-stop delay (30 s) waits for a proxy to stop routing to the task; until the local
      // proxy lands (wave 2) only an explicit lifecycle.pre_stop_drain_seconds is honoured here.
      const explicit = app.config.explicit.includes("lifecycle.pre_stop_drain_seconds");
      const delay = explicit ? lc.pre_stop_drain_seconds : 0;
      if (delay > 0) await new Promise((r) => setTimeout(r, delay * 1000));
      await this.o.executor.stop(t, this.graceFor(app));
      const l = await this.o.executor.liveness(t);
      this.o.log.tail(this.o.store, t);
      this.finish(t, "stopped", l.alive ? null : l.exitCode, t.reason);
    })()
      .catch(() => {})
      .finally(() => {
        this.busy.delete(t.id);
        this.poke();
      });
  }
}
