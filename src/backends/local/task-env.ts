/**
 * The environment of a task, as PaaSTA injects it (reference §1.5): PAASTA_* variables, then the instance's
 * `env` (which wins), then the runtime's own bookkeeping variables (which must not be overridden).
 */
import type { DesiredApp } from "../../model/app.js";
import { identityOf, paastaEnv } from "../../model/task-env.js";

/** Variables of the runtime's environment that tasks of the process executor inherit. */
const INHERITED = ["PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "USER", "SHELL"];

export function taskEnv(
  app: DesiredApp,
  port: number | null,
  ids: { taskId: string; runtimeId: string },
  inherit: NodeJS.ProcessEnv | undefined,
): Record<string, string> {
  const base: Record<string, string> = {};
  for (const k of INHERITED) {
    const v = inherit?.[k];
    if (v !== undefined) base[k] = v;
  }
  return {
    ...base,
    ...paastaEnv(identityOf(app), port),
    ...app.config.env,
    PAASTA_TASK_ID: ids.taskId,
    PAASTA_RUNTIME_ID: ids.runtimeId,
  };
}
