/**
 * cluster_backends[CLUSTER].executor: `process` (default) or `docker`. The engine is reached before anything
 * starts, so an unreachable one is a clear error (PAASTA_ENGINE_UNREACHABLE) rather than failing tasks.
 */
import type { Executor } from "./executor.js";
import { ProcessExecutor } from "./process.js";

export async function executorFactory(
  kind: "process" | "docker",
  env: NodeJS.ProcessEnv,
): Promise<(stateDir: string) => Executor> {
  if (kind !== "docker") return (dir) => new ProcessExecutor(dir);
  const { connectEngine } = await import("../../../image/engine.js");
  const { DockerExecutor } = await import("./docker.js");
  const engine = await connectEngine(env);
  return () => new DockerExecutor(engine, env);
}
