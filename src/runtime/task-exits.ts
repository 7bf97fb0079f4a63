/**
 * Puts the backend's task exits (the TaskExitSource power, where it has it) on the runtime's event stream as
 * `task.exited`, for the monitor's OOM check and whoever else listens. Without the power, nothing is published.
 */
import { canReportTaskExits } from "../backends/backend.js";
import type { RuntimeContext } from "./context.js";

export function publishTaskExits(ctx: RuntimeContext): () => void {
  if (!canReportTaskExits(ctx.backend)) return () => {};
  return ctx.backend.onTaskExit((e) => ctx.events.emit("task.exited", { ...e, cluster: ctx.cluster }));
}
