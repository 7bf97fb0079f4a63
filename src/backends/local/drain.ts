/**
 * Drain methods (reference §6.3): what happens to a task between being chosen to go and being stopped.
 * `noop`: safe to kill at once. `http`: calls the configured URLs (one request per registration) and waits
 * until `is_safe_to_kill` answers with a success code. `hacheck` (the default of mesh instances): through the
 * local proxy, given by the host as `MeshDrainer` (runtime/proxy: out of rotation, then safe once no request
 * is in flight or `drain_method_params.delay` has passed); `noop` without one. `test` acts as `noop`.
 */
import type { ResolvedInstanceConfig } from "../../config/types.js";

export interface DrainTarget {
  readonly host: string;
  readonly port: number | null;
}

export interface Drainer {
  /** Starts draining; throws when the drain call fails. */
  drain(task: DrainTarget): Promise<void>;
  isSafeToKill(task: DrainTarget): Promise<boolean>;
}

const noop: Drainer = { drain: async () => {}, isSafeToKill: async () => true };

/** The hacheck drain through the local proxy, for an instance (injected by the `paasta up` host). */
export type MeshDrainer = (config: ResolvedInstanceConfig) => Drainer;

export function drainerFor(config: ResolvedInstanceConfig, mesh?: MeshDrainer): Drainer {
  if (config.drain_method === "http") return httpDrainer(config);
  if (config.drain_method === "hacheck" && mesh) return mesh(config);
  return noop;
}

/** `"200-399,407-409,500"` → predicate. */
export function successCodes(spec: string): (code: number) => boolean {
  const ranges = spec
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const [lo, hi] = part.split("-").map(Number);
      return [lo as number, hi ?? (lo as number)] as const;
    });
  return (code) => ranges.some(([lo, hi]) => code >= lo && code <= hi);
}

function httpDrainer(config: ResolvedInstanceConfig): Drainer {
  const params = config.drain_method_params;
  const namespaces = config.registrations.map((r) => r.split(".")[1] ?? r);
  const call = async (name: "drain" | "is_safe_to_kill", task: DrainTarget): Promise<boolean[]> => {
    const spec = params[name];
    if (!spec) return [true];
    const ok = successCodes(spec.success_codes);
    return Promise.all(
      namespaces.map(async (ns) => {
        const url = spec.url_format
          .replaceAll("{host}", task.host)
          .replaceAll("{port}", String(task.port ?? ""))
          .replaceAll("{service}", config.service)
          .replaceAll("{instance}", config.instance)
          .replaceAll("{nerve_ns}", ns);
        try {
          const res = await fetch(url, { method: spec.method, signal: AbortSignal.timeout(15_000) });
          await res.arrayBuffer();
          return ok(res.status);
        } catch {
          return false;
        }
      }),
    );
  };
  return {
    async drain(task) {
      const results = await call("drain", task);
      if (results.some((r) => !r)) throw new Error(`drain request for ${config.service}.${config.instance} failed`);
    },
    async isSafeToKill(task) {
      return (await call("is_safe_to_kill", task)).every(Boolean);
    },
  };
}
