/**
 * Runs a local-run plan as a container: created with the plan's environment, limits, port and volumes,
 * output attached before it starts (nothing is lost), health checks simulated while it runs, its exit code
 * returned, and the container removed afterwards (also on Ctrl-C).
 */

import { createInterface } from "node:readline";
import { PassThrough } from "node:stream";
import type Dockerode from "dockerode";
import { probe } from "../backends/local/health.js";
import { PaastaError } from "../errors.js";
import { execInContainer } from "../image/container-exec.js";
import { describe, type Engine } from "../image/engine.js";
import { type HealthSimulation, healthVia, simulateHealthcheck } from "./healthcheck.js";
import type { RunPlan } from "./plan.js";

export interface RunOutput {
  out(line: string): void;
  err(line: string): void;
  /** paasta's own messages (health checks, cleanup). */
  note(line: string): void;
}

export interface RunResult {
  readonly exitCode: number;
  readonly health?: HealthSimulation;
}

export async function runContainer(engine: Engine, plan: RunPlan, o: RunOutput): Promise<RunResult> {
  const image = plan.image as string;
  const port = plan.containerPort !== null ? `${plan.containerPort}/tcp` : null;
  const tty = plan.interactive && Boolean(process.stdin.isTTY);
  let container: Dockerode.Container;
  try {
    container = await engine.docker.createContainer({
      name: plan.name,
      Image: image,
      ...(plan.command ? { Cmd: [...plan.command] } : {}),
      Env: Object.entries(plan.env).map(([k, v]) => `${k}=${v}`),
      Labels: { ...plan.labels },
      Tty: tty,
      OpenStdin: plan.interactive,
      StdinOnce: plan.interactive,
      AttachStdin: plan.interactive,
      AttachStdout: true,
      AttachStderr: true,
      ...(port ? { ExposedPorts: { [port]: {} } } : {}),
      HostConfig: {
        Init: true,
        Memory: plan.memoryBytes,
        CpuPeriod: plan.cpuPeriod,
        CpuQuota: plan.cpuQuota,
        Binds: [...plan.binds],
        ...(port ? { PortBindings: { [port]: [{ HostIp: "127.0.0.1", HostPort: String(plan.hostPort) }] } } : {}),
      },
    });
  } catch (e) {
    throw new PaastaError("PAASTA_CONTAINER_FAILED", { what: `${plan.service}.${plan.instance}`, detail: describe(e) });
  }
  let removed = false;
  const cleanup = async () => {
    if (removed) return;
    removed = true;
    await container.stop({ t: 10 }).catch(() => {});
    await container.remove({ force: true }).catch(() => {});
  };
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    o.note("Stopping and removing the container …");
    void cleanup();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  let attached: NodeJS.ReadWriteStream | undefined;
  try {
    const stream = (await container.attach({
      stream: true,
      stdout: true,
      stderr: true,
      stdin: plan.interactive,
      hijack: plan.interactive,
    })) as NodeJS.ReadWriteStream;
    attached = stream;
    const ended = new Promise<void>((r) => {
      stream.on("end", r);
      stream.on("close", r);
      stream.on("error", () => r());
    });
    if (tty) {
      stream.pipe(process.stdout);
    } else {
      const out = new PassThrough();
      const err = new PassThrough();
      container.modem.demuxStream(stream, out, err);
      createInterface({ input: out }).on("line", o.out);
      createInterface({ input: err }).on("line", o.err);
      stream.on("end", () => {
        out.end();
        err.end();
      });
    }
    if (plan.interactive) {
      if (tty) process.stdin.setRawMode?.(true);
      process.stdin.pipe(stream);
    }
    try {
      await container.start();
    } catch (e) {
      throw new PaastaError("PAASTA_CONTAINER_FAILED", {
        what: `${plan.service}.${plan.instance}`,
        detail: describe(e),
      });
    }
    // After start: a wait on a created container returns at once (condition not-running) on some engines.
    const waited = container.wait().then((r: { StatusCode?: number }) => r.StatusCode ?? 1);
    let exitCode: number | undefined;
    void waited.then((c) => {
      exitCode = c;
    });
    o.note(`Started container ${container.id.slice(0, 12)} (${plan.name}) from ${image}`);
    let health: HealthSimulation | undefined;
    if (plan.healthcheck && plan.healthcheckMode !== "skip") {
      const hc = plan.healthcheck;
      const check = () =>
        probe(hc, "127.0.0.1", plan.hostPort, (cmd, timeoutMs) =>
          execInContainer(container, cmd, timeoutMs).catch(() => 127),
        );
      health = await simulateHealthcheck({
        hc,
        via: healthVia(hc, plan.hostPort),
        check,
        exited: async () => {
          if (exitCode !== undefined) return exitCode;
          const s = await container.inspect().catch(() => undefined);
          return s && !s.State.Running && s.State.Status !== "created" ? s.State.ExitCode : undefined;
        },
        say: o.note,
        cancelled: () => interrupted,
      });
      if (plan.healthcheckMode === "only") {
        await cleanup();
        return { exitCode: health.passed ? 0 : 1, health };
      }
      if (!health.passed && health.exitCode === undefined) o.note("The service keeps running; Ctrl-C stops it.");
    }
    const code = await waited;
    await Promise.race([ended, new Promise((r) => setTimeout(r, 2000))]);
    const state = await container.inspect().catch(() => undefined);
    if (state?.State.OOMKilled) {
      o.note(`The container was killed by the OOM killer: it used more than mem (${plan.memoryBytes / 1048576} MiB)`);
    }
    return { exitCode: code, health };
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    if (plan.interactive) {
      process.stdin.unpipe();
      if (tty) process.stdin.setRawMode?.(false);
      process.stdin.pause();
    }
    await cleanup();
    (attached as { destroy?: () => void } | undefined)?.destroy?.();
  }
}
