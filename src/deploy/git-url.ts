/**
 * git_url forms: `https://…`, `ssh://…`, `file://…`, scp-style `user@host:path`, or a local path. A relative
 * local path is resolved against the service's soa-configs directory, so a tree can point at repositories
 * beside it.
 */
import { isAbsolute, resolve } from "node:path";

export function isRemoteUrl(url: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(url) || /^[^/\s]+@[^/\s:]+:/.test(url);
}

/** The URL to hand to git: remote URLs unchanged, local paths made absolute. */
export function resolveGitUrl(url: string, serviceDir: string): string {
  if (isRemoteUrl(url) || isAbsolute(url)) return url;
  return resolve(serviceDir, url);
}
