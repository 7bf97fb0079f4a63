/**
 * PaaSTA's git tag formats (reference §3.2), formatting and parsing. Pure.
 *
 *   deploy    paasta-DG-TS-deploy | paasta-DG+IMAGEVERSION-TS-deploy      → the SHA deployed to DG
 *   control   paasta-CLUSTER.INSTANCE-TS-start | …-stop                    → the SHA of DG's current deploy
 *   rollback  paasta-DG[+IMAGEVERSION]-TS-rollback                         → the bad SHA rolled back from
 *
 * TS is UTC `YYYYMMDDTHHMMSS`. Deploy groups are matched literally (PaaSTA's regex left dots unescaped).
 */

export const TS_PATTERN = /^\d{8}T\d{6}$/;

/** `20240131T235959` from a Date (UTC). */
export function formatTimestamp(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}T${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

export function parseTimestamp(ts: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})$/.exec(ts);
  if (!m) throw new Error(`not a PaaSTA timestamp: ${ts}`);
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
}

/**
 * A timestamp for a new tag: now, or one second after `latest` when that is not earlier, so that two tags of
 * the same deploy group (or instance) made in the same second stay distinct and correctly ordered.
 */
export function nextTimestamp(now: Date, latest: string | undefined): string {
  const ts = formatTimestamp(now);
  if (latest === undefined || ts > latest) return ts;
  return formatTimestamp(new Date(parseTimestamp(latest).getTime() + 1000));
}

export function deployTagName(deployGroup: string, ts: string, imageVersion?: string | null): string {
  return `paasta-${deployGroup}${imageVersion ? `+${imageVersion}` : ""}-${ts}-deploy`;
}

export function rollbackTagName(deployGroup: string, ts: string, imageVersion?: string | null): string {
  return `paasta-${deployGroup}${imageVersion ? `+${imageVersion}` : ""}-${ts}-rollback`;
}

export function controlTagName(cluster: string, instance: string, ts: string, state: "start" | "stop"): string {
  return `paasta-${cluster}.${instance}-${ts}-${state}`;
}

export interface DeployTag {
  readonly ref: string;
  readonly deployGroup: string;
  readonly imageVersion: string | null;
  readonly timestamp: string;
  readonly sha: string;
}

export interface ControlTag {
  readonly ref: string;
  /** `CLUSTER.INSTANCE` */
  readonly branch: string;
  /** The timestamp part: the `force_bounce` value. */
  readonly forceBounce: string;
  readonly state: "start" | "stop";
  readonly sha: string;
}

const DEPLOY_RE = /^refs\/tags\/paasta-(.+)-(\d{8}T\d{6})-(deploy|rollback)$/;
const CONTROL_RE = /^refs\/tags\/(?:paasta-){0,2}([a-zA-Z0-9_.-]+)-([^-]+)-(start|stop)$/;

/**
 * Every PaaSTA tag of a remote, parsed once. Deploy-group and image-version are split at the first `+`
 * (deploy groups cannot contain `+`).
 */
export interface ParsedRefs {
  readonly deploys: DeployTag[];
  readonly rollbacks: DeployTag[];
  readonly controls: ControlTag[];
}

export function parseRefs(refs: ReadonlyMap<string, string>): ParsedRefs {
  const deploys: DeployTag[] = [];
  const rollbacks: DeployTag[] = [];
  const controls: ControlTag[] = [];
  for (const [ref, sha] of refs) {
    if (!ref.startsWith("refs/tags/")) continue;
    const d = DEPLOY_RE.exec(ref);
    if (d) {
      const head = d[1] as string;
      const plus = head.indexOf("+");
      const tag: DeployTag = {
        ref,
        deployGroup: plus === -1 ? head : head.slice(0, plus),
        imageVersion: plus === -1 ? null : head.slice(plus + 1),
        timestamp: d[2] as string,
        sha,
      };
      (d[3] === "deploy" ? deploys : rollbacks).push(tag);
      continue;
    }
    const c = CONTROL_RE.exec(ref);
    if (c)
      controls.push({ ref, branch: c[1] as string, forceBounce: c[2] as string, state: c[3] as "start" | "stop", sha });
  }
  return { deploys, rollbacks, controls };
}

/** Deploy tags of one deploy group, newest first. */
export function deployHistory(parsed: ParsedRefs, deployGroup: string): DeployTag[] {
  return parsed.deploys
    .filter((t) => t.deployGroup === deployGroup)
    .sort((a, b) => (a.timestamp < b.timestamp ? 1 : a.timestamp > b.timestamp ? -1 : 0));
}

/** The newest deploy tag of each deploy group. */
export function latestDeploys(parsed: ParsedRefs): Map<string, DeployTag> {
  const latest = new Map<string, DeployTag>();
  for (const t of parsed.deploys) {
    const cur = latest.get(t.deployGroup);
    if (!cur || t.timestamp > cur.timestamp) latest.set(t.deployGroup, t);
  }
  return latest;
}

/**
 * The desired state of each (branch, sha): the control tag with the greatest force_bounce wins; only tags on
 * the SHA currently deployed count, so a deploy of another SHA resets a stop (PaaSTA semantics).
 */
export function controlStates(parsed: ParsedRefs): Map<string, { state: "start" | "stop"; forceBounce: string }> {
  const out = new Map<string, { state: "start" | "stop"; forceBounce: string }>();
  for (const c of parsed.controls) {
    const key = `${c.branch}\u0000${c.sha}`;
    const cur = out.get(key);
    if (!cur || c.forceBounce >= cur.forceBounce) out.set(key, { state: c.state, forceBounce: c.forceBounce });
  }
  return out;
}

/** The newest control timestamp used for `branch` (any SHA), to keep new control tags ordered. */
export function latestControlTimestamp(parsed: ParsedRefs, branch: string): string | undefined {
  let latest: string | undefined;
  for (const c of parsed.controls)
    if (c.branch === branch && (latest === undefined || c.forceBounce > latest)) latest = c.forceBounce;
  return latest;
}
