/**
 * A service's deployment record on its git remote: resolve the URL, read the refs once, push new tags with
 * fresh timestamps. Shared by mark-for-deployment, start/stop/restart, rollback and generate-deployments.
 */
import { fileValue, readServiceDir, type ServiceDir } from "../config/soa.js";
import { PaastaError } from "../errors.js";
import { ensureCommit, type GitOptions, lsRemote, pushTag } from "./git.js";
import { resolveGitUrl } from "./git-url.js";
import { type ParsedRefs, parseRefs } from "./tags.js";

export interface ServiceRemote {
  readonly svc: ServiceDir;
  readonly service: string;
  readonly url: string;
  /** Remote refs → commit SHA, as read once; pushed tags are added to it. */
  readonly refs: Map<string, string>;
  readonly git: GitOptions;
}

/** PaaSTA strips a leading `services-` from service names given to deploy commands. */
export function normaliseService(service: string): string {
  return service.replace(/^services-/, "").replace(/\/+$/, "");
}

export function serviceGitUrl(svc: ServiceDir, override?: string): string | null {
  if (override) return override;
  const gitUrl = fileValue(svc, "service").git_url;
  if (gitUrl === null) return null;
  if (typeof gitUrl !== "string" || gitUrl === "") {
    throw new PaastaError("PAASTA_NO_GIT_URL", { service: svc.name });
  }
  return resolveGitUrl(gitUrl, svc.dir);
}

/** Loads the service and reads its remote's refs (one ls-remote). */
export async function openRemote(
  soaDir: string,
  service: string,
  opts: { gitUrl?: string; git?: GitOptions } = {},
): Promise<ServiceRemote> {
  const svc = readServiceDir(soaDir, normaliseService(service));
  const url = serviceGitUrl(svc, opts.gitUrl);
  if (url === null) throw new PaastaError("PAASTA_NO_GIT_URL", { service: svc.name });
  const refs = await lsRemote(url, opts.git);
  return { svc, service: svc.name, url, refs, git: opts.git ?? {} };
}

/**
 * Pushes a new tag named by `nameFor(current refs)` at `sha`. When another process pushed that very name
 * first, the refs are read again and a new name computed (timestamps move one second on), so that
 * concurrent marks land as distinct, ordered tags; an existing tag is never moved.
 */
export async function pushFreshTag(
  remote: ServiceRemote,
  sha: string,
  nameFor: (parsed: ParsedRefs) => string,
): Promise<string> {
  const { repo, sha: full } = await ensureCommit(remote.url, sha, remote.git);
  for (let attempt = 0; attempt < 20; attempt++) {
    const name = nameFor(parseRefs(remote.refs));
    const result = await pushTag(remote.url, repo, name, full, remote.git);
    if (result === "pushed") {
      remote.refs.set(`refs/tags/${name}`, full);
      return name;
    }
    // Taken meanwhile by another process: read the refs again (now with its tag) and compute a newer name.
    const fresh = await lsRemote(remote.url, remote.git);
    remote.refs.clear();
    for (const [ref, s] of fresh) remote.refs.set(ref, s);
  }
  throw new PaastaError("PAASTA_GIT_PUSH_FAILED", {
    tag: "(new tag)",
    url: remote.url,
    detail: "20 tag names in a row were already taken",
  });
}
