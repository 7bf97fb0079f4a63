/** The files the `file` log writer may have written a service's deploy events to (for `paasta logs`). */
import { existsSync } from "node:fs";
import { listInstances } from "../config/instances.js";
import { readServiceDir } from "../config/soa.js";
import type { SystemConfig } from "../config/system.js";
import { logWriterPaths } from "./writer.js";

export function eventLogFiles(system: SystemConfig, soaDir: string, cluster: string): (service: string) => string[] {
  const paths = logWriterPaths(system.logWriter());
  return (service) => {
    if (!paths) return [];
    let instances: string[] = [];
    try {
      instances = listInstances(readServiceDir(soaDir, service), [cluster]).map((i) => i.instance);
    } catch {
      instances = [];
    }
    const out = new Set<string>();
    for (const c of [cluster, "N/A"])
      for (const i of ["N/A", ...instances])
        out.add(paths({ service, component: "deploy", level: "event", cluster: c, instance: i }));
    return [...out].filter((p) => existsSync(p));
  };
}
