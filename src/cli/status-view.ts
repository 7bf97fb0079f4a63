/**
 * `paasta status`'s screen for one instance, as lines (pure: tested by value). The header says what the
 * instance is doing (Running, Bouncing old → new, Deploying, Waiting, Stopped); each version says how many of
 * its tasks are healthy and how many drain; `-v` lists the tasks with absolute times, `-vv` adds pids.
 */
import type { InstanceStatus, TaskStatus, VersionStatus } from "../backends/backend.js";
import type { marks } from "./io.js";
import { naturalTime, when } from "./time-words.js";

type Marks = ReturnType<typeof marks>;

const short = (v: VersionStatus) => `${v.git_sha.slice(0, 8)}${v.image_version ? `+${v.image_version}` : ""}`;

/** "Bouncing (1a2b3c4d → 5e6f7a8b)" while an old version still has tasks, else the deploy status. */
export function stateText(s: InstanceStatus): string {
  const desired = s.versions.find((v) => v.desired);
  const old = s.versions.filter((v) => !v.desired && v.tasks.length > 0);
  if (desired && old.length > 0 && s.deploy_status !== "Stopped")
    return `Bouncing (${old.map(short).join(", ")} → ${short(desired)})`;
  return s.deploy_status;
}

function draining(v: VersionStatus): number {
  return v.tasks.filter((t) => t.state === "draining").length;
}

/** "2/3 healthy", "1/1 healthy, 2 draining", "draining 2 tasks" (an old version with only draining tasks). */
export function readyText(v: VersionStatus): string {
  const d = draining(v);
  if (v.replicas === 0 && d > 0) return `draining ${d} task${d === 1 ? "" : "s"}`;
  return `${v.ready_replicas}/${v.replicas} healthy${d > 0 ? `, ${d} draining` : ""}`;
}

function oldestStart(v: VersionStatus): string | null {
  const starts = v.tasks.map((t) => t.started_at).filter((s): s is string => s !== null);
  return starts.length ? (starts.sort()[0] as string) : null;
}

function taskLine(t: TaskStatus, now: number, verbose: number): string {
  const exit = t.last_exit_code === null ? "" : ` (last exit ${t.last_exit_code})`;
  const pid = verbose > 1 ? `  pid ${t.pid ?? "-"}` : "";
  return [
    t.id,
    `${t.host}:${t.port ?? "-"}`,
    t.state,
    `started ${when(t.started_at, now, verbose)}`,
    `restarts ${t.restarts}${t.restarts > 0 || verbose > 1 ? exit : ""}${pid}`,
    ...(t.reason ? [t.reason] : []),
  ].join("  ");
}

export function instanceLines(
  s: InstanceStatus & { readonly config_problems?: readonly string[] },
  m: Marks,
  verbose: number,
  now = Date.now(),
  /** A note after a task's line (its mesh membership: "mesh: hello.main up"). */
  taskNote: (taskId: string) => string | undefined = () => undefined,
): string[] {
  const state = stateText(s);
  const colour = state === "Running" ? m.green : state === "Stopped" ? m.dim : m.yellow;
  const lines = [
    `State: ${colour(state)} - Desired state: ${s.desired_state}, ${s.desired_instances} instance(s), ${s.bounce_method}`,
  ];
  if (s.deploy_status_message) lines.push(m.yellow(s.deploy_status_message));
  if (s.error_message) lines.push(m.red(s.error_message));
  for (const p of s.config_problems ?? []) lines.push(m.red(`config problem (left as it runs): ${p}`));
  if (verbose > 1 && s.command) lines.push(`Command: ${s.command}`);
  if (verbose > 1 && s.env && Object.keys(s.env).length > 0)
    lines.push(
      `Env: ${Object.entries(s.env)
        .map(([k, v]) => `${k}=${v}`)
        .join(" ")}`,
    );
  for (const v of s.versions) {
    const started = oldestStart(v);
    const since = started
      ? `, started ${verbose > 0 ? when(started, now, verbose) : naturalTime(Date.parse(started), now)}`
      : "";
    const restarts = v.tasks.reduce((n, t) => n + t.restarts, 0);
    const text = readyText(v);
    const healthy = v.ready_replicas === v.replicas && draining(v) === 0;
    lines.push(
      `${v.desired ? "Version" : "Old version"}: ${short(v)} (${v.config_hash}) - ${healthy ? m.green(text) : m.yellow(text)}${since}${restarts > 0 ? `, ${restarts} restart(s)` : ""}`,
    );
    if (verbose > 0)
      for (const t of v.tasks) {
        const note = taskNote(t.id);
        lines.push(`  ${taskLine(t, now, verbose)}${note ? `  ${note}` : ""}`);
      }
  }
  if (verbose === 0 && s.versions.some((v) => v.tasks.length > 0)) lines.push(m.dim("(-v lists the tasks)"));
  return lines;
}
