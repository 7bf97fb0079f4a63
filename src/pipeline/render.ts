/** Text for `paasta pipeline status` and the end of `run`: the pipeline, each step with its times. Pure. */
import type { PipelineState, StepRecord } from "./state.js";

export interface RenderOptions {
  /** Whether the recorded runner is alive (a `running` pipeline without one was interrupted). */
  readonly runnerAlive: boolean;
  /** Include each step's log. */
  readonly verbose?: boolean;
  readonly now?: number;
}

const short = (sha: string) => sha.slice(0, 8);

/** `12:00:01` (UTC) from an ISO time, or "" */
function clock(t: string | null): string {
  return t ? t.slice(11, 19) : "";
}

export function duration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const m = Math.floor(ms / 60_000);
  return m < 60 ? `${m}m${Math.round((ms % 60_000) / 1000)}s` : `${Math.floor(m / 60)}h${m % 60}m`;
}

function took(s: StepRecord, now: number): string {
  if (!s.started_at) return "";
  const end = s.ended_at ? Date.parse(s.ended_at) : now;
  return `${duration(end - Date.parse(s.started_at))}${s.ended_at ? "" : "…"}`;
}

/** The pipeline's status in words, telling an interrupted run from a live one. */
export function headline(state: PipelineState, runnerAlive: boolean): string {
  const who = state.runner ? `${state.runner.user}, pid ${state.runner.pid} on ${state.runner.host}` : "";
  switch (state.status) {
    case "running":
      return runnerAlive
        ? `running (${who})`
        : `interrupted: its runner (${who || "unknown"}) is gone; \`paasta pipeline run\` resumes it`;
    case "paused":
      return `paused before ${state.paused_before} (${state.reason})`;
    case "failed":
      return `failed at ${state.reason}`;
    case "stopped":
      return `stopped: ${state.reason}`;
    case "succeeded":
      return "succeeded";
  }
}

function pad(cells: readonly string[], widths: readonly number[]): string {
  return cells
    .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
    .join("  ")
    .trimEnd();
}

export function renderStatus(state: PipelineState, o: RenderOptions): string[] {
  const now = o.now ?? Date.now();
  const out = [
    `${state.service} ${short(state.git_sha)}: ${headline(state, o.runnerAlive)}`,
    `  started ${state.created_at}, updated ${state.updated_at}`,
  ];
  const rows = [["STEP", "STATUS", "STARTED", "ENDED", "TIME", "DETAIL"]];
  for (const s of state.steps) {
    const status = s.status === "failed" && s.ignored ? "failed (ignored)" : s.status;
    const gate = Object.keys(state.approvals).find((k) => k.split("+")[0] === s.name);
    const approval = gate === undefined ? undefined : state.approvals[gate];
    const detail = [s.detail ?? "", approval ? `[approved by ${approval.by} at ${clock(approval.at)}]` : ""]
      .filter(Boolean)
      .join(" ");
    rows.push([s.name, status, clock(s.started_at), clock(s.ended_at), took(s, now), detail]);
  }
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  for (const r of rows) out.push(`  ${pad(r, widths)}`);
  if (o.verbose) {
    for (const s of state.steps.filter((x) => x.log.length > 0)) {
      out.push(`  ${s.name} log:`);
      for (const l of s.log) out.push(`    ${l}`);
    }
  }
  if (state.status === "paused")
    out.push(`  Promote: paasta pipeline continue -s ${state.service} -k ${short(state.git_sha)}`);
  return out;
}
