/**
 * `paasta get-image-version`: the image_version for an automated redeploy of the same commit (PaaSTA's
 * rebuild-without-a-new-commit): a new timestamp when the commit's latest image_version is older than
 * --max-age (or with --force), else that latest one; nothing when no deploy.yaml step enables it.
 */
import type { Command } from "commander";
import { examples, resolveSoaDir, type SoaDirOptions } from "../common.js";
import { type Io, marks } from "../io.js";
import type { Runner } from "../registry.js";

interface ImageVersionOptions extends SoaDirOptions {
  service: string;
  commit: string;
  force?: boolean;
  maxAge: string;
}

export function register(program: Command, io: Io, run: Runner): void {
  program
    .command("get-image-version")
    .description("Print the image_version to rebuild a commit with (automated redeploys); nothing when not enabled")
    .requiredOption("-s, --service <service>", "the service")
    .requiredOption("-c, --commit <sha>", "the commit the image is built from")
    .option("-f, --force", "a new image_version even when the latest is recent")
    .option("--max-age <seconds>", "keep the latest image_version while it is younger than this", "2592000")
    .option("-y, --soa-dir <dir>", "soa-configs directory (default: $PAASTA_SOA_DIR, then system config soa_dir)")
    .addHelpText(
      "after",
      `${examples("paasta get-image-version -s hello -c $(git rev-parse HEAD)")}
Automated redeploys are enabled per deploy.yaml step (enable_automated_redeploys: true). The value is a
timestamp (YYYYMMDDTHHMMSS, local time, as PaaSTA's) to pass as mark-for-deployment --image-version.
`,
    )
    .action((opts: ImageVersionOptions) => run(runGetImageVersion(opts, io)));
}

/** `20261123T100405`, PaaSTA's format_timestamp. */
export function formatTimestamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}T${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

function parseTimestamp(text: string): number | undefined {
  const m = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)/.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  return new Date(y, mo - 1, d, h, mi, s).getTime();
}

export async function runGetImageVersion(opts: ImageVersionOptions, io: Io): Promise<number> {
  const { readServiceDir, fileValue } = await import("../../config/soa.js");
  const { readDeployments } = await import("../../deploy/deployments-file.js");
  const { PaastaError } = await import("../../errors.js");
  const soaDir = await resolveSoaDir(opts, io);
  const svc = readServiceDir(soaDir, opts.service);
  const pipeline = fileValue(svc, "deploy").pipeline;
  const enabled =
    Array.isArray(pipeline) &&
    pipeline.some((s) => (s as Record<string, unknown>)?.enable_automated_redeploys === true);
  const m = marks(io);
  if (!enabled) {
    io.err(m.yellow(`Automated redeploys not enabled for ${svc.name}, returning no image_version`));
    return 0;
  }
  const maxAge = Number(opts.maxAge);
  if (!Number.isFinite(maxAge) || maxAge < 0)
    throw new PaastaError("PAASTA_CLI_BAD_VALUE", {
      flag: "--max-age",
      detail: `"${opts.maxAge}" is not a number of seconds`,
      hint: "Give seconds, e.g. --max-age 2592000 (30 days).",
    });
  const now = new Date();
  const fresh = formatTimestamp(now);
  if (opts.force) {
    io.out(fresh);
    return 0;
  }
  const deployments = readDeployments(soaDir, svc.name)?.v2.deployments ?? {};
  const latest = Object.values(deployments)
    .filter((d) => d.image_version && d.git_sha.startsWith(opts.commit))
    .map((d) => d.image_version as string)
    .sort()
    .at(-1);
  const age = latest ? (now.getTime() - (parseTimestamp(latest) ?? 0)) / 1000 : Number.POSITIVE_INFINITY;
  if (latest && age < maxAge) io.out(latest);
  else {
    if (latest) io.err(m.yellow(`Old image version was ${Math.round(age)}s old, generating new one`));
    io.out(fresh);
  }
  return 0;
}
