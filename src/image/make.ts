/**
 * PaaSTA's repository contract: `make cook-image` and `make itest` run in the service's repository with
 * DOCKER_TAG set to the image name. Output is streamed line by line.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { PaastaError } from "../errors.js";

/** Whether `make` knows `target` in `dir` (`make --question` exits 0 or 1 for a known target, 2 otherwise). */
export function makeHasTarget(dir: string, target: string): boolean {
  if (!["Makefile", "makefile", "GNUmakefile"].some((f) => existsSync(join(dir, f)))) return false;
  const r = spawnSync("make", ["--question", target], { cwd: dir, stdio: "ignore", timeout: 10_000 });
  return r.status === 0 || r.status === 1;
}

export interface MakeOptions {
  readonly dir: string;
  readonly target: string;
  readonly image: string;
  readonly env: NodeJS.ProcessEnv;
  readonly timeoutSeconds?: number;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/** Runs `make TARGET` with DOCKER_TAG; resolves when it succeeded, else throws PAASTA_MAKE_FAILED. */
export function runMake(o: MakeOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("make", [o.target], {
      cwd: o.dir,
      env: { ...o.env, DOCKER_TAG: o.image },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    createInterface({ input: child.stdout }).on("line", o.out);
    createInterface({ input: child.stderr }).on("line", o.err);
    let timedOut = false;
    const timer =
      o.timeoutSeconds && o.timeoutSeconds > 0
        ? setTimeout(() => {
            timedOut = true;
            try {
              if (child.pid) process.kill(-child.pid, "SIGKILL");
            } catch {
              // gone
            }
          }, o.timeoutSeconds * 1000)
        : undefined;
    const fail = (detail: string) =>
      reject(new PaastaError("PAASTA_MAKE_FAILED", { target: o.target, image: o.image, detail }));
    child.on("error", (e) => {
      clearTimeout(timer);
      fail(`could not start: ${e.message} (is make installed?)`);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (timedOut) fail(`was stopped after the ${o.timeoutSeconds}s timeout`);
      else if (code === 0) resolve();
      else fail(code === null ? `was killed by ${signal}` : `failed with exit code ${code}`);
    });
  });
}
