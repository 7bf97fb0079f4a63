/** Host-path volumes: the system's `volumes` then the instance's `extra_volumes`, de-duplicated and sorted. */
import type { ResolvedVolume } from "../types.js";
import { dictList, str } from "./coerce.js";
import { DEFAULTS } from "./defaults.js";

export function resolveVolumes(system: readonly ResolvedVolume[], extra: unknown): ResolvedVolume[] {
  const own: ResolvedVolume[] = dictList(extra).flatMap((v) => {
    const containerPath = str(v.containerPath);
    const hostPath = str(v.hostPath);
    if (containerPath === undefined || hostPath === undefined) return [];
    return [{ containerPath, hostPath, mode: v.mode === "RW" || v.mode === "RO" ? v.mode : DEFAULTS.volume_mode }];
  });
  const seen = new Map<string, ResolvedVolume>();
  for (const v of [...system, ...own]) {
    const key = `${v.containerPath}\u0000${v.hostPath}`;
    if (!seen.has(key)) seen.set(key, { containerPath: v.containerPath, hostPath: v.hostPath, mode: v.mode });
  }
  return [...seen.values()].sort(
    (a, b) => a.containerPath.localeCompare(b.containerPath) || a.hostPath.localeCompare(b.hostPath),
  );
}
