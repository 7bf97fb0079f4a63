/** `paasta local-run`: run an instance on this machine as production would, in a container or as a process. */
import type { Command } from "commander";
import { PaastaError } from "../../errors.js";
import {
  aliasOption,
  examples,
  guessService,
  optionalSystemConfig,
  printJson,
  resolveSoaDir,
  type SoaDirOptions,
} from "../common.js";
import type { Io } from "../io.js";
import type { Runner } from "../registry.js";

interface LocalRunOptions extends SoaDirOptions {
  service?: string;
  cluster?: string;
  instance: string;
  build?: boolean;
  pull?: boolean;
  dryRun?: boolean;
  json?: boolean;
  cmd?: string;
  interactive?: boolean;
  healthcheck: boolean;
  healthcheckOnly?: boolean;
  port?: string;
  sha?: string;
  executor?: "docker" | "process";
  volume: string[];
  verbose?: boolean;
  skipSecrets?: boolean;
  date?: string;
}

export function register(program: Command, io: Io, run: Runner): void {
  const cmd = program
    .command("local-run")
    .description(
      "Run an instance on this machine with its production environment, resources and health check (container or process)",
    )
    .option("-s, --service <service>", "the service (default: the current directory's name)")
    .option("-c, --cluster <cluster>", "the cluster whose config to use (default: the system config's cluster)")
    .requiredOption("-i, --instance <instance>", "the instance: a kubernetes/eks/adhoc instance, or JOB.ACTION of Tron")
    .option("-b, --build", "build the image from the current directory first (make cook-image, else its Dockerfile)")
    .option("-p, --pull", "pull the deployed image (or --sha's) from the registry and run it")
    .option("-d, --dry-run", "print what would run and run nothing")
    .option("--json", "with --dry-run: print it as JSON (also --json-dict, PaaSTA's name)")
    .option("-C, --cmd <cmd>", "run this command (through sh -c) instead of the instance's cmd")
    .option("-I, --interactive", "attach the terminal (a shell unless --cmd is given)")
    .option("-k, --no-healthcheck", "do not simulate the health check")
    .option("-t, --healthcheck-only", "start it, run only the health check, stop it: exit 0 when it passed, 1 when not")
    .option("-o, --port <port>", "host port to publish container_port on (default: a free one)")
    .option("--sha <sha>", "run the image of this commit instead of the deployed one")
    .option("--executor <executor>", "docker or process (default: docker when an engine answers, else process)")
    .option(
      "--volume <host:container[:mode]>",
      "extra bind mount, like docker run -v (repeatable)",
      (v: string, all: string[]) => [...all, v],
      [],
    )
    .option("--date <YYYY-MM-DD>", "the date a Tron action's {shortdate}, {year}… are filled with (default: today)")
    .option("-v, --verbose", "accepted as in PaaSTA (the build and engine output is always shown)")
    .option("--skip-secrets", "do not decrypt SECRET(...) values: they are passed as written")
    // PaaSTA's local-run: -d is --dry-run, so the soa-configs directory is -y (or the long --soa-dir).
    .option(
      "-y, --yelpsoa-config-root <dir>",
      "soa-configs directory (default: $PAASTA_SOA_DIR, then system config soa_dir)",
    )
    .option("--soa-dir <dir>", "alias of -y/--yelpsoa-config-root");
  aliasOption(cmd, "--json-dict", "json");
  cmd
    .addHelpText(
      "after",
      `${examples(
        "cd ~/src/hello && paasta local-run -s hello -c dev -i main --build",
        "paasta local-run -s hello -c dev -i main --build --cmd 'echo FOO=$FOO; exit 42'",
        "paasta local-run -s hello -c dev -i main --pull -t",
        "paasta local-run -s reports -c dev -i nightly.extract -d --json-dict --date 2026-01-31",
        "paasta local-run -s hello -c dev -i main --executor process -k",
      )}
Without --build or --pull, the image is built when the current directory has a Dockerfile (or a Makefile with
cook-image) and no --sha is given, as in PaaSTA; otherwise the deployed image (deployments.json) is used and
pulled when missing. The container gets the production environment (PAASTA_* and the instance's env), cpus
(+cpu_burst_add) as a CPU quota, mem as its memory limit, container_port published on 127.0.0.1 and the
configured volumes. The exit code is the container's. Without a container engine (DOCKER_HOST, or the default
socket) it runs as a process in the current directory, the service's repository. With -C/--cmd the health
check is not simulated (the command is usually a one-shot) unless -t asks for it.
`,
    )
    .action((opts: LocalRunOptions) => run(runLocalRun(opts, io)));
}

export async function runLocalRun(opts: LocalRunOptions, io: Io): Promise<number> {
  const { resolveLocalRun, deployedImage, runnable } = await import("../../local-run/spec.js");
  const { makePlan, commandLine, quoteCommandLine } = await import("../../local-run/plan.js");
  const { connectEngine } = await import("../../image/engine.js");
  if (opts.build && opts.pull)
    throw new PaastaError("PAASTA_USAGE", { detail: "--build and --pull exclude each other" });
  if (opts.executor && opts.executor !== "docker" && opts.executor !== "process")
    throw new PaastaError("PAASTA_USAGE", { detail: `--executor must be docker or process, not ${opts.executor}` });
  const system = await optionalSystemConfig(io);
  const soaDir = await resolveSoaDir(opts, io);
  const service = guessService(io, opts.service).replace(/^services-/, "");
  // PaaSTA's system config `local_run_config.default_cluster`, else the system config's own cluster.
  const localRunConfig = system?.data.local_run_config as { default_cluster?: unknown } | undefined;
  const defaultCluster =
    typeof localRunConfig?.default_cluster === "string" ? localRunConfig.default_cluster : undefined;
  const cluster = opts.cluster ?? defaultCluster ?? system?.get("cluster");
  if (!cluster) throw new PaastaError("PAASTA_USAGE", { detail: "no cluster: pass -c CLUSTER" });
  const target = resolveLocalRun({
    soaDir,
    system,
    service,
    cluster,
    instance: opts.instance,
    onProblem: (p) =>
      io.err(`✗ ${p.file}${p.line ? `:${p.line}:${p.col ?? 1}` : ""}${p.path ? ` ${p.path}` : ""}: ${p.message}`),
  });

  // The executor: as asked, else docker when an engine answers, else a process.
  let engine: Awaited<ReturnType<typeof connectEngine>> | undefined;
  let executor = opts.executor;
  if (executor !== "process") {
    try {
      engine = await connectEngine(io.env, 3000);
      executor = "docker";
    } catch (e) {
      if (executor === "docker") throw e;
      executor = "process";
      io.err(`! ${(e as Error).message}: running as a process in ${io.cwd} (cpus and mem are not enforced)`);
    }
  }
  if (opts.pull && executor === "process")
    throw new PaastaError("PAASTA_USAGE", {
      detail: "--pull needs a container engine (the process executor runs the current directory)",
    });

  const { cookMethod } = await import("../../image/cook.js");
  const { resolveCommit } = await import("../../image/target.js");
  const hasRecipe = (() => {
    try {
      cookMethod(io.cwd);
      return true;
    } catch {
      return false;
    }
  })();
  const headSha = (() => {
    try {
      return resolveCommit(io.cwd, undefined);
    } catch {
      return undefined;
    }
  })();
  const build = executor === "docker" && (opts.build === true || (!opts.pull && !opts.sha && hasRecipe));
  let image: string | null = null;
  let gitSha = headSha ?? target.deployed?.git_sha ?? "unknown";
  let imageVersion: string | null = null;
  if (executor === "docker") {
    if (build) {
      image = io.env.DOCKER_TAG ?? `paasta-local-run-${service}-${(io.env.USER ?? "user").toLowerCase()}`;
    } else {
      const sha = opts.sha ?? target.deployed?.git_sha;
      if (!sha) {
        throw new PaastaError("PAASTA_NOT_DEPLOYED", {
          what: `${service}.${opts.instance}`,
          group: runnable(target).deploy_group ?? "(none)",
        });
      }
      gitSha = sha;
      imageVersion = opts.sha ? null : (target.deployed?.image_version ?? null);
      image = deployedImage(target, sha, imageVersion);
    }
  }

  let hostPort: number | null = null;
  const wantsPort = opts.port !== undefined || (target.kind === "instance" && target.config.type !== "adhoc");
  if (wantsPort) {
    const { allocatePort, ephemeralPort } = await import("../../backends/local/ports.js");
    if (opts.port !== undefined) {
      const p = Number(opts.port);
      if (!Number.isInteger(p) || p < 1 || p > 65535)
        throw new PaastaError("PAASTA_USAGE", { detail: `bad --port ${opts.port}` });
      hostPort = await allocatePort(new Set(), [p, p]).catch(() => {
        throw new PaastaError("PAASTA_USAGE", {
          detail: `port ${p} is already in use: pick another -o PORT, or omit it`,
        });
      });
    } else hostPort = await ephemeralPort(); // not the local runtime's range: both may run at once
  }
  const checked = target.kind === "instance" && target.config.type !== "adhoc" && target.config.healthcheck.mode;
  if (opts.healthcheckOnly && !checked) {
    throw new PaastaError("PAASTA_USAGE", {
      detail: `--healthcheck-only, but ${service}.${opts.instance} has no health check (healthcheck_mode)`,
    });
  }
  const plan = makePlan({
    target,
    executor,
    image,
    imageSource: build ? "build" : opts.pull ? "pull" : "local-or-pull",
    gitSha,
    imageVersion,
    cmd: opts.cmd,
    interactive: opts.interactive === true,
    hostPort,
    healthcheckMode: opts.healthcheckOnly
      ? "only"
      : opts.healthcheck === false || opts.cmd !== undefined
        ? "skip"
        : "run",
    date: parseDate(opts.date),
    extraVolumes: opts.volume,
    cwd: io.cwd,
  });
  for (const v of plan.skippedVolumes) io.err(`! volume ${v} skipped: its host path does not exist here`);

  if (opts.dryRun) {
    const argv = commandLine(plan);
    if (opts.json) printJson(io, { ...plan, command_line: argv });
    else {
      if (build) io.out(`# build: ${hasRecipe ? cookMethod(io.cwd) : "Dockerfile"} in ${io.cwd} → ${image}`);
      io.out(quoteCommandLine(argv));
    }
    return 0;
  }

  // SECRET() values are decrypted for the run only (never in --dry-run's output); --skip-secrets keeps them.
  const { withSecrets } = await import("../../local-run/secrets.js");
  const secrets = opts.skipSecrets ? undefined : await withSecrets(plan, target, soaDir, system);
  process.once("exit", () => secrets?.cleanup());
  const output = { out: io.out, err: io.err, note: (l: string) => io.err(l) };
  let result: { exitCode: number; health?: { passed: boolean; seconds: number; checks: number; detail: string } };
  if (executor === "docker" && engine) {
    const { cookImage } = await import("../../image/cook.js");
    const { ensureImage, pullImage } = await import("../../image/images.js");
    const img = image as string;
    if (build) {
      io.err(`Building ${img} from ${io.cwd} …`);
      await cookImage({ dir: io.cwd, image: img, env: io.env, out: io.err, err: io.err });
    } else if (opts.pull) {
      io.err(`Pulling ${img} …`);
      await pullImage(engine, img, io.env, io.err);
    } else if ((await ensureImage(engine, img, io.env, io.err)) === "pulled") io.err(`Pulled ${img}`);
    const { runContainer } = await import("../../local-run/docker-run.js");
    result = await runContainer(engine, secrets?.plan ?? plan, output).finally(() => secrets?.cleanup());
  } else {
    const { runProcess } = await import("../../local-run/process-run.js");
    result = await runProcess(secrets?.plan ?? plan, io.env, output).finally(() => secrets?.cleanup());
  }
  if (opts.healthcheckOnly && result.health) {
    const h = result.health;
    io.out(
      `${h.passed ? "✓ Health check passed" : "✗ Health check failed"} after ${h.seconds}s (${h.checks} check${h.checks === 1 ? "" : "s"}): ${h.detail}`,
    );
  }
  return result.exitCode;
}

/** `--date 2026-01-31` → that day at 00:00 local time (PaaSTA's format), else a usage error. */
function parseDate(text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const m = /^(\d{4})-(\d\d)-(\d\d)$/.exec(text.trim());
  const d = m ? new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : undefined;
  if (!d || d.getMonth() !== Number(m?.[2]) - 1)
    throw new PaastaError("PAASTA_CLI_BAD_VALUE", {
      flag: "--date",
      detail: `"${text}" is not a date`,
      hint: "Give the date as YYYY-MM-DD, e.g. --date 2026-01-31.",
    });
  return d;
}
