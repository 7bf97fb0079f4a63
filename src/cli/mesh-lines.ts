/** How the CLI shows the mesh (mesh-status, status -v): namespaces, their backends, a task's membership. */
import type { MeshStatus } from "../model/mesh.js";
import { type Io, marks } from "./io.js";

export function meshLines(io: Io, s: MeshStatus): string[] {
  const m = marks(io);
  const out = [s.proxy.available ? `proxy: ${s.proxy.detail}` : m.yellow(`proxy: ${s.proxy.detail}`)];
  if (s.namespaces.length === 0) out.push(m.dim("registers in no namespace"));
  for (const ns of s.namespaces) {
    const up = ns.backends.filter((b) => b.state === "up").length;
    const where =
      ns.proxy_port === null
        ? "no proxy_port (discovery only)"
        : ns.served
          ? `served on ${ns.address}`
          : m.yellow(`port ${ns.proxy_port} not served`);
    out.push(`${m.bold(ns.name)}  ${where}  ${up}/${ns.backends.length} backend(s) up`);
    for (const b of ns.backends) {
      const state = b.state === "up" ? m.green(b.state) : b.state === "draining" ? m.yellow(b.state) : m.red(b.state);
      out.push(
        `  ${b.task.padEnd(28)} ${`${b.service}.${b.instance}`.padEnd(20)} ${b.address.padEnd(21)} ${state.padEnd(8)}  ${b.healthy ? "healthy" : "unhealthy"}  sessions ${b.sessions ?? "-"}`,
      );
    }
  }
  return out;
}

/**
 * One line for `paasta status`: the namespaces with a proxy port the instance registers in, served or not
 * (and why not, e.g. HAProxy missing); nothing when it registers in none.
 */
export function meshSummary(io: Io, s: MeshStatus | undefined): string | null {
  const m = marks(io);
  const ports = (s?.namespaces ?? []).filter((n) => n.proxy_port !== null);
  if (!s || ports.length === 0) return null;
  const parts = ports.map((n) =>
    n.served
      ? `${n.name} on ${n.address} (${n.backends.filter((b) => b.state === "up").length}/${n.backends.length} up)`
      : `${n.name} port ${n.proxy_port} not served`,
  );
  const why = ports.some((n) => !n.served) ? `: ${s.proxy.detail}` : "";
  return `Mesh: ${parts.join(", ")}${why ? m.yellow(why) : ""}`;
}

/** `task id → "mesh: hello.main up"`, for `paasta status -v`. */
export function membershipByTask(s: MeshStatus | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!s) return out;
  for (const ns of s.namespaces) {
    for (const b of ns.backends) {
      if (b.service !== s.service || b.instance !== s.instance) continue;
      const text = `${ns.name} ${ns.served ? b.state : "not served"}`;
      out.set(b.task, out.has(b.task) ? `${out.get(b.task)}, ${text}` : text);
    }
  }
  return out;
}
