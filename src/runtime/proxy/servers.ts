/**
 * HAProxy's view of its servers, pure: parsing `show servers state` and `show stat`, and the runtime API
 * commands that make a backend's servers match the members the local runtime wants (add / enable / drain /
 * disable / weight / delete) — no reload for any of them.
 */
import type { MeshMember, MeshState } from "../../model/mesh.js";
import { backendName, haproxyWeight, serverName } from "./haproxy-config.js";

export interface ServerState {
  readonly backend: string;
  readonly server: string;
  readonly address: string;
  readonly port: number;
  readonly state: MeshState;
  readonly weight: number;
}

// srv_admin_state bits (HAProxy's SRV_ADMF_*): forced/inherited/resolution maintenance; forced/inherited drain.
const MAINT = 0x01 | 0x02 | 0x20;
const DRAIN = 0x08 | 0x10;

export function adminState(bits: number): MeshState {
  if (bits & MAINT) return "down";
  if (bits & DRAIN) return "draining";
  return "up";
}

/**
 * `show servers state [backend]`: a version line, a `#` header naming the fields, then one line per server
 * (fields separated by spaces).
 */
export function parseServersState(text: string): ServerState[] {
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  const header = lines.find((l) => l.startsWith("# "));
  if (!header) return [];
  const fields = header.slice(2).trim().split(/\s+/);
  const at = (name: string) => fields.indexOf(name);
  const [be, srv, addr, admin, uweight, port] = [
    at("be_name"),
    at("srv_name"),
    at("srv_addr"),
    at("srv_admin_state"),
    at("srv_uweight"),
    at("srv_port"),
  ];
  return lines
    .filter((l) => !l.startsWith("#") && /^\d+ /.test(l))
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= fields.length - 1)
    .map((f) => ({
      backend: f[be] ?? "",
      server: f[srv] ?? "",
      address: f[addr] ?? "",
      port: Number(f[port]),
      state: adminState(Number(f[admin])),
      weight: Number(f[uweight]),
    }));
}

/** One row of `show stat` (CSV with a `# pxname,svname,…` header), by column name. */
export type StatRow = Readonly<Record<string, string>>;

export function parseStat(text: string): StatRow[] {
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  const header = lines.find((l) => l.startsWith("# "));
  if (!header) return [];
  const cols = header.slice(2).split(",");
  return lines
    .filter((l) => !l.startsWith("#"))
    .map((l) => {
      const values = l.split(",");
      return Object.fromEntries(cols.map((c, i) => [c, values[i] ?? ""]));
    });
}

/**
 * Runtime API commands turning `current` (one backend's servers) into `wanted` (its members). Servers entering
 * rotation come first and servers leaving it after, so that a crossover never leaves a moment with none.
 */
export function serverCommands(
  registration: string,
  wanted: readonly MeshMember[],
  current: readonly ServerState[],
): string[] {
  const be = backendName(registration);
  const enter: string[] = [];
  const leave: string[] = [];
  const have = new Map(current.map((s) => [s.server, s]));
  const want = new Map(wanted.map((m) => [serverName(m.task), m]));
  for (const [name, m] of want) {
    const s = have.get(name);
    const weight = haproxyWeight(m.weight);
    const target = `${be}/${name}`;
    if (!s || s.address !== m.host || s.port !== m.port) {
      if (s) leave.push(`set server ${target} state maint`, `del server ${target}`);
      // A new server starts in maintenance: it is enabled (or drained) only when it should be.
      (s ? leave : enter).push(`add server ${target} ${m.host}:${m.port} weight ${weight}`);
      if (m.state === "up") (s ? leave : enter).push(`set server ${target} state ready`);
      continue;
    }
    if (m.state === "up" && s.weight !== weight) enter.push(`set server ${target} weight ${weight}`);
    if (s.state === m.state) continue;
    if (m.state === "up") enter.push(`set server ${target} state ready`);
    else leave.push(`set server ${target} state ${m.state === "draining" ? "drain" : "maint"}`);
  }
  for (const [name, s] of have) {
    if (want.has(name)) continue;
    if (s.state !== "down") leave.push(`set server ${be}/${name} state maint`);
    leave.push(`del server ${be}/${name}`);
  }
  return [...enter, ...leave];
}
