/**
 * System configuration: every `*.json` under PAASTA_SYSTEM_CONFIG_DIR (default /etc/paasta), recursively,
 * deep-merged. Two files setting the same leaf key is an error naming both files and the key (PaaSTA's code
 * behaves so too, whatever its docs say). Unreadable files are skipped, as in PaaSTA (used to hide credentials
 * from non-root users).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join, relative, resolve } from "node:path";
import { z } from "zod";
import { PaastaError } from "../errors.js";
import { DEFAULTS } from "./resolve/defaults.js";

export const DEFAULT_SYSTEM_CONFIG_DIR = "/etc/paasta";

const localBackend = z.strictObject({
  type: z.literal("local"),
  executor: z.enum(["process", "docker"]).default("process"),
  state_dir: z.string(),
  /** The local proxy's HAProxy binary (docs/mesh.md); default: `haproxy` on PATH or in /usr/sbin. */
  haproxy_path: z.string().optional(),
  /** Days stopped/failed tasks stay in the history (and their directories on disk). */
  history_days: z.number().positive().optional(),
  /** Checkouts kept per service beyond those that run or are desired (rollback targets). */
  keep_versions: z.number().int().min(1).optional(),
});
const kubernetesBackend = z.strictObject({
  type: z.literal("kubernetes"),
  kubeconfig: z.string().optional(),
  context: z.string().optional(),
});
export const clusterBackendSchema = z.discriminatedUnion("type", [localBackend, kubernetesBackend]);
export type ClusterBackend = z.infer<typeof clusterBackendSchema>;
/** A cluster's backend as `clusterBackend()` returns it: paths expanded, the local runtime's retention filled in. */
export type ResolvedClusterBackend =
  | (Extract<ClusterBackend, { type: "local" }> & { history_days: number; keep_versions: number })
  | Extract<ClusterBackend, { type: "kubernetes" }>;

const volume = z.strictObject({ hostPath: z.string(), containerPath: z.string(), mode: z.enum(["RO", "RW"]) });
export type SystemVolume = z.infer<typeof volume>;

const logWriter = z.looseObject({
  driver: z.enum(["null", "file"]),
  options: z.record(z.string(), z.unknown()).optional(),
});
export type LogWriterConfig = z.infer<typeof logWriter>;

/** `secrets`: the provider that encrypts and decrypts `secrets/NAME.json`, per secret environment (docs/secrets.md). */
const ageEnvironment = z.strictObject({
  /** Public keys (`age1…`) a new ciphertext is encrypted to: needed wherever `paasta secret add/update` runs. */
  recipients: z.array(z.string().regex(/^age1[0-9a-z]+$/, "an age public key (age1…)")).optional(),
  /** The private key file (`age-keygen` output): only where tasks are started, or secrets decrypted. */
  identity_file: z.string().min(1).optional(),
});
export const secretsConfigSchema = z.discriminatedUnion("provider", [
  z.strictObject({ provider: z.literal("age"), environments: z.record(z.string(), ageEnvironment) }),
]);
export type SecretsConfig = z.infer<typeof secretsConfigSchema>;

/** `monitoring_sinks`: where the monitor sends alerts (docs/monitoring.md); several at once. */
const monitoringSink = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("alertmanager"), url: z.string().url() }),
  z.strictObject({ type: z.literal("webhook"), url: z.string().url() }),
  z.strictObject({
    type: z.literal("sensu"),
    host: z.string().min(1).default("localhost"),
    port: z.number().int().min(1).max(65535).default(3030),
  }),
  z.strictObject({ type: z.literal("log") }),
]);
export type MonitoringSinkConfig = z.infer<typeof monitoringSink>;

/** The keys paasta reads, typed. Other keys are kept (PaaSTA has many) and ignored. */
const knownKeys = {
  cluster: z.string().min(1),
  clusters: z.array(z.string().min(1)),
  soa_dir: z.string(),
  docker_registry: z.string().min(1),
  volumes: z.array(volume),
  api_endpoints: z.record(z.string(), z.string().url()),
  api_auth_token: z.string().min(1),
  log_writer: logWriter,
  dashboard_links: z.record(z.string(), z.record(z.string(), z.string())),
  cluster_backends: z.record(z.string(), clusterBackendSchema),
  deploy_whitelist: z.unknown(),
  topology_spread_constraints: z.array(z.record(z.string(), z.unknown())),
  pdb_max_unavailable: z.union([z.string(), z.number()]),
  unhealthy_pod_eviction_policy: z.enum(["AlwaysAllow", "IfHealthyBudget"]),
  default_bounce_overprovision_factor: z.number().min(0.25).max(1),
  tron_default_pool_override: z.string(),
  /** Kubernetes namespace of Tron action Jobs (ours; PaaSTA uses `tron`). */
  tron_namespace: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "a Kubernetes namespace name"),
  /** Seconds a missed scheduled time may still start late after the scheduler comes back (ours). */
  tron_start_grace_seconds: z.number().int().min(0),
  default_push_groups: z.array(z.string()),
  vault_cluster_map: z.record(z.string(), z.string()),
  secrets: secretsConfigSchema,
  pool_node_affinities: z.record(z.string(), z.unknown()),
  monitoring_sinks: z.array(monitoringSink),
  monitoring_check_interval_seconds: z.number().positive(),
  monitoring_bounce_stuck_seconds: z.number().positive(),
  autoscaler_interval_seconds: z.number().positive(),
  autoscaler_window_seconds: z.number().positive(),
} as const;
type Known = { [K in keyof typeof knownKeys]: z.infer<(typeof knownKeys)[K]> };

export interface SystemConfigData extends Partial<Known> {
  readonly [key: string]: unknown;
}

export class SystemConfig {
  /** Merged raw data. */
  readonly data: Readonly<SystemConfigData>;
  /** The directory it was read from. */
  readonly dir: string;
  /** For each top-level key, the file that set it (for error messages). */
  private readonly origins: ReadonlyMap<string, string>;

  constructor(data: SystemConfigData, dir: string, origins: ReadonlyMap<string, string> = new Map()) {
    this.data = data;
    this.dir = dir;
    this.origins = origins;
  }

  /** The typed value of `key`, or undefined when unset. Invalid values are an error naming the file. */
  get<K extends keyof Known>(key: K): Known[K] | undefined {
    const raw = this.data[key];
    if (raw === undefined) return undefined;
    const parsed = knownKeys[key].safeParse(raw);
    if (!parsed.success) {
      const detail = parsed.error.issues.map((i) => `${[key, ...i.path].join(".")}: ${i.message}`).join("; ");
      throw new PaastaError("PAASTA_SYSTEM_CONFIG_INVALID", { key, file: this.origins.get(key) ?? this.dir, detail });
    }
    return parsed.data as Known[K];
  }

  /** Like `get`, but a missing key is an error naming the key and the directory. */
  require<K extends keyof Known>(key: K): Known[K] {
    const v = this.get(key);
    if (v === undefined) throw new PaastaError("PAASTA_SYSTEM_CONFIG_KEY_MISSING", { key, dir: this.dir });
    return v;
  }

  cluster(): string {
    return this.require("cluster");
  }

  clusters(): string[] {
    return this.get("clusters") ?? [];
  }

  dockerRegistry(): string {
    return this.require("docker_registry");
  }

  volumes(): SystemVolume[] {
    return this.get("volumes") ?? [];
  }

  apiEndpoint(cluster: string): string {
    const endpoints = this.get("api_endpoints") ?? {};
    const url = endpoints[cluster];
    if (!url)
      throw new PaastaError("PAASTA_SYSTEM_CONFIG_KEY_MISSING", { key: `api_endpoints.${cluster}`, dir: this.dir });
    return url;
  }

  logWriter(): LogWriterConfig {
    return this.get("log_writer") ?? { driver: "null" };
  }

  /** The monitor's sinks: `monitoring_sinks`, else the event log only. */
  monitoringSinks(): MonitoringSinkConfig[] {
    return this.get("monitoring_sinks") ?? [{ type: "log" }];
  }

  /** Seconds between two check passes of the monitor. */
  monitoringCheckIntervalSeconds(): number {
    return this.get("monitoring_check_interval_seconds") ?? DEFAULTS.monitoring_check_interval_seconds;
  }

  /** Seconds a bounce may make no progress before it alerts. */
  monitoringBounceStuckSeconds(): number {
    return this.get("monitoring_bounce_stuck_seconds") ?? DEFAULTS.bounce_stuck_seconds;
  }

  /** Seconds between two decisions of the local autoscaler (and two reads of the overrides by deployd). */
  autoscalerIntervalSeconds(): number {
    return this.get("autoscaler_interval_seconds") ?? DEFAULTS.autoscaler_interval_seconds;
  }

  /** The local autoscaler's moving-average window of providers that set none (cpu, memory). */
  autoscalerWindowSeconds(): number {
    return this.get("autoscaler_window_seconds") ?? DEFAULTS.autoscaler_window_seconds;
  }

  dashboardLinks(cluster: string): Record<string, string> {
    return this.get("dashboard_links")?.[cluster] ?? {};
  }

  /** PaaSTA's secret environment of `cluster`: `vault_cluster_map[cluster]`, else the cluster's own name. */
  secretEnvironment(cluster: string): string {
    return this.get("vault_cluster_map")?.[cluster] ?? cluster;
  }

  /** The `secrets` provider config, or undefined when unset; `identity_file`s are expanded like other paths. */
  secrets(): SecretsConfig | undefined {
    const cfg = this.get("secrets");
    if (!cfg) return undefined;
    const environments = Object.fromEntries(
      Object.entries(cfg.environments).map(([env, e]) => [
        env,
        e.identity_file ? { ...e, identity_file: expandPath(e.identity_file, this.dir) } : e,
      ]),
    );
    return { ...cfg, environments };
  }

  /** The backend of `cluster` (our extension key `cluster_backends`). Paths are expanded (`~`, relative to the dir). */
  clusterBackend(cluster: string): ResolvedClusterBackend {
    const backends = this.get("cluster_backends") ?? {};
    const b = backends[cluster];
    if (!b)
      throw new PaastaError("PAASTA_SYSTEM_CONFIG_KEY_MISSING", { key: `cluster_backends.${cluster}`, dir: this.dir });
    if (b.type === "local")
      return {
        ...b,
        state_dir: expandPath(b.state_dir, this.dir),
        ...(b.haproxy_path ? { haproxy_path: expandPath(b.haproxy_path, this.dir) } : {}),
        history_days: b.history_days ?? DEFAULTS.local_history_days,
        keep_versions: b.keep_versions ?? DEFAULTS.local_keep_versions,
      };
    return b.kubeconfig ? { ...b, kubeconfig: expandPath(b.kubeconfig, this.dir) } : b;
  }
}

export function expandPath(p: string, base: string): string {
  if (p === "~" || p.startsWith("~/")) return join(homedir(), p.slice(1));
  return resolve(base, p);
}

export function systemConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.PAASTA_SYSTEM_CONFIG_DIR || DEFAULT_SYSTEM_CONFIG_DIR;
}

/** Loads and merges the system config. A missing directory is an error unless `optional`. */
export function loadSystemConfig(dir: string = systemConfigDir(), options: { optional?: boolean } = {}): SystemConfig {
  const abs = resolve(dir);
  let isDir = false;
  try {
    isDir = statSync(abs).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) {
    if (options.optional) return new SystemConfig({}, abs);
    throw new PaastaError("PAASTA_SYSTEM_CONFIG_MISSING", { dir: abs });
  }
  const merged: Record<string, unknown> = {};
  const leafOrigins = new Map<string, string>();
  const topOrigins = new Map<string, string>();
  for (const file of listJsonFiles(abs)) {
    const shown = relative(process.cwd(), file) || file;
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue; // unreadable: skipped on purpose, see above
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new PaastaError("PAASTA_SYSTEM_CONFIG_UNREADABLE", {
        file: shown,
        detail: `invalid JSON: ${(e as Error).message}`,
      });
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
      throw new PaastaError("PAASTA_SYSTEM_CONFIG_UNREADABLE", {
        file: shown,
        detail: "the top level must be a JSON object",
      });
    }
    mergeInto(merged, parsed as Record<string, unknown>, [], shown, leafOrigins);
    for (const key of Object.keys(parsed)) if (!topOrigins.has(key)) topOrigins.set(key, shown);
  }
  return new SystemConfig(merged, abs, topOrigins);
}

function listJsonFiles(dir: string): string[] {
  const out: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch {
    return out;
  }
  for (const name of entries) {
    const p = join(dir, name);
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(p);
    } catch {
      continue;
    }
    if (st.isDirectory()) out.push(...listJsonFiles(p));
    else if (name.endsWith(".json")) out.push(p);
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function mergeInto(
  target: Record<string, unknown>,
  src: Record<string, unknown>,
  path: string[],
  file: string,
  origins: Map<string, string>,
): void {
  for (const [key, value] of Object.entries(src)) {
    const keyPath = [...path, key];
    const dotted = keyPath.join(".");
    const existing = target[key];
    if (existing === undefined) {
      target[key] = isPlainObject(value) ? structuredClone(value) : value;
      recordOrigins(value, keyPath, file, origins);
      continue;
    }
    if (isPlainObject(existing) && isPlainObject(value)) {
      mergeInto(existing, value, keyPath, file, origins);
      continue;
    }
    throw new PaastaError("PAASTA_SYSTEM_CONFIG_DUPLICATE_KEY", {
      key: dotted,
      first: firstOrigin(origins, dotted) ?? "another file",
      second: file,
    });
  }
}

function recordOrigins(value: unknown, keyPath: string[], file: string, origins: Map<string, string>): void {
  origins.set(keyPath.join("."), file);
  if (isPlainObject(value)) {
    for (const [k, v] of Object.entries(value)) recordOrigins(v, [...keyPath, k], file, origins);
  }
}

function firstOrigin(origins: Map<string, string>, dotted: string): string | undefined {
  return origins.get(dotted);
}
