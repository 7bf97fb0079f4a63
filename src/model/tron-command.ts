/**
 * Tron's command context (reference §1.10): the placeholders an action's command may use, expanded when the
 * action runs. Pure: the values come from the caller (the run's time, and its ids when there is a run).
 */
export interface CommandContext {
  /** The run's scheduled time (local-run: now). */
  readonly time: Date;
  /** `{runid}`: SERVICE.JOB.RUN (Tron's namespace.job.run), when the action runs as part of a job run. */
  readonly runid?: string;
  /** `{name}`: the job's full name, SERVICE.JOB (Tron's namespace.job). */
  readonly name?: string;
  /** `{actionname}`. */
  readonly actionname?: string;
  /** `{last_success#shortdate}` and friends: the time of the job's last successful run. */
  readonly lastSuccess?: Date;
}

const pad = (n: number) => String(n).padStart(2, "0");

function timeValues(t: Date): Record<string, string> {
  return {
    shortdate: `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())}`,
    year: String(t.getFullYear()),
    month: pad(t.getMonth() + 1),
    day: pad(t.getDate()),
    hour: pad(t.getHours()),
    unixtime: String(Math.floor(t.getTime() / 1000)),
    daynumber: String(Math.floor(t.getTime() / 86_400_000)),
  };
}

/** Expands `{shortdate}`, `{year}`, `{month}`, `{day}`, `{hour}`, `{unixtime}`, `{daynumber}`, `{runid}`, … */
export function expandCommand(command: string, ctx: CommandContext): string {
  const now = timeValues(ctx.time);
  const last = ctx.lastSuccess ? timeValues(ctx.lastSuccess) : undefined;
  const ids: Record<string, string | undefined> = { runid: ctx.runid, name: ctx.name, actionname: ctx.actionname };
  return command.replace(/\{([a-z_]+)(?:#([a-z]+))?\}/g, (whole, key: string, field: string | undefined) => {
    if (key === "last_success" && field && last) return last[field] ?? whole;
    if (field === undefined && now[key] !== undefined) return now[key] as string;
    if (field === undefined && ids[key] !== undefined) return ids[key] as string;
    return whole;
  });
}
