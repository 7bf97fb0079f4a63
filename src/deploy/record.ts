/**
 * The deployment record's operations (reference §3): mark-for-deployment, start/stop/restart, rollback,
 * and generating deployments.json. Each reads the remote's refs once, pushes only new tags, writes one
 * `deploy` event per state change, and refreshes the service's deployments.json from the refs it holds.
 */

import { LONG_RUNNING_TYPES } from "../config/kinds.js";
import { pipelineDeployGroups } from "../config/rules/deploy-groups.js";
import { fileValue, readServiceDir } from "../config/soa.js";
import type { SystemConfig } from "../config/system.js";
import { PaastaError } from "../errors.js";
import { deployEvent, type LogWriter } from "../logs/writer.js";
import { type Branch, branchMap, controlBranches } from "./branches.js";
import { computeDeployments, type DeploymentsJson, emptyDeployments } from "./deployments.js";
import { writeDeploymentsIfChanged } from "./deployments-file.js";
import { ensureCommit, type GitOptions } from "./git.js";
import { normaliseService, openRemote, pushFreshTag, type ServiceRemote, serviceGitUrl } from "./remote.js";
import {
  controlTagName,
  deployHistory,
  deployTagName,
  latestControlTimestamp,
  latestDeploys,
  nextTimestamp,
  parseRefs,
  rollbackTagName,
} from "./tags.js";

export interface RecordContext {
  readonly soaDir: string;
  readonly system?: SystemConfig;
  readonly log: LogWriter;
  readonly git?: GitOptions;
  /** The clock (tests pin it). */
  readonly now?: () => Date;
  readonly user?: string;
}

const clock = (ctx: RecordContext) => (ctx.now ?? (() => new Date()))();

/** Regenerates deployments.json from the refs the remote holds; returns whether the file changed. */
export function refreshDeployments(
  ctx: RecordContext,
  remote: ServiceRemote,
): { changed: boolean; content: DeploymentsJson } {
  const { branches } = controlBranches(remote.svc, ctx.system);
  const content = computeDeployments(remote.service, branchMap(branches), parseRefs(remote.refs));
  return { changed: writeDeploymentsIfChanged(ctx.soaDir, remote.service, content), content };
}

function assertDeployGroup(remote: ServiceRemote, group: string): void {
  const groups = pipelineDeployGroups(fileValue(remote.svc, "deploy"));
  if (!groups.includes(group)) {
    throw new PaastaError("PAASTA_DEPLOY_GROUP_UNKNOWN", {
      group,
      service: remote.service,
      known: groups.join(", ") || "none",
    });
  }
}

export interface MarkRequest {
  readonly service: string;
  readonly sha: string;
  readonly deployGroup: string;
  readonly imageVersion?: string | null;
  readonly gitUrl?: string;
  /** Further authors of the change (PaaSTA pings them in Slack; here they are named in the deploy event). */
  readonly authors?: readonly string[];
}

export interface MarkResult {
  readonly tag: string;
  readonly sha: string;
  /** The SHA the group ran before, if any. */
  readonly previousSha: string | null;
  /** Whether this SHA was rolled back from in this group before (PaaSTA warns). */
  readonly previouslyRolledBack: boolean;
  readonly deployments: DeploymentsJson;
}

export async function markForDeployment(ctx: RecordContext, req: MarkRequest): Promise<MarkResult> {
  const remote = await openRemote(ctx.soaDir, req.service, { gitUrl: req.gitUrl, git: ctx.git });
  assertDeployGroup(remote, req.deployGroup);
  return markOpened(ctx, remote, req);
}

async function markOpened(ctx: RecordContext, remote: ServiceRemote, req: MarkRequest): Promise<MarkResult> {
  const before = parseRefs(remote.refs);
  const previous = latestDeploys(before).get(req.deployGroup);
  const tag = await pushFreshTag(remote, req.sha, (parsed) =>
    deployTagName(
      req.deployGroup,
      nextTimestamp(clock(ctx), latestDeploys(parsed).get(req.deployGroup)?.timestamp),
      req.imageVersion,
    ),
  );
  const sha = remote.refs.get(`refs/tags/${tag}`) as string;
  const previouslyRolledBack = before.rollbacks.some((t) => t.deployGroup === req.deployGroup && t.sha === sha);
  ctx.log.write(
    deployEvent({
      service: remote.service,
      message: `Marked ${sha} for deployment in deploy group ${req.deployGroup}${req.imageVersion ? ` (image version ${req.imageVersion})` : ""} (tag ${tag})${req.authors?.length ? ` (authors: ${req.authors.join(", ")})` : ""}`,
      user: ctx.user,
    }),
  );
  const { content } = refreshDeployments(ctx, remote);
  return { tag, sha, previousSha: previous?.sha ?? null, previouslyRolledBack, deployments: content };
}

export interface MarkOnceResult {
  /** `marked`: a tag was pushed now; `current`: the group's newest tag already is this commit (nothing pushed);
   * `superseded`: the commit was marked for the group before and the group has moved on (nothing pushed). */
  readonly status: "marked" | "current" | "superseded";
  readonly sha: string;
  /** The tag that marked this commit for the group (new or found). */
  readonly tag: string;
  /** The commit the group ran before this one was marked, if any. */
  readonly previousSha: string | null;
  /** What the group runs now (differs from `sha` only when superseded). */
  readonly currentSha: string;
  /** Whether a rollback marker of the group points at this commit. */
  readonly rolledBack: boolean;
}

/**
 * mark-for-deployment at most once per (deploy group, commit), decided from the record itself: when a deploy
 * tag of the group already points at the commit, nothing is pushed (the pipeline's resume relies on this).
 */
export async function markOnce(ctx: RecordContext, req: MarkRequest): Promise<MarkOnceResult> {
  const remote = await openRemote(ctx.soaDir, req.service, { gitUrl: req.gitUrl, git: ctx.git });
  assertDeployGroup(remote, req.deployGroup);
  const { sha } = await ensureCommit(remote.url, req.sha, remote.git);
  const parsed = parseRefs(remote.refs);
  const history = deployHistory(parsed, req.deployGroup);
  const mine = history.findIndex((t) => t.sha === sha);
  if (mine !== -1) {
    const found = history[mine] as (typeof history)[number];
    return {
      status: mine === 0 ? "current" : "superseded",
      sha,
      tag: found.ref.slice("refs/tags/".length),
      previousSha: history.slice(mine + 1).find((t) => t.sha !== sha)?.sha ?? null,
      currentSha: (history[0] as (typeof history)[number]).sha,
      rolledBack: parsed.rollbacks.some((t) => t.deployGroup === req.deployGroup && t.sha === sha),
    };
  }
  const r = await markOpened(ctx, remote, { ...req, sha });
  return {
    status: "marked",
    sha,
    tag: r.tag,
    previousSha: r.previousSha,
    currentSha: sha,
    rolledBack: r.previouslyRolledBack,
  };
}

export interface ControlRequest {
  readonly service: string;
  readonly state: "start" | "stop";
  /** Restart: a new start tag (force_bounce changes). */
  readonly clusters?: readonly string[];
  readonly instances?: readonly string[];
  readonly deployGroups?: readonly string[];
}

export interface ControlResult {
  readonly changed: Array<{ cluster: string; instance: string; tag: string; sha: string }>;
  readonly notDeployed: Branch[];
}

/** Long-running instances matching the filters (exported for the CLI's confirmation prompt). */
export function selectBranches(branches: readonly Branch[], req: Omit<ControlRequest, "service" | "state">): Branch[] {
  return branches.filter(
    (b) =>
      (LONG_RUNNING_TYPES as readonly string[]).includes(b.kind) &&
      (!req.clusters?.length || req.clusters.includes(b.cluster)) &&
      (!req.instances?.length || req.instances.includes(b.instance)) &&
      (!req.deployGroups?.length || req.deployGroups.includes(b.deployGroup)),
  );
}

export async function setDesiredState(ctx: RecordContext, req: ControlRequest): Promise<ControlResult> {
  const remote = await openRemote(ctx.soaDir, req.service, { git: ctx.git });
  const selected = selectBranches(controlBranches(remote.svc, ctx.system).branches, req);
  if (selected.length === 0) {
    const filters = [
      `clusters=${req.clusters?.join(",") || "*"}`,
      `instances=${req.instances?.join(",") || "*"}`,
      `deploy groups=${req.deployGroups?.join(",") || "*"}`,
    ];
    throw new PaastaError("PAASTA_NO_INSTANCES_MATCH", { service: remote.service, filters: filters.join(" ") });
  }
  const latest = latestDeploys(parseRefs(remote.refs));
  const changed: ControlResult["changed"] = [];
  const notDeployed: Branch[] = [];
  for (const b of selected) {
    const deploy = latest.get(b.deployGroup);
    if (!deploy) {
      notDeployed.push(b);
      continue;
    }
    const branch = `${b.cluster}.${b.instance}`;
    const tag = await pushFreshTag(remote, deploy.sha, (parsed) =>
      controlTagName(
        b.cluster,
        b.instance,
        nextTimestamp(clock(ctx), latestControlTimestamp(parsed, branch)),
        req.state,
      ),
    );
    changed.push({ cluster: b.cluster, instance: b.instance, tag, sha: deploy.sha });
    ctx.log.write(
      deployEvent({
        service: remote.service,
        cluster: b.cluster,
        instance: b.instance,
        message: `Issued request to change state of ${remote.service}.${b.instance} (an instance of ${b.cluster}) to '${req.state}' (tag ${tag})`,
        user: ctx.user,
      }),
    );
  }
  if (changed.length > 0) refreshDeployments(ctx, remote);
  return { changed, notDeployed };
}

export interface HistoryEntry {
  readonly sha: string;
  readonly imageVersion: string | null;
  readonly timestamp: string;
  readonly tag: string;
  readonly current: boolean;
  readonly rolledBack: boolean;
}

export async function deployGroupHistory(
  ctx: RecordContext,
  service: string,
  groups: readonly string[],
  gitUrl?: string,
): Promise<Map<string, HistoryEntry[]>> {
  const remote = await openRemote(ctx.soaDir, service, { gitUrl, git: ctx.git });
  return historyOf(remote, groups);
}

function historyOf(remote: ServiceRemote, groups: readonly string[]): Map<string, HistoryEntry[]> {
  const parsed = parseRefs(remote.refs);
  const out = new Map<string, HistoryEntry[]>();
  for (const g of groups) {
    const rolledBack = new Set(
      parsed.rollbacks.filter((t) => t.deployGroup === g).map((t) => `${t.sha}+${t.imageVersion ?? ""}`),
    );
    out.set(
      g,
      deployHistory(parsed, g).map((t, i) => ({
        sha: t.sha,
        imageVersion: t.imageVersion,
        timestamp: t.timestamp,
        tag: t.ref.slice("refs/tags/".length),
        current: i === 0,
        rolledBack: rolledBack.has(`${t.sha}+${t.imageVersion ?? ""}`),
      })),
    );
  }
  return out;
}

export interface RollbackRequest {
  readonly service: string;
  readonly deployGroups: readonly string[];
  readonly sha: string;
  readonly imageVersion?: string | null;
  readonly force?: boolean;
}

export interface RollbackResult {
  readonly group: string;
  readonly from: string | null;
  readonly to: string;
  readonly tag: string | null;
  readonly marker: string | null;
}

/**
 * Re-marks an earlier version for each deploy group and writes a rollback marker on the version rolled back
 * from. A SHA never deployed to a group is refused unless `force`.
 */
export async function rollback(ctx: RecordContext, req: RollbackRequest): Promise<RollbackResult[]> {
  const remote = await openRemote(ctx.soaDir, req.service, { git: ctx.git });
  for (const g of req.deployGroups) assertDeployGroup(remote, g);
  const histories = historyOf(remote, req.deployGroups);
  const wanted = (e: HistoryEntry) =>
    e.sha.startsWith(req.sha) && (req.imageVersion === undefined || e.imageVersion === (req.imageVersion ?? null));
  for (const g of req.deployGroups) {
    if (!req.force && !(histories.get(g) ?? []).some(wanted))
      throw new PaastaError("PAASTA_ROLLBACK_UNKNOWN_SHA", { sha: req.sha, group: g });
  }
  const results: RollbackResult[] = [];
  for (const g of req.deployGroups) {
    const history = histories.get(g) ?? [];
    const current = history[0];
    const target = history.find(wanted);
    const iv = req.imageVersion !== undefined ? req.imageVersion : (target?.imageVersion ?? null);
    const mark = await markOpened(ctx, remote, {
      service: req.service,
      sha: target?.sha ?? req.sha,
      deployGroup: g,
      imageVersion: iv,
    });
    let marker: string | null = null;
    if (current && current.sha !== mark.sha) {
      marker = await pushFreshTag(remote, current.sha, (parsed) =>
        rollbackTagName(g, nextTimestamp(clock(ctx), latestRollbackTimestamp(parsed, g)), current.imageVersion),
      );
      ctx.log.write(
        deployEvent({
          service: remote.service,
          message: `Rolled back ${g} from ${current.sha} to ${mark.sha} (marker ${marker})`,
          user: ctx.user,
        }),
      );
    }
    results.push({ group: g, from: current?.sha ?? null, to: mark.sha, tag: mark.tag, marker });
  }
  return results;
}

function latestRollbackTimestamp(parsed: ReturnType<typeof parseRefs>, group: string): string | undefined {
  let latest: string | undefined;
  for (const t of parsed.rollbacks)
    if (t.deployGroup === group && (latest === undefined || t.timestamp > latest)) latest = t.timestamp;
  return latest;
}

/** The timestamps at which `sha` was rolled back from in `group` (rollback markers pointing at it), oldest first. */
export async function rollbacksOf(ctx: RecordContext, service: string, sha: string, group: string): Promise<string[]> {
  const remote = await openRemote(ctx.soaDir, service, { git: ctx.git });
  return parseRefs(remote.refs)
    .rollbacks.filter((t) => t.deployGroup === group && t.sha.startsWith(sha))
    .map((t) => t.timestamp)
    .sort();
}

/**
 * generate_deployments_for_service: one ls-remote, deployments.json written only when it changes. A service
 * whose git_url is null has no deployments (empty mappings, as in PaaSTA).
 */
export async function generateDeployments(
  ctx: RecordContext,
  service: string,
  knownRefs?: Map<string, string>,
): Promise<{ service: string; changed: boolean; content: DeploymentsJson }> {
  const svc = readServiceDir(ctx.soaDir, normaliseService(service));
  const url = serviceGitUrl(svc);
  if (url === null) {
    const content = emptyDeployments();
    return { service: svc.name, changed: writeDeploymentsIfChanged(ctx.soaDir, svc.name, content), content };
  }
  const remote: ServiceRemote = knownRefs
    ? { svc, service: svc.name, url, refs: new Map(knownRefs), git: ctx.git ?? {} }
    : await openRemote(ctx.soaDir, service, { git: ctx.git });
  return { service: remote.service, ...refreshDeployments(ctx, remote) };
}
