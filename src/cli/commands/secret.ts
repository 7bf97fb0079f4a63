/**
 * `paasta secret add|update|decrypt|run|list`: PaaSTA's secret files in soa-configs, encrypted with the system
 * config's provider (age). Plaintexts come from stdin (or `-p`, with a warning); only `decrypt` and `run`
 * ever output one, by design.
 */
import type { Command } from "commander";
import { PaastaError } from "../../errors.js";
import {
  commaList,
  examples,
  jsonOption,
  optionalSystemConfig,
  printJson,
  resolveSoaDir,
  type SoaDirOptions,
  soaDirOptions,
} from "../common.js";
import { type Io, marks } from "../io.js";
import type { Runner } from "../registry.js";

interface TargetOptions extends SoaDirOptions {
  service?: string;
  shared?: boolean;
  secretName: string;
  clusters?: string;
}
interface WriteOptions extends TargetOptions {
  plainText?: string;
  stdin?: boolean;
}
interface RunOptions extends SoaDirOptions {
  service: string;
  instance: string;
  clusters: string;
}
interface ListOptions extends SoaDirOptions {
  service?: string;
  shared?: boolean;
  json?: boolean;
}

const ABOUT = `
Secret files are soa-configs' SERVICE/secrets/NAME.json (\`--shared\`: _shared/secrets/NAME.json), one
ciphertext per secret environment; a cluster's environment is vault_cluster_map[cluster], else its name. The
system config key \`secrets\` says how to encrypt and decrypt (docs/secrets.md). Commit the file after add/update:
the next reconcile bounces the instances that use it.
`;

function owner(cmd: Command, allowShared = true): Command {
  if (!allowShared) return soaDirOptions(cmd.requiredOption("-s, --service <service>", "the service"));
  cmd.option("-s, --service <service>", "the service whose secret it is");
  cmd.option("--shared", "a secret of _shared/, usable by every service as SHARED_SECRET(NAME)");
  return soaDirOptions(cmd);
}

export function register(program: Command, io: Io, run: Runner): void {
  const secret = program
    .command("secret")
    .description("Add, update, decrypt, list PaaSTA service secrets, or run a command with them")
    .addHelpText(
      "after",
      `${examples(
        'printf %s "$DB_PASSWORD" | paasta secret add -s web -n db_password -c dev,prod -i -y ./soa-configs',
        "paasta secret decrypt -s web -n db_password -c dev -y ./soa-configs",
        "paasta secret run -s web -i main -c dev -y ./soa-configs -- env",
        "paasta secret list -s web -y ./soa-configs",
      )}${ABOUT}`,
    );
  for (const action of ["add", "update"] as const) {
    const cmd = secret
      .command(action)
      .description(action === "add" ? "Encrypt a new secret" : "Encrypt a new value of an existing secret")
      .requiredOption("-n, --secret-name <name>", "the secret's name: reference it as SECRET(NAME)")
      .option("-c, --clusters <clusters>", "comma-separated clusters (default: every cluster the service runs in)")
      .option(
        "-i, --stdin",
        "read the plaintext from stdin as is (without -i: up to end of input, less one final newline)",
      )
      .option("-p, --plain-text <text>", "the plaintext on the command line (lands in your shell history: prefer -i)");
    owner(cmd)
      .addHelpText(
        "after",
        examples(`printf %s "$VALUE" | paasta secret ${action} -s web -n db_password -c dev -i -y ./soa-configs`),
      )
      .action((opts: WriteOptions) => run(runWrite(action, opts, io)));
  }
  owner(
    secret
      .command("decrypt")
      .description("Print a secret's plaintext for one cluster (exactly its bytes, no newline added)")
      .requiredOption("-n, --secret-name <name>", "the secret's name")
      .option("-c, --clusters <cluster>", "the cluster (one; default: the service's only cluster)"),
  )
    .addHelpText("after", examples("paasta secret decrypt -s web -n db_password -c dev -y ./soa-configs"))
    .action((opts: TargetOptions) => run(runDecrypt(opts, io)));
  owner(
    secret
      .command("run")
      .description("Run a command (default: bash) with the instance's secret env variables added to your environment")
      .requiredOption("-i, --instance <instance>", "the instance whose env says which secrets go in which variables")
      .requiredOption("-c, --clusters <cluster>", "the cluster (one)")
      .argument("[cmd...]", "the command and its arguments, after --"),
    false,
  )
    .addHelpText("after", examples("paasta secret run -s web -i main -c dev -y ./soa-configs -- ./manage.py migrate"))
    .action((cmd: string[], opts: RunOptions) => run(runWithSecrets(cmd, opts, io)));
  jsonOption(owner(secret.command("list").description("List the secrets and the environments each has a value for")))
    .addHelpText("after", examples("paasta secret list -s web -y ./soa-configs", "paasta secret list --shared --json"))
    .action((opts: ListOptions) => run(runList(opts, io)));
}

function serviceOf(opts: { service?: string; shared?: boolean }): string | undefined {
  if (opts.shared && opts.service)
    throw new PaastaError("PAASTA_USAGE", { detail: "give -s SERVICE or --shared, not both" });
  if (!opts.shared && !opts.service) throw new PaastaError("PAASTA_USAGE", { detail: "give -s SERVICE or --shared" });
  return opts.shared ? undefined : opts.service;
}

async function context(opts: SoaDirOptions, io: Io) {
  return { soaDir: await resolveSoaDir(opts, io, io.cwd), system: await optionalSystemConfig(io) };
}

async function plaintextOf(opts: WriteOptions, io: Io): Promise<Uint8Array> {
  if (opts.plainText !== undefined && opts.stdin)
    throw new PaastaError("PAASTA_USAGE", { detail: "give -p/--plain-text or -i/--stdin, not both" });
  if (opts.plainText !== undefined) {
    io.err("! -p/--plain-text puts the secret in your shell history and the process list: prefer -i (stdin)");
    return new TextEncoder().encode(opts.plainText);
  }
  if (opts.stdin) return io.readStdin();
  if (io.interactive) io.err("Enter the plaintext, then a newline and Ctrl-D:");
  const all = await io.readStdin();
  return all.at(-1) === 0x0a ? all.subarray(0, all.length - 1) : all;
}

async function runWrite(action: "add" | "update", opts: WriteOptions, io: Io): Promise<number> {
  const { writeSecret, targetClusters } = await import("../../secrets/manage.js");
  const service = serviceOf(opts);
  const target = { ...(await context(opts, io)), service, name: opts.secretName };
  const clusters = targetClusters(target, commaList(opts.clusters));
  const plaintext = await plaintextOf(opts, io);
  if (plaintext.length === 0) io.err("! the plaintext is empty");
  const r = await writeSecret({ ...target, clusters, action }, plaintext);
  const ref = `${service ? "" : "SHARED_"}SECRET(${opts.secretName})`;
  const envs = Object.entries(r.environments).map(([env, sig]) => `${env} (signature ${sig})`);
  const varName = opts.secretName.toUpperCase().replace(/[^A-Z0-9_]+/g, "_");
  io.out(marks(io).ok(`${action === "add" ? "Added" : "Updated"} ${ref} in ${r.file} for ${envs.join(", ")}`));
  io.out(
    `Reference it in an instance's env (or secret_volumes), e.g.\n\n  main:\n    env:\n      ${varName}: ${ref}\n`,
  );
  io.out(`Then commit ${r.file} and push: instances using it bounce to the new value.`);
  return 0;
}

async function runDecrypt(opts: TargetOptions, io: Io): Promise<number> {
  const { decryptSecret, targetClusters } = await import("../../secrets/manage.js");
  const target = { ...(await context(opts, io)), service: serviceOf(opts), name: opts.secretName };
  const clusters = targetClusters(target, commaList(opts.clusters));
  if (clusters.length !== 1)
    throw new PaastaError("PAASTA_USAGE", {
      detail: `decrypt works on one cluster at a time (${clusters.join(", ")}): pass -c CLUSTER`,
    });
  io.write(await decryptSecret({ ...target, cluster: clusters[0] as string }));
  return 0;
}

async function runWithSecrets(cmd: string[], opts: RunOptions, io: Io): Promise<number> {
  const { resolveLocalRun, runnable } = await import("../../local-run/spec.js");
  const { decryptTaskSecrets } = await import("../../secrets/task.js");
  const { soaDir, system } = await context(opts, io);
  const cluster = commaList(opts.clusters)?.length === 1 ? opts.clusters.trim() : undefined;
  if (!cluster) throw new PaastaError("PAASTA_USAGE", { detail: "run works on one cluster: pass -c CLUSTER" });
  const target = resolveLocalRun({
    soaDir,
    system,
    service: opts.service,
    cluster,
    instance: opts.instance,
    onProblem: (p) =>
      io.err(`✗ ${p.file}${p.line ? `:${p.line}:${p.col ?? 1}` : ""}${p.path ? ` ${p.path}` : ""}: ${p.message}`),
  });
  const secrets = await decryptTaskSecrets({
    soaDir,
    system,
    service: runnable(target).service,
    cluster,
    env: runnable(target).env,
    secretVolumes: [],
  });
  const argv = cmd.length > 0 ? cmd : ["bash"];
  const env = { ...io.env, ...secrets.env, ...(cmd.length > 0 ? {} : { PS1: "(paasta secret run) \\$ " }) };
  const { spawn } = await import("node:child_process");
  return new Promise<number>((resolve, reject) => {
    const child = spawn(argv[0] as string, argv.slice(1), { stdio: "inherit", env, cwd: io.cwd });
    child.on("error", (e) =>
      reject(new PaastaError("PAASTA_USAGE", { detail: `cannot run ${argv[0]}: ${(e as Error).message}` })),
    );
    child.on("exit", (code, signal) => resolve(code ?? 128 + (signal ? signalNumber(signal) : 0)));
  });
}

function signalNumber(signal: NodeJS.Signals): number {
  return ({ SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 } as Record<string, number>)[signal] ?? 0;
}

async function runList(opts: ListOptions, io: Io): Promise<number> {
  const { listSecrets } = await import("../../secrets/manage.js");
  const service = serviceOf(opts);
  const { soaDir } = await context(opts, io);
  const secrets = listSecrets(soaDir, service);
  if (opts.json) {
    printJson(io, { secrets });
    return 0;
  }
  if (secrets.length === 0) io.out(`No secrets in ${service ?? "_shared"}/secrets/`);
  for (const s of secrets) {
    const envs = Object.entries(s.environments).map(([env, sig]) => `${env} ${sig}`);
    io.out(`${s.name}\t${s.problem ? `✗ ${s.problem}` : envs.join(", ") || "(no environments)"}`);
  }
  return 0;
}
