/**
 * A task's health and end of life: health checks (the mesh namespace's mode and URI when in the mesh), the
 * lifecycle hooks (drain delays default on for mesh instances), and the drain method with its parameters.
 */
import type {
  ResolvedDrainParams,
  ResolvedHealthcheck,
  ResolvedHttpDrainCall,
  ResolvedInstanceConfig,
  ResolvedLifecycle,
  ResolvedNamespace,
} from "../types.js";
import { bool, type Dict, isDict, num, str, strList } from "./coerce.js";
import { DEFAULTS } from "./defaults.js";

export function resolveHealthcheck(merged: Dict, mesh: ResolvedNamespace | null, inMesh: boolean): ResolvedHealthcheck {
  let mode = str(merged.healthcheck_mode) as ResolvedHealthcheck["mode"] | undefined;
  if (mode === undefined && inMesh && mesh) mode = mesh.healthcheck_mode;
  return {
    mode: mode ?? null,
    uri: str(merged.healthcheck_uri) ?? mesh?.healthcheck_uri ?? DEFAULTS.healthcheck_uri,
    cmd: str(merged.healthcheck_cmd) ?? DEFAULTS.healthcheck_cmd,
    grace_period_seconds: num(merged.healthcheck_grace_period_seconds) ?? DEFAULTS.healthcheck_grace_period_seconds,
    // 0 is accepted (validate warns): the smallest value that still checks is used instead.
    interval_seconds: positiveOr(
      merged.healthcheck_interval_seconds,
      DEFAULTS.healthcheck_interval_seconds,
      DEFAULTS.healthcheck_min_seconds,
    ),
    timeout_seconds: positiveOr(
      merged.healthcheck_timeout_seconds,
      DEFAULTS.healthcheck_timeout_seconds,
      DEFAULTS.healthcheck_min_seconds,
    ),
    max_consecutive_failures: positiveOr(
      merged.healthcheck_max_consecutive_failures,
      DEFAULTS.healthcheck_max_consecutive_failures,
      DEFAULTS.healthcheck_min_failures,
    ),
  };
}

/** The value when set and above 0; `fallback` when unset; `least` for 0 or below. */
function positiveOr(v: unknown, fallback: number, least: number): number {
  const n = num(v);
  if (n === undefined) return fallback;
  return n > 0 ? n : least;
}

export function resolveLifecycle(raw: unknown, inMesh: boolean): ResolvedLifecycle {
  const l = isDict(raw) ? raw : {};
  const cmd = l.pre_stop_command;
  return {
    pre_stop_command: typeof cmd === "string" ? cmd : (strList(cmd) ?? null),
    pre_stop_drain_seconds: num(l.pre_stop_drain_seconds) ?? (inMesh ? DEFAULTS.mesh_pre_stop_drain_seconds : 0),
    pre_stop_wait_for_connections_to_complete: bool(l.pre_stop_wait_for_connections_to_complete) ?? inMesh,
    termination_grace_period_seconds: num(l.termination_grace_period_seconds) ?? null,
  };
}

export function resolveDrainMethod(merged: Dict, inMesh: boolean): ResolvedInstanceConfig["drain_method"] {
  return (
    (str(merged.drain_method) as ResolvedInstanceConfig["drain_method"] | undefined) ?? (inMesh ? "hacheck" : "noop")
  );
}

function httpCall(v: unknown): ResolvedHttpDrainCall | null {
  if (!isDict(v) || typeof v.url_format !== "string") return null;
  return {
    url_format: v.url_format,
    method: str(v.method) ?? DEFAULTS.http_drain_method,
    success_codes:
      v.success_codes === undefined ? DEFAULTS.http_drain_success_codes : String(v.success_codes as string | number),
  };
}

export function resolveDrainParams(raw: unknown): ResolvedDrainParams {
  const p = isDict(raw) ? raw : {};
  return {
    delay: num(p.delay) ?? DEFAULTS.hacheck_drain_delay,
    drain: httpCall(p.drain),
    stop_draining: httpCall(p.stop_draining),
    is_draining: httpCall(p.is_draining),
    is_safe_to_kill: httpCall(p.is_safe_to_kill),
  };
}
