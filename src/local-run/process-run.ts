/**
 * Runs a local-run plan as a process in the current directory (the service's repository) when there is no
 * container engine: the same command and environment (plus PATH, HOME, LANG of the caller), the port in
 * PAASTA_PORT, the same health-check simulation, the exit code returned. cpus and mem are not enforced.
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { probe } from "../backends/local/health.js";
import { runShell, signalGroup } from "../backends/local/process-group.js";
import { PaastaError } from "../errors.js";
import type { RunOutput, RunResult } from "./docker-run.js";
import { healthVia, simulateHealthcheck } from "./healthcheck.js";
import type { RunPlan } from "./plan.js";

const INHERITED = ["PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "USER", "SHELL", "TERM"];

export async function runProcess(plan: RunPlan, callerEnv: NodeJS.ProcessEnv, o: RunOutput): Promise<RunResult> {
  const argv = plan.command;
  if (!argv || argv.length === 0) {
    throw new PaastaError("PAASTA_USAGE", {
      detail: `${plan.service}.${plan.instance} has no cmd: the process executor needs one (or pass -C CMD)`,
    });
  }
  const env: Record<string, string> = {};
  for (const k of INHERITED) if (callerEnv[k] !== undefined) env[k] = callerEnv[k] as string;
  Object.assign(env, plan.env);
  const child = spawn(argv[0] as string, argv.slice(1), {
    cwd: plan.cwd,
    env,
    detached: !plan.interactive,
    stdio: plan.interactive ? "inherit" : ["ignore", "pipe", "pipe"],
  });
  if (child.stdout) createInterface({ input: child.stdout }).on("line", o.out);
  if (child.stderr) createInterface({ input: child.stderr }).on("line", o.err);
  let exitCode: number | undefined;
  const closed = new Promise<number>((resolve) => {
    child.on("error", (e) => {
      o.err(`cannot run ${argv[0]}: ${e.message}`);
      exitCode = 127;
      resolve(127);
    });
    child.on("close", (code, signal) => {
      exitCode = code ?? 128 + (signal === "SIGKILL" ? 9 : signal === "SIGINT" ? 2 : 15);
      resolve(exitCode);
    });
  });
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    signalGroup(child.pid, "SIGTERM");
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    o.note(`Started ${argv.join(" ")} (pid ${child.pid ?? "?"}) in ${plan.cwd}`);
    if (plan.healthcheck && plan.healthcheckMode !== "skip") {
      const hc = plan.healthcheck;
      const check = () =>
        probe(hc, "127.0.0.1", plan.hostPort, (cmd, timeoutMs) => runShell(cmd, { cwd: plan.cwd, env, timeoutMs }));
      const health = await simulateHealthcheck({
        hc,
        via: healthVia(hc, plan.hostPort),
        check,
        exited: async () => exitCode,
        say: o.note,
        cancelled: () => interrupted,
      });
      if (plan.healthcheckMode === "only") {
        signalGroup(child.pid, "SIGTERM");
        const t = setTimeout(() => signalGroup(child.pid, "SIGKILL"), 10_000);
        await closed;
        clearTimeout(t);
        return { exitCode: health.passed ? 0 : 1, health };
      }
      const code = await closed;
      return { exitCode: code, health };
    }
    return { exitCode: await closed };
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
