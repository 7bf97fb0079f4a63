/**
 * Live progress of `paasta pipeline run` / `continue`: which step runs, its output, the instances of a deploy
 * group on the new version / expected, and how it ended. Progress lines are printed when they change.
 */
import type { PipelineEvents } from "../pipeline/runner.js";
import { type Io, marks } from "./io.js";

export function progressPrinter(io: Io, toStderr: boolean): PipelineEvents {
  const print = toStderr ? io.err : io.out;
  const m = marks(io);
  const t0 = Date.now();
  const at = () => m.dim(`[${((Date.now() - t0) / 1000).toFixed(1)}s]`);
  return {
    onStart(state, plan) {
      const steps = plan.stages.map((s) => (s.steps.length > 1 ? `[${s.key.split("+").join(" ‖ ")}]` : s.key));
      const done = state.steps.filter((s) => s.status === "succeeded").length;
      const resumed = done > 0 ? m.dim(` (resumed: ${done} step(s) done already)`) : "";
      print(m.bold(`${state.service} ${state.git_sha.slice(0, 8)}: ${steps.join(" → ")}`) + resumed);
      for (const n of plan.notes) print(m.warn(n));
    },
    onStepStart(step, rec) {
      const again = rec.tag ? ` (resuming; tag ${rec.tag})` : "";
      print(`${at()} ${m.cyan(step.name)} started${again}`);
    },
    onStepLine(step, line) {
      print(`  ${m.dim(`${step.name} |`)} ${line}`);
    },
    onStepProgress(step, text) {
      print(`${at()} ${m.cyan(step.name)}: ${text}`);
    },
    onStepEnd(step, rec) {
      const text = `${step.name} ${rec.status}: ${rec.detail ?? ""}`;
      if (rec.status === "succeeded") print(`${at()} ${m.ok(text)}`);
      else if (rec.status === "skipped") print(`${at()} ${m.warn(text)}`);
      else print(`${at()} ${m.fail(rec.ignored ? `${text} (ignore_failure: going on)` : text)}`);
    },
    onEnd(state, d) {
      const sha = state.git_sha.slice(0, 8);
      if (d.kind === "pause") {
        print(`${at()} ${m.yellow("⏸")} paused before ${d.stage.key} (${d.reason})`);
        print(`  Promote: paasta pipeline continue -s ${state.service} -k ${sha}`);
      } else if (d.kind === "done") print(`${at()} ${m.ok(`pipeline of ${sha} succeeded`)}`);
      else if (d.kind === "stop") print(`${at()} ${m.warn(d.reason)}`);
    },
  };
}
