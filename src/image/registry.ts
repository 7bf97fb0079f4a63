/**
 * A small Docker Registry HTTP API v2 reader: does a manifest exist (HEAD, else GET), with the OCI and Docker
 * manifest media types accepted, Bearer token auth from the `WWW-Authenticate` challenge (or Basic), and
 * plain HTTP for registries on the loopback interface (as Docker itself allows).
 */
import { PaastaError } from "../errors.js";
import { credentialsFor, type RegistryCredentials } from "./docker-config.js";

export const MANIFEST_TYPES = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.docker.distribution.manifest.v2+json",
  "application/vnd.docker.distribution.manifest.v1+prettyjws",
].join(", ");

export interface ImageRef {
  /** `host[:port]` */
  readonly registry: string;
  /** repository path, e.g. `services-hello` */
  readonly repository: string;
  readonly tag: string;
}

/** Splits `REGISTRY/REPO:TAG`. The first path component is the registry (as paasta's image URLs have one). */
export function parseImageRef(url: string): ImageRef {
  const slash = url.indexOf("/");
  const colon = url.lastIndexOf(":");
  if (slash <= 0 || colon < slash) {
    throw new PaastaError("PAASTA_USAGE", { detail: `not an image reference REGISTRY/REPOSITORY:TAG: ${url}` });
  }
  return { registry: url.slice(0, slash), repository: url.slice(slash + 1, colon), tag: url.slice(colon + 1) };
}

export function isLoopback(registry: string): boolean {
  const host = registry.replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export function registryBase(registry: string): string {
  return `${isLoopback(registry) ? "http" : "https"}://${registry}`;
}

export interface ManifestInfo {
  readonly exists: boolean;
  readonly digest: string | null;
  readonly mediaType: string | null;
}

export interface RegistryOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly timeoutMs?: number;
}

/** Parses `Bearer realm="…",service="…",scope="…"` (or `Basic realm=…`). */
export function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const space = header.indexOf(" ");
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const params: Record<string, string> = {};
  for (const m of header.slice(space + 1).matchAll(/(\w+)="([^"]*)"|(\w+)=([^,\s]+)/g)) {
    params[(m[1] ?? m[3]) as string] = (m[2] ?? m[4]) as string;
  }
  return { scheme, params };
}

export class RegistryClient {
  private readonly tokens = new Map<string, string>();

  constructor(private readonly o: RegistryOptions) {}

  /** Whether `REGISTRY/REPO:TAG` has a manifest. Unreachable registries and refusals are catalogue errors. */
  async manifest(url: string): Promise<ManifestInfo> {
    const ref = parseImageRef(url);
    const path = `/v2/${ref.repository}/manifests/${encodeURIComponent(ref.tag)}`;
    let res = await this.request(ref, path, "HEAD");
    // Some registries answer HEAD without auth details or not at all: ask with GET then.
    if (res.status === 405) res = await this.request(ref, path, "GET");
    if (res.status === 200) {
      return {
        exists: true,
        digest: res.headers.get("docker-content-digest"),
        mediaType: res.headers.get("content-type"),
      };
    }
    if (res.status === 404) return { exists: false, digest: null, mediaType: null };
    if (res.status === 401 || res.status === 403) {
      throw new PaastaError("PAASTA_REGISTRY_REFUSED", {
        registry: ref.registry,
        detail: `HTTP ${res.status} for ${ref.repository}:${ref.tag}${this.creds(ref) ? "" : " (no credentials for it in the Docker config file)"}`,
      });
    }
    throw new PaastaError("PAASTA_REGISTRY_UNREACHABLE", {
      registry: ref.registry,
      detail: `HTTP ${res.status} for ${path}`,
    });
  }

  private creds(ref: ImageRef): RegistryCredentials | undefined {
    return credentialsFor(ref.registry, this.o.env);
  }

  private async request(ref: ImageRef, path: string, method: "HEAD" | "GET"): Promise<Response> {
    const url = `${registryBase(ref.registry)}${path}`;
    const headers: Record<string, string> = { Accept: MANIFEST_TYPES };
    const scopeKey = `${ref.registry}/${ref.repository}`;
    const token = this.tokens.get(scopeKey);
    if (token) headers.Authorization = token;
    let res = await this.fetch(ref, url, { method, headers });
    if (res.status !== 401) return res;
    const challenge = res.headers.get("www-authenticate");
    if (!challenge) return res;
    const auth = await this.authorize(ref, parseChallenge(challenge));
    if (!auth) return res;
    this.tokens.set(scopeKey, auth);
    res = await this.fetch(ref, url, { method, headers: { ...headers, Authorization: auth } });
    return res;
  }

  /** The Authorization header value answering a challenge, or undefined when it cannot be answered. */
  private async authorize(
    ref: ImageRef,
    c: { scheme: string; params: Record<string, string> },
  ): Promise<string | undefined> {
    const creds = this.creds(ref);
    const basic = creds ? `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString("base64")}` : undefined;
    if (c.scheme === "basic") return basic;
    if (c.scheme !== "bearer" || !c.params.realm) return undefined;
    const realm = new URL(c.params.realm);
    if (c.params.service) realm.searchParams.set("service", c.params.service);
    realm.searchParams.set("scope", c.params.scope ?? `repository:${ref.repository}:pull`);
    const res = await this.fetch(ref, realm.toString(), {
      method: "GET",
      headers: basic ? { Authorization: basic } : {},
    });
    if (res.status !== 200) return undefined;
    const body = (await res.json().catch(() => ({}))) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    return token ? `Bearer ${token}` : undefined;
  }

  private async fetch(ref: ImageRef, url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, { ...init, redirect: "follow", signal: AbortSignal.timeout(this.o.timeoutMs ?? 15_000) });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      const detail =
        cause?.code === "ECONNREFUSED"
          ? `connection refused (${url})`
          : (e as Error).name === "TimeoutError"
            ? `no answer within ${(this.o.timeoutMs ?? 15_000) / 1000}s (${url})`
            : `${cause?.message ?? (e as Error).message} (${url})`;
      throw new PaastaError("PAASTA_REGISTRY_UNREACHABLE", { registry: ref.registry, detail });
    }
  }
}
