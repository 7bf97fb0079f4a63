/**
 * Build and test steps, run in a fresh checkout of the commit (as a CI job would): `itest` (`make itest` with
 * DOCKER_TAG, PaaSTA's contract), `push-to-registry` (cook the image if the engine does not have it, then
 * push; nothing when the registry has it already), `itest-and-push-to-registry`, `security-check` (`make
 * security-check` when the Makefile has that target) and `command-*` (its `command`, with `sh -c`).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { ensureCommit, firstLine, type GitOptions, runGit } from "../deploy/git.js";
import { PaastaError } from "../errors.js";
import { imageTarget, registryFor } from "../image/target.js";
import type { PlanStep } from "./plan.js";
import type { StepContext, StepOutcome } from "./step-context.js";

/** A checkout of `sha` in a temporary directory (objects shared with the git cache); `remove` deletes it. */
export async function checkoutCommit(
  url: string,
  sha: string,
  git: GitOptions = {},
): Promise<{ dir: string; remove: () => void }> {
  const { repo, sha: full } = await ensureCommit(url, sha, git);
  const dir = join(mkdtempSync(join(tmpdir(), "paasta-pipeline-")), "src");
  const remove = () => rmSync(join(dir, ".."), { recursive: true, force: true });
  const clone = await runGit(["clone", "--quiet", "--shared", "--no-checkout", repo, dir]);
  const co = clone.code === 0 ? await runGit(["checkout", "--quiet", "--detach", full], { cwd: dir }) : clone;
  if (co.code !== 0) {
    remove();
    throw new PaastaError("PAASTA_GIT_UNKNOWN_SHA", { sha: full, url: `${url} (checkout: ${firstLine(co.stderr)})` });
  }
  return { dir, remove };
}

/** Runs `argv` in `dir`, streaming its output lines; resolves with its exit code (or a signal/timeout text). */
function runStreaming(
  argv: readonly string[],
  o: { dir: string; env: NodeJS.ProcessEnv; timeoutSeconds: number; line: (l: string) => void },
): Promise<{ ok: boolean; why: string }> {
  return new Promise((resolve) => {
    const child = spawn(argv[0] as string, argv.slice(1), {
      cwd: o.dir,
      env: o.env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    createInterface({ input: child.stdout }).on("line", o.line);
    createInterface({ input: child.stderr }).on("line", o.line);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        // gone already
      }
    }, o.timeoutSeconds * 1000);
    child.on("error", (e) => {
      clearTimeout(timer);
      resolve({ ok: false, why: `could not start ${argv[0]}: ${e.message}` });
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (timedOut) resolve({ ok: false, why: `stopped after the step's ${o.timeoutSeconds}s timeout` });
      else if (code === 0) resolve({ ok: true, why: "exited 0" });
      else resolve({ ok: false, why: code === null ? `killed by ${signal}` : `exited ${code}` });
    });
  });
}

async function image(ctx: StepContext): Promise<string> {
  const registry = await registryFor(ctx.service, ctx.record.soaDir, ctx.system);
  return imageTarget(ctx.service, ctx.sha, null, registry).url;
}

async function make(step: PlanStep, target: string, ctx: StepContext): Promise<StepOutcome> {
  const dir = await ctx.checkout();
  const url = await image(ctx);
  const r = await runStreaming(["make", target], {
    dir,
    env: { ...ctx.env, DOCKER_TAG: url },
    timeoutSeconds: step.timeoutSeconds,
    line: ctx.line,
  });
  return { ok: r.ok, detail: `make ${target} ${r.why}` };
}

async function push(ctx: StepContext): Promise<StepOutcome> {
  const { RegistryClient } = await import("../image/registry.js");
  const { connectEngine } = await import("../image/engine.js");
  const { imageExists, pushImage } = await import("../image/images.js");
  const { cookImage } = await import("../image/cook.js");
  const url = await image(ctx);
  const registry = new RegistryClient({ env: ctx.env });
  const before = await registry.manifest(url);
  if (before.exists) return { ok: true, detail: `${url} is already in the registry (${before.digest})` };
  const engine = await connectEngine(ctx.env);
  if (!(await imageExists(engine, url))) {
    ctx.line(`${url} is not built here: cooking it`);
    await cookImage({ dir: await ctx.checkout(), image: url, env: ctx.env, out: ctx.line, err: ctx.line });
  }
  await pushImage(engine, url, ctx.env, ctx.line);
  const after = await registry.manifest(url);
  return { ok: true, detail: `pushed ${url} (${after.digest ?? "digest unknown"})` };
}

export async function runBuildStep(step: PlanStep, ctx: StepContext): Promise<StepOutcome> {
  switch (step.name) {
    case "itest":
      return make(step, "itest", ctx);
    case "push-to-registry":
      return push(ctx);
    case "itest-and-push-to-registry": {
      const tested = await make(step, "itest", ctx);
      return tested.ok ? push(ctx) : tested;
    }
    case "security-check": {
      const { makeHasTarget } = await import("../image/make.js");
      if (!makeHasTarget(await ctx.checkout(), "security-check"))
        return { ok: true, skipped: true, detail: "the Makefile has no security-check target" };
      return make(step, "security-check", ctx);
    }
    default: {
      const dir = await ctx.checkout();
      const r = await runStreaming(["sh", "-c", step.command ?? "false"], {
        dir,
        env: { ...ctx.env, PAASTA_SERVICE: ctx.service, PAASTA_GIT_SHA: ctx.sha },
        timeoutSeconds: step.timeoutSeconds,
        line: ctx.line,
      });
      return { ok: r.ok, detail: `${step.command} ${r.why}` };
    }
  }
}
