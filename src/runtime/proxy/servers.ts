/**
 * HAProxy's view of its servers, pure: parsing `show servers state` and `show stat`, and the runtime API
 * commands that make a backend's slots match the members the local runtime wants (address / enable / drain /
 * disable / weight) — no reload for any of them.
 */
import type { MeshMember, MeshState } from "../../model/mesh.js";
import { backendName, haproxyWeight } from "./haproxy-config.js";

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

/** `host:port` of a member or a server. */
export const addressOf = (x: { host?: string; address?: string; port: number }) => `${x.host ?? x.address}:${x.port}`;

/**
 * Runtime API commands turning `current` (one backend's slots) into `wanted` (its members): a member keeps the
 * slot that has its address; a new member takes a free slot (address, weight, then ready); a slot whose task
 * is gone goes to maintenance. Slots entering rotation come first and slots leaving it after, so that a
 * crossover never has a moment with none. Members beyond the free slots wait for a reload with more slots.
 */
export function serverCommands(
  registration: string,
  wanted: readonly MeshMember[],
  current: readonly ServerState[],
): string[] {
  const be = backendName(registration);
  const enter: string[] = [];
  const leave: string[] = [];
  const want = new Map(wanted.map((m) => [addressOf(m), m]));
  const bySlot = new Map(current.map((s) => [addressOf(s), s]));
  // Free slots, those already in maintenance first.
  const spare = current
    .filter((s) => !want.has(addressOf(s)))
    .sort((a, b) => Number(a.state !== "down") - Number(b.state !== "down"));
  for (const m of [...wanted].sort((a, b) => a.task.localeCompare(b.task))) {
    const weight = haproxyWeight(m.weight);
    const s = bySlot.get(addressOf(m));
    if (!s) {
      const slot = spare.shift();
      if (!slot) continue;
      const target = `${be}/${slot.server}`;
      if (slot.state !== "down") enter.push(`set server ${target} state maint`);
      enter.push(`set server ${target} addr ${m.host} port ${m.port}`, `set server ${target} weight ${weight}`);
      if (m.state === "up") enter.push(`set server ${target} state ready`);
      else if (m.state === "draining") enter.push(`set server ${target} state drain`);
      continue;
    }
    const target = `${be}/${s.server}`;
    if (m.state !== "down" && s.weight !== weight) enter.push(`set server ${target} weight ${weight}`);
    if (s.state === m.state) continue;
    if (m.state === "up") enter.push(`set server ${target} state ready`);
    else leave.push(`set server ${target} state ${m.state === "draining" ? "drain" : "maint"}`);
  }
  for (const s of spare) if (s.state !== "down") leave.push(`set server ${be}/${s.server} state maint`);
  return [...enter, ...leave];
}
