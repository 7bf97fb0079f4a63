/**
 * The HAProxy configuration of the local proxy, pure: one frontend on 127.0.0.1:proxy_port per route, its
 * backend with server slots (reference §1.11 for what each namespace key means). Slots, not servers added at
 * run time: HAProxy 2.6 keeps no idle connections to servers added with `add server`, so every request would
 * open a new connection to the task. The registered tasks are written into slots in their current state, so
 * that a fresh HAProxy (a start, a restart after a crash, a reload) serves at once; afterwards membership
 * changes go through the runtime API (a free slot gets the task's address), and only a change of
 * `frontendsKey` (the routes, their settings, their slot counts) needs a reload.
 */
import type { ResolvedNamespace } from "../../config/types.js";
import type { DesiredRoute, MeshMember } from "../../model/mesh.js";

export interface ConfigPaths {
  /** The runtime API socket (admin level). */
  readonly adminSocket: string;
}

/** HAProxy names (proxies, servers) allow letters, digits, `-`, `_`, `.` and `:`. */
export function haproxyName(s: string): string {
  return s.replace(/[^A-Za-z0-9_.:-]/g, "_");
}

export const backendName = (registration: string) => `be_${haproxyName(registration)}`;
export const frontendName = (registration: string) => `fe_${haproxyName(registration)}`;
export const slotName = (i: number) => `s${i}`;
/** Where a free slot points (nothing listens on port 1; a free slot is in maintenance anyway). */
export const FREE_SLOT = { host: "127.0.0.1", port: 1 } as const;

/** Slot counts per registration. */
export type Slots = ReadonlyMap<string, number>;

/**
 * Slots each route needs: at least 8 and twice its members, as a power of two, never fewer than before (so a
 * reload for more slots is rare, and never for fewer).
 */
export function slotsFor(
  routes: readonly DesiredRoute[],
  members: readonly MeshMember[],
  before: Slots,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of routes) {
    const n = members.filter((m) => m.registration === r.registration).length;
    let size = 8;
    while (size < 2 * n) size *= 2;
    out.set(r.registration, Math.max(size, before.get(r.registration) ?? 0));
  }
  return out;
}

/** HAProxy weights are 0–256; PaaSTA's default instance weight is 10. */
export function haproxyWeight(weight: number): number {
  return Math.max(0, Math.min(256, Math.round(weight)));
}

/** A double-quoted HAProxy argument. */
export function quote(s: string): string {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** Envoy's lb_policy (or HAProxy's legacy `balance`, already translated by the resolver) as HAProxy balance lines. */
export function balanceLines(lbPolicy: string, mode: ResolvedNamespace["mode"]): string[] {
  switch (lbPolicy) {
    case "LEAST_REQUEST":
      return ["balance leastconn"];
    case "RANDOM":
      return ["balance random"];
    case "RING_HASH":
    case "MAGLEV":
      // Consistent hashing (dynamic servers need `hash-type consistent`); on the URI in HTTP, the client in TCP.
      return [mode === "tcp" ? "balance source" : "balance uri", "hash-type consistent"];
    default:
      return ["balance roundrobin"];
  }
}

/**
 * endpoint_timeouts → `http-request set-timeout server` rules; the last matching rule wins in HAProxy, so
 * shorter prefixes come first and the most specific prefix decides. Keys starting with `^` are regexes.
 */
export function endpointTimeoutLines(timeouts: Readonly<Record<string, number>>): string[] {
  return Object.entries(timeouts)
    .sort(([a], [b]) => a.length - b.length || a.localeCompare(b))
    .map(([path, ms]) => {
      const cond = path.startsWith("^") ? `path_reg ${quote(path)}` : `path_beg ${quote(path)}`;
      return `http-request set-timeout server ${Math.max(1, Math.round(ms))}ms if { ${cond} }`;
    });
}

/** The slot lines of a backend: its members in the first slots (in their state), then free slots. */
function slotLines(members: readonly MeshMember[], size: number, mode: ResolvedNamespace["mode"]): string[] {
  const tls = mode === "https" ? " ssl verify none" : mode === "http2" ? " proto h2" : "";
  const own = [...members].sort((a, b) => a.task.localeCompare(b.task));
  return Array.from({ length: Math.max(size, own.length) }, (_, i) => {
    const m = own[i];
    const where = m ? `${m.host}:${m.port} weight ${haproxyWeight(m.weight)}` : `${FREE_SLOT.host}:${FREE_SLOT.port}`;
    const disabled = m?.state === "up" ? "" : " disabled";
    return `server ${slotName(i + 1)} ${where}${tls}${disabled}`;
  });
}

function routeLines(route: DesiredRoute, members: readonly MeshMember[], size: number): string[] {
  const s = route.settings;
  const http = s.mode !== "tcp";
  const fe = [
    `frontend ${frontendName(route.registration)}`,
    `    bind 127.0.0.1:${s.proxy_port}`,
    `    mode ${http ? "http" : "tcp"}`,
    `    timeout client ${s.timeout_client_ms ?? s.idle_timeout_s * 1000}ms`,
    ...(http ? [`    timeout http-keep-alive ${s.idle_timeout_s * 1000}ms`] : []),
    `    default_backend ${backendName(route.registration)}`,
  ];
  const be = [
    `backend ${backendName(route.registration)}`,
    `    mode ${http ? "http" : "tcp"}`,
    ...balanceLines(s.lb_policy, s.mode).map((l) => `    ${l}`),
    `    timeout connect ${s.timeout_connect_ms}ms`,
    `    timeout server ${s.timeout_server_ms}ms`,
    `    retries ${s.retries}`,
    "    option redispatch 1",
  ];
  if (http) {
    // A request that found a closing keep-alive connection is sent again; only idempotent methods are.
    be.push("    retry-on conn-failure empty-response junk-response");
    be.push("    http-request disable-l7-retry unless METH_GET || METH_HEAD || METH_OPTIONS || { method PUT DELETE }");
    for (const l of endpointTimeoutLines(s.endpoint_timeouts)) be.push(`    ${l}`);
    for (const [name, value] of Object.entries(s.extra_headers).sort(([a], [b]) => a.localeCompare(b)))
      be.push(`    http-request set-header ${haproxyName(name)} ${quote(value)}`);
  }
  const own = members.filter((m) => m.registration === route.registration);
  for (const l of slotLines(own, size, s.mode)) be.push(`    ${l}`);
  return [...fe, "", ...be];
}

/** Routes that get a frontend: those with a proxy_port (null = discovery only). */
export function servedRoutes(routes: readonly DesiredRoute[]): DesiredRoute[] {
  return routes
    .filter((r) => r.settings.proxy_port !== null)
    .sort((a, b) => a.registration.localeCompare(b.registration));
}

/** What a reload is needed for: the frontends, their settings and slot counts (not the members: they change live). */
export function frontendsKey(routes: readonly DesiredRoute[], slots: Slots): string {
  return JSON.stringify(servedRoutes(routes).map((r) => [r.registration, r.settings, slots.get(r.registration) ?? 8]));
}

export function renderConfig(
  routes: readonly DesiredRoute[],
  members: readonly MeshMember[],
  slots: Slots,
  p: ConfigPaths,
): string {
  const lines = [
    "# Generated by paasta (the local runtime's proxy); rewritten when the mesh namespaces change.",
    "global",
    // expose-fd: a reload hands the listening sockets to the new worker (nothing is refused meanwhile).
    `    stats socket ${quote(p.adminSocket)} mode 600 level admin expose-fd listeners`,
    "    stats timeout 30s",
    "    maxconn 4096",
    // A port another program (or another cluster's HAProxy) listens on is an error, not a shared port.
    "    noreuseport",
    // After a reload the old worker finishes its requests, for at most this long.
    "    hard-stop-after 30s",
    "",
    "defaults",
    // After a reload the old worker answers the next request of each idle keep-alive connection with
    // `Connection: close` instead of closing it under the client's feet.
    "    option idle-close-on-response",
    "    timeout connect 1s",
    "    timeout client 60s",
    "    timeout server 60s",
    "    timeout queue 1s",
    "",
  ];
  for (const route of servedRoutes(routes))
    lines.push(...routeLines(route, members, slots.get(route.registration) ?? 8), "");
  return `${lines.join("\n")}\n`;
}
