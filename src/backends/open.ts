/** The backend of a cluster, as the system config's `cluster_backends` names it (modules loaded lazily). */
import type { SystemConfig } from "../config/system.js";
import type { Backend } from "./backend.js";

export async function openBackend(system: SystemConfig, cluster: string): Promise<Backend> {
  const spec = system.clusterBackend(cluster);
  if (spec.type === "kubernetes") {
    const { connect } = await import("./kubernetes/client.js");
    const { KubernetesBackend } = await import("./kubernetes/index.js");
    const { DEFAULTS } = await import("../config/resolve/defaults.js");
    return new KubernetesBackend(
      await connect(spec, cluster),
      cluster,
      undefined,
      system.get("tron_namespace") ?? DEFAULTS.tron_namespace,
    );
  }
  const { LocalBackend } = await import("./local/index.js");
  const { ProcessExecutor } = await import("./local/executors/process.js");
  // Not started: a one-off pass only records the desired apps; the cluster's `paasta up` applies them.
  return new LocalBackend({ cluster, stateDir: spec.state_dir, executor: (d) => new ProcessExecutor(d) });
}
