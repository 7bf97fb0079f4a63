/**
 * Deploy history per deploy group, from the git record (deploy tags: SHA, when, image version; rollback
 * markers), with who marked each version (the deploy events of the event log name the tag and the user) and
 * the `paasta rollback` command that would return to it.
 */
import { deployGroupHistory, type HistoryEntry } from "../../deploy/record.js";
import type { LogLine } from "../../logs/writer.js";
import type { ApiContext } from "../context.js";
import { apiPath, type InProcessApi } from "./reads.js";

export interface HistoryRow extends HistoryEntry {
  /** Who marked it, when the event log says. */
  readonly by: string | null;
  /** The command that rolls the group back to this version; null for the current one. */
  readonly rollback: string | null;
}

export interface GroupHistory {
  readonly group: string;
  readonly rows: readonly HistoryRow[];
  /** Why the record could not be read (no git_url, an unreachable remote). */
  readonly error?: string;
}

/** NDJSON log lines as the log route answers them. */
export async function logLines(api: InProcessApi, path: string): Promise<LogLine[]> {
  try {
    const res = await api(path);
    if (res.status !== 200) return [];
    return (await res.text())
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as LogLine);
  } catch {
    return [];
  }
}

/** Tag name → user, from deploy events ("… (tag paasta-…-deploy)"). Pure. */
export function taggers(lines: readonly LogLine[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const l of lines) {
    const tag = /\(tag ([^)\s,]+)/.exec(l.message)?.[1];
    if (tag && l.user) out.set(tag, l.user);
  }
  return out;
}

/** The history rows of one group, newest first, with who and the rollback command. Pure. */
export function historyRows(
  service: string,
  group: string,
  entries: readonly HistoryEntry[],
  who: ReadonlyMap<string, string>,
): HistoryRow[] {
  return entries.map((e) => ({
    ...e,
    by: who.get(e.tag) ?? null,
    rollback: e.current
      ? null
      : `paasta rollback -s ${service} -l ${group} -k ${e.sha}${e.imageVersion ? ` -i ${e.imageVersion}` : ""}`,
  }));
}

export async function groupHistories(
  ctx: ApiContext,
  api: InProcessApi,
  service: string,
  groups: readonly string[],
): Promise<GroupHistory[]> {
  if (groups.length === 0) return [];
  const events = logLines(api, `${apiPath("v1", "services", service, "logs")}?components=deploy&lines=2000`);
  let record: Map<string, HistoryEntry[]>;
  try {
    record = await deployGroupHistory(
      { soaDir: ctx.soaDir, system: ctx.system, log: { write: () => {} } },
      service,
      groups,
    );
  } catch (e) {
    return groups.map((group) => ({ group, rows: [], error: (e as Error).message }));
  }
  const who = taggers(await events);
  return groups.map((group) => ({ group, rows: historyRows(service, group, record.get(group) ?? [], who) }));
}
