/**
 * The container engine: a Docker Engine API endpoint (Docker, or Podman's Docker-compatible service) reached
 * through dockerode, which is imported lazily (it costs ~140 ms at startup). DOCKER_HOST wins (unix://, tcp://,
 * http://, https://); without it the first existing default socket is used. An engine that cannot be reached
 * is the catalogue error PAASTA_ENGINE_UNREACHABLE, never a stack trace.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type Dockerode from "dockerode";
import { PaastaError } from "../errors.js";

export interface Engine {
  readonly docker: Dockerode;
  /** Where it was reached, for messages: `unix:///var/run/docker.sock`. */
  readonly where: string;
  /** "Docker Engine" or "Podman Engine", with its version. */
  readonly product: string;
  readonly podman: boolean;
}

/** The default sockets, in order: Docker's, then Podman's rootful and rootless services. */
export function defaultSockets(env: NodeJS.ProcessEnv): string[] {
  const out = ["/var/run/docker.sock", "/run/podman/podman.sock"];
  if (env.XDG_RUNTIME_DIR)
    out.push(join(env.XDG_RUNTIME_DIR, "podman/podman.sock"), join(env.XDG_RUNTIME_DIR, "docker.sock"));
  return out;
}

type Target = { where: string; options: Dockerode.DockerOptions };

/** Where the engine should be, from DOCKER_HOST or the default sockets (undefined: nothing found). */
export function engineTarget(env: NodeJS.ProcessEnv): Target | undefined {
  const host = env.DOCKER_HOST?.trim();
  if (host) {
    if (host.startsWith("unix://")) return { where: host, options: { socketPath: host.slice("unix://".length) } };
    if (host.startsWith("/")) return { where: `unix://${host}`, options: { socketPath: host } };
    const m = /^(tcp|http|https):\/\/([^:/]+|\[[^\]]+\])(?::(\d+))?\/?$/.exec(host);
    if (!m) {
      throw new PaastaError("PAASTA_ENGINE_UNREACHABLE", {
        where: host,
        detail: "DOCKER_HOST must be unix:///path/to/socket, tcp://HOST:PORT, http:// or https://",
      });
    }
    const tls = m[1] === "https" || (m[1] === "tcp" && Boolean(env.DOCKER_TLS_VERIFY));
    return {
      where: host,
      options: {
        host: (m[2] as string).replace(/^\[|\]$/g, ""),
        port: Number(m[3] ?? (tls ? 2376 : 2375)),
        protocol: tls ? "https" : "http",
      },
    };
  }
  const socket = defaultSockets(env).find((s) => existsSync(s));
  return socket ? { where: `unix://${socket}`, options: { socketPath: socket } } : undefined;
}

function unreachable(where: string, detail: string): PaastaError {
  return new PaastaError("PAASTA_ENGINE_UNREACHABLE", { where, detail });
}

const cache = new Map<string, Promise<Engine>>();

/** Connects to the engine and checks that it answers (`/_ping` within `timeoutMs`). Cached per endpoint. */
export function connectEngine(env: NodeJS.ProcessEnv, timeoutMs = 5000): Promise<Engine> {
  const target = engineTarget(env);
  if (!target) {
    return Promise.reject(
      unreachable(
        `DOCKER_HOST (unset) or ${defaultSockets(env).join(", ")}`,
        "DOCKER_HOST is not set and none of the default sockets exists",
      ),
    );
  }
  const hit = cache.get(target.where);
  if (hit) return hit;
  const p = open(target, timeoutMs);
  cache.set(target.where, p);
  p.catch(() => cache.delete(target.where));
  return p;
}

async function open(target: Target, timeoutMs: number): Promise<Engine> {
  const { default: Docker } = await import("dockerode");
  const docker = new Docker(target.options);
  let timer: NodeJS.Timeout | undefined;
  try {
    const version = await Promise.race([
      docker.version(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000}s`)), timeoutMs);
      }),
    ]);
    const podman = (version.Components ?? []).some((c) => /podman/i.test(c.Name));
    return {
      docker,
      where: target.where,
      product: `${podman ? "Podman Engine" : "Docker Engine"} ${version.Version}`,
      podman,
    };
  } catch (e) {
    throw unreachable(target.where, describe(e));
  } finally {
    clearTimeout(timer);
  }
}

/** A short reason from a dockerode / socket error. */
export function describe(e: unknown): string {
  const err = e as {
    code?: string;
    statusCode?: number;
    json?: { message?: string };
    message?: string;
    reason?: string;
  };
  if (err.code === "ENOENT") return "no such socket";
  if (err.code === "ECONNREFUSED") return "connection refused";
  if (err.code === "EACCES") return "permission denied on the socket (are you in the docker group?)";
  const msg = err.json?.message ?? err.message ?? String(e);
  return msg.replace(/^\(HTTP code \d+\) [a-z ]+ - /i, "").trim();
}

/** Whether a dockerode error is an HTTP 404 (no such image / container). */
export function isNotFound(e: unknown): boolean {
  return (e as { statusCode?: number }).statusCode === 404;
}
