/**
 * `paasta autoscale -s S -i I -c C`: an instance's autoscaler (current and desired count, metric vs setpoint,
 * bounds, override, pause), and PaaSTA's ways to steer it: `--set N` (a bespoke instance's count; for others
 * the count pinned as min = max = N for `--for`), `--set-min N` / `--set-max N` (temporary bounds that expire
 * after `--for`). Through the cluster's API; writes use the API token (docs/autoscaling.md).
 */
import type { Command } from "commander";
import type { ApiClient } from "../../api/client.js";
import type { SystemConfig } from "../../config/system.js";
import { PaastaError } from "../../errors.js";
import type { AutoscalerStatus } from "../../model/autoscaling.js";
import { examples, jsonOption, printJson, requireSystemConfig } from "../common.js";
import { type Io, marks } from "../io.js";
import type { Runner } from "../registry.js";
import { humanDuration } from "./status.js";

interface AutoscaleOptions {
  service: string;
  instance: string;
  cluster: string;
  set?: string;
  setMin?: string;
  setMax?: string;
  for?: string;
  json?: boolean;
}

export function register(program: Command, io: Io, run: Runner): void {
  const cmd = program
    .command("autoscale")
    .description("Show an instance's autoscaler, or set its count or temporary min/max (they expire)")
    .requiredOption("-s, --service <service>", "the service")
    .requiredOption("-i, --instance <instance>", "the instance")
    .requiredOption("-c, --cluster <cluster>", "the cluster")
    .option("--set <n>", "the count: bespoke instances get it now; others are pinned to it (min = max = N) for --for")
    .option("--set-min <n>", "a temporary min_instances (until --for runs out)")
    .option("--set-max <n>", "a temporary max_instances (until --for runs out)")
    .option("--for <duration>", "how long an override lasts: 90s, 30m, 2h, 1d, 1h30m (default 1h)")
    .option("-d, --soa-dir <dir>", "accepted as in PaaSTA (the cluster's API reads its own soa-configs)");
  jsonOption(cmd)
    .addHelpText(
      "after",
      `${examples(
        "paasta autoscale -s hello -i main -c dev",
        "paasta autoscale -s hello -i main -c dev --set-min 3 --for 30m",
        "paasta autoscale -s hello -i main -c dev --set 4 --for 2h",
      )}
Overrides live in the cluster's record (they survive restarts) and expire by themselves; the pause of the
whole cluster is \`paasta pause_service_autoscaler\`.
`,
    )
    .action((opts: AutoscaleOptions) => run(runAutoscale(opts, io)));
}

const count = (flag: string, v: string | undefined): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0)
    throw new PaastaError("PAASTA_AUTOSCALING_REQUEST_INVALID", {
      detail: `${flag} must be a whole number ≥ 0, not ${v}`,
    });
  return n;
};

/** `90s`, `30m`, `2h`, `1d`, `1h30m` (a bare number is minutes, as PaaSTA's pause takes) → seconds. */
export function parseDuration(text: string): number {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t) * 60;
  const unit: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
  const parts = [...t.matchAll(/(\d+)\s*([smhdw])/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== t.replace(/\s+/g, ""))
    throw new PaastaError("PAASTA_AUTOSCALING_REQUEST_INVALID", {
      detail: `not a duration: ${text} (e.g. 30m, 2h, 1h30m)`,
    });
  return parts.reduce((n, p) => n + Number(p[1]) * (unit[p[2] as string] as number), 0);
}

/** The token writes send: the system config's, $PAASTA_API_TOKEN, or the one a local cluster generated. */
export async function writeToken(
  system: SystemConfig,
  cluster: string,
  env: NodeJS.ProcessEnv,
): Promise<string | undefined> {
  const { apiToken } = await import("../../runtime/api-token.js");
  const { existsSync } = await import("node:fs");
  const { join } = await import("node:path");
  const backend = system.get("cluster_backends")?.[cluster] ? system.clusterBackend(cluster) : undefined;
  const dir =
    backend?.type === "local" && existsSync(join(backend.state_dir, "api-token")) ? backend.state_dir : undefined;
  return apiToken(system, env, dir).token;
}

async function client(io: Io, cluster: string): Promise<{ api: ApiClient; system: SystemConfig }> {
  const system = await requireSystemConfig(io);
  const { apiClient } = await import("../../api/client.js");
  return { api: apiClient(system, cluster), system };
}

/** The body of an answer, or its catalogue error. */
export function answer<T>(r: { status: number; body: unknown }, cluster: string): T {
  if (r.status >= 200 && r.status < 300) return r.body as T;
  const b = (r.body ?? {}) as { code?: string; message?: string; params?: Record<string, string> };
  throw new PaastaError("PAASTA_API_ERROR", { cluster, status: r.status, detail: b.message ?? String(r.body) });
}

export async function runAutoscale(opts: AutoscaleOptions, io: Io): Promise<number> {
  const set = count("--set", opts.set);
  const min = count("--set-min", opts.setMin);
  const max = count("--set-max", opts.setMax);
  if (set !== undefined && (min !== undefined || max !== undefined))
    throw new PaastaError("PAASTA_USAGE", { detail: "--set excludes --set-min and --set-max" });
  if (opts.for !== undefined && set === undefined && min === undefined && max === undefined)
    throw new PaastaError("PAASTA_USAGE", { detail: "--for goes with --set, --set-min or --set-max" });
  const { api, system } = await client(io, opts.cluster);
  const path = `/v1/services/${opts.service}/${opts.instance}/autoscaler`;
  const before = answer<AutoscalerStatus>(await api.get(path), opts.cluster);
  if (set === undefined && min === undefined && max === undefined) {
    if (opts.json) printJson(io, before);
    else printAutoscaler(io, before);
    return 0;
  }
  const token = await writeToken(system, opts.cluster, io.env);
  const { DEFAULTS } = await import("../../config/resolve/defaults.js");
  const seconds = opts.for === undefined ? DEFAULTS.autoscale_override_seconds : parseDuration(opts.for);
  if (set !== undefined && before.decision_policy === "bespoke") {
    const r = answer<{ desired_instances: number; status: string }>(
      await api.post(path, token, { desired_instances: set }),
      opts.cluster,
    );
    if (opts.json) printJson(io, r);
    else io.out(`${opts.service}.${opts.instance}: ${r.desired_instances} replica(s) (${r.status})`);
    return 0;
  }
  const body = {
    min_instances: set ?? min ?? null,
    max_instances: set ?? max ?? null,
    expire_after: Math.floor(Date.now() / 1000) + Math.round(seconds),
  };
  const r = answer<{ override: AutoscalerStatus["override"] }>(
    await api.post(`/v1/service_autoscaler/${opts.service}/${opts.instance}/autoscaling_override`, token, body),
    opts.cluster,
  );
  if (opts.json) printJson(io, r);
  else {
    const what =
      set !== undefined
        ? `pinned to ${set}`
        : [min !== undefined ? `min ${min}` : "", max !== undefined ? `max ${max}` : ""].filter(Boolean).join(", ");
    io.out(
      `${opts.service}.${opts.instance} on ${opts.cluster}: ${what} until ${r.override?.expires_at} (for ${humanDuration(seconds * 1000)})`,
    );
  }
  return 0;
}

/** The autoscaler of one instance, as lines (shared with `paasta status -v`). */
export function autoscalerLines(s: AutoscalerStatus, io: Io, now = Date.now()): string[] {
  const m = marks(io);
  const metric =
    s.metric === null
      ? m.dim("no metric value yet")
      : `${s.metric} ${s.current ?? "-"} vs setpoint ${s.setpoint ?? "-"}`;
  const lines = [
    `Autoscaling (${s.decision_policy}): ${s.current_instances} → ${s.desired} replica(s) (min ${s.min}, max ${s.max}); ${metric}`,
  ];
  for (const x of s.metrics) if (!x.available || x.reason) lines.push(`  ${x.type}: ${m.dim(x.reason ?? "no value")}`);
  if (s.override) {
    const o = s.override;
    const b = [
      o.min_instances !== null ? `min ${o.min_instances}` : "",
      o.max_instances !== null ? `max ${o.max_instances}` : "",
    ];
    lines.push(`  Override: ${b.filter(Boolean).join(", ")} for ${humanDuration(Date.parse(o.expires_at) - now)} more`);
  }
  if (s.paused_until) lines.push(m.yellow(`  Paused: for ${humanDuration(Date.parse(s.paused_until) - now)} more`));
  return lines;
}

function printAutoscaler(io: Io, s: AutoscalerStatus): void {
  io.out(marks(io).bold(`${s.service}.${s.instance} on ${s.cluster}`));
  for (const l of autoscalerLines(s, io)) io.out(`  ${l}`);
}
