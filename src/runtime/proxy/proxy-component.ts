/**
 * The local proxy (docs/mesh.md): HAProxy as a supervised child of `paasta up`, serving every published
 * route (smartstack.yaml namespace with a proxy_port) on 127.0.0.1:proxy_port, with the registered tasks as
 * servers. Level-based like the supervisor: each pass compares what the runtime wants (routes and members,
 * through the MeshMembership power) with what HAProxy runs, then
 *
 * - starts HAProxy when there is a route to serve and it does not run (first start, or after it died);
 * - reloads it (seamlessly) only when the routes or their settings changed, after `haproxy -c` accepted the
 *   new config (a rejected config is reported with HAProxy's words and the old one keeps running);
 * - makes each backend's servers match the members through the runtime API (add, ready, drain, maint, weight,
 *   del), servers entering rotation before servers leaving it.
 *
 * Passes run on every membership change, and every `verifyMs` as a safety net. Without HAProxy installed the
 * component starts anyway and says once that discovery is off and how to install it.
 */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import type { MeshMembership } from "../../backends/backend.js";
import type { DesiredRoute } from "../../model/mesh.js";
import type { Component, ComponentHealth } from "../component.js";
import { backendName, frontendsKey, renderConfig, type Slots, servedRoutes, slotsFor } from "./haproxy-config.js";
import {
  checkConfig,
  findHaproxy,
  type HaproxyPaths,
  HaproxyProcess,
  haproxyVersion,
  proxyPaths,
  stopLeftover,
  takenPorts,
} from "./haproxy-process.js";
import { haproxyCommand, haproxyDo } from "./runtime-api.js";
import { parseServersState, parseStat, type ServerState, type StatRow, serverCommands } from "./servers.js";

export interface ProxyOptions {
  readonly stateDir: string;
  /** The system config's haproxy path; else found on PATH. */
  readonly haproxyPath?: string;
  readonly membership: MeshMembership;
  readonly env: NodeJS.ProcessEnv;
  /** Lines for `paasta up`'s output and the runtime log. */
  readonly report: (message: string, level?: "info" | "warn" | "error") => void;
  /** How often servers are compared with HAProxy's even when nothing changed (ms). */
  readonly verifyMs?: number;
}

export const INSTALL_HINT =
  "install HAProxy ≥ 2.6 (Debian/Ubuntu: sudo apt-get install haproxy) or set cluster_backends.CLUSTER.haproxy_path";

/** After this many unexpected exits within EXIT_WINDOW_MS, restarts back off (1 s, 2 s, … 30 s). */
const EXITS_BEFORE_BACKOFF = 3;
const EXIT_WINDOW_MS = 30_000;
/** A config HAProxy could not load (not one it refused) is tried again after this long. */
const RETRY_LOAD_MS = 5000;

export class ProxyComponent implements Component {
  readonly name = "proxy";
  readonly paths: HaproxyPaths;
  private bin: string | null = null;
  /** Why discovery is off (no HAProxy), in words. */
  private off: string | null = null;
  private version = "";
  private haproxy: HaproxyProcess | undefined;
  /** The routes of the config HAProxy runs, and their key. */
  private running: DesiredRoute[] = [];
  /** Slot counts of the running config, and of the config the current pass wants. */
  private slots: Slots = new Map();
  private wantedSlots: Slots = new Map();
  private runningKey: string | null = null;
  /** The key of the last config HAProxy rejected (not tried again until the routes change), and why. */
  private rejectedKey: string | null = null;
  /** Until when the rejected key is not tried again (forever for a config `haproxy -c` refuses). */
  private rejectedUntil = 0;
  private rejection: string | null = null;
  private exits: number[] = [];
  /** The last start failure reported (reported once, retried with back-off). */
  private startError: string | null = null;
  private nextStartAt = 0;
  private pass: Promise<void> | null = null;
  private again = false;
  private requested = 0;
  /** The members last applied without a failed command; a pass with the same ones skips HAProxy until verifyDue. */
  private synced: string | null = null;
  private verifyDue = true;
  private completed = 0;
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private stopped = false;
  restarts = 0;
  reloads = 0;

  constructor(private readonly o: ProxyOptions) {
    this.paths = proxyPaths(o.stateDir);
  }

  get available(): boolean {
    return this.bin !== null;
  }

  /** Whether HAProxy runs now (it may be between a crash and its restart). */
  get serving(): boolean {
    return this.haproxy?.running === true;
  }

  /** Registrations HAProxy has a frontend for now. */
  servedRegistrations(): ReadonlySet<string> {
    return new Set(this.serving ? this.running.map((r) => r.registration) : []);
  }

  get membership(): MeshMembership {
    return this.o.membership;
  }

  async start(): Promise<void> {
    this.bin = findHaproxy(this.o.haproxyPath, this.o.env);
    if (!this.bin) {
      const where = this.o.haproxyPath ? `${this.o.haproxyPath} is not an executable` : "HAProxy is not installed";
      this.off = `${where}: service discovery is off (no proxy port is served); ${INSTALL_HINT}`;
      this.o.report(this.off, "warn");
      return;
    }
    this.version = await haproxyVersion(this.bin);
    mkdirSync(this.paths.dir, { recursive: true });
    if (await stopLeftover(this.paths)) this.o.report("stopped the HAProxy an earlier paasta up left running");
    this.haproxy = new HaproxyProcess(this.bin, this.paths, {
      onExit: (code, signal) => this.onExit(code, signal),
      onLine: (line) => {
        if (/ALERT|EMERG/.test(line)) this.o.report(`HAProxy: ${line}`, "warn");
      },
    });
    this.unsubscribe = this.o.membership.onMeshChange(() => this.kick());
    this.timer = setInterval(() => {
      this.verifyDue = true;
      this.kick();
    }, this.o.verifyMs ?? 1000);
    await this.sync();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.unsubscribe?.();
    await this.pass;
    await this.haproxy?.stop();
  }

  health(): ComponentHealth {
    if (!this.bin) return { ok: true, detail: this.off ?? `service discovery is off; ${INSTALL_HINT}` };
    if (this.rejection) return { ok: false, detail: this.rejection };
    if (!this.serving && this.startError) return { ok: false, detail: this.startError };
    if (!this.serving)
      return this.running.length === 0 && this.runningKey === null
        ? { ok: true, detail: `HAProxy ${this.version}: no proxy port to serve yet` }
        : { ok: false, detail: `HAProxy ${this.version} is restarting` };
    const ports = this.running.map((r) => `${r.settings.proxy_port} ${r.registration}`).join(", ");
    return { ok: true, detail: `HAProxy ${this.version} (pid ${this.haproxy?.pid}) serving ${ports || "nothing yet"}` };
  }

  /** Runs a pass soon (coalesced with one in progress). */
  kick(): void {
    if (this.stopped || !this.haproxy) return;
    if (this.pass) {
      this.again = true;
      return;
    }
    this.pass = (async () => {
      do {
        this.again = false;
        const upTo = this.requested;
        await this.converge().catch((e: unknown) => this.o.report(`proxy: ${(e as Error).message}`, "warn"));
        this.completed = Math.max(this.completed, upTo);
      } while (this.again && !this.stopped);
      this.pass = null;
    })();
  }

  /** Resolves once a pass that started after this call has finished: the current membership is applied. */
  async sync(): Promise<void> {
    if (!this.haproxy || this.stopped) return;
    const ticket = ++this.requested;
    this.verifyDue = true;
    this.kick();
    while (this.completed < ticket && !this.stopped && this.pass) await this.pass;
  }

  private onExit(code: number | null, signal: string | null): void {
    this.restarts++;
    this.runningKey = null;
    this.o.report(`HAProxy exited (${signal ?? `code ${code}`}); restarting it`, "warn");
    this.backOff();
  }

  /** After an exit or a failed start: at once, then (after 3 within 30 s) 1 s, 2 s, … 30 s. */
  private backOff(): void {
    const now = Date.now();
    this.exits = [...this.exits.filter((t) => now - t < EXIT_WINDOW_MS), now];
    const n = this.exits.length - EXITS_BEFORE_BACKOFF;
    this.nextStartAt = n >= 0 ? now + Math.min(1000 * 2 ** n, 30_000) : now + 100;
    setTimeout(() => this.kick(), this.nextStartAt - now).unref();
  }

  /** Starts HAProxy with the checked config; a failure (a port taken…) is reported once and retried. */
  private async startHaproxy(haproxy: HaproxyProcess, routes: DesiredRoute[], key: string): Promise<void> {
    try {
      await haproxy.start();
    } catch (e) {
      const message = (e as Error).message;
      if (message !== this.startError) this.o.report(`${message}; trying again`, "error");
      this.startError = message;
      this.backOff();
      return;
    }
    this.startError = null;
    this.adopt(routes, key);
    const served = routes.map((r) => `${r.registration} on 127.0.0.1:${r.settings.proxy_port}`).join(", ");
    this.o.report(`HAProxy ${this.version} serving ${served}`);
  }

  private async converge(): Promise<void> {
    const haproxy = this.haproxy;
    if (!haproxy) return;
    const routes = servedRoutes(this.o.membership.meshRoutes());
    const members = this.o.membership.meshMembers();
    this.wantedSlots = slotsFor(routes, members, this.slots);
    const key = frontendsKey(routes, this.wantedSlots);
    if (key === this.runningKey && this.rejection) {
      // The change HAProxy rejected was undone: what runs is what is wanted again.
      this.rejectedKey = null;
      this.rejection = null;
    }
    if (!haproxy.running) {
      if (routes.length === 0 || Date.now() < this.nextStartAt || this.isRejected(key)) return;
      if (!(await this.writeChecked(routes, key))) return;
      await this.startHaproxy(haproxy, routes, key);
      if (!haproxy.running) return;
    } else if (key !== this.runningKey && !this.isRejected(key)) {
      await this.reloadHaproxy(haproxy, routes, key);
    }
    await this.syncServers(members);
  }

  /**
   * Reloads with the config for `routes`, unless `haproxy -c` refuses it or a new frontend's port is taken: a
   * reload that fails to bind pauses the running listeners for seconds (new connections refused), so ports are
   * checked first. Either way the old config keeps serving and the problem is reported.
   */
  private async reloadHaproxy(haproxy: HaproxyProcess, routes: DesiredRoute[], key: string): Promise<void> {
    const running = new Set(this.running.map((r) => r.settings.proxy_port));
    const added = routes.filter((r) => r.settings.proxy_port !== null && !running.has(r.settings.proxy_port));
    const taken = await takenPorts(added.map((r) => r.settings.proxy_port as number));
    const loadFailure = (why: string) =>
      this.reject(key, `HAProxy could not load the new config, the old one keeps running: ${why}`, true);
    if (taken.length > 0) {
      const which = added.filter((r) => taken.includes(r.settings.proxy_port as number));
      return loadFailure(
        which.map((r) => `cannot bind 127.0.0.1:${r.settings.proxy_port} for ${r.registration}: in use`).join("; "),
      );
    }
    if (!(await this.writeChecked(routes, key))) return;
    try {
      await haproxy.reload();
    } catch (e) {
      // The master keeps the old worker when the new one cannot start.
      return loadFailure((e as Error).message);
    }
    this.reloads++;
    this.adopt(routes, key);
    const served = routes.map((r) => `${r.registration}:${r.settings.proxy_port}`).join(", ");
    this.o.report(`HAProxy reloaded: serving ${served || "no namespace"}`);
  }

  private isRejected(key: string): boolean {
    return key === this.rejectedKey && Date.now() < this.rejectedUntil;
  }

  /** A config `haproxy -c` refuses is not tried again until the routes change; a failed load (a port another
   * program holds) is tried again after RETRY_LOAD_MS. */
  private reject(key: string, message: string, retry = false): void {
    this.rejectedUntil = retry ? Date.now() + RETRY_LOAD_MS : Number.POSITIVE_INFINITY;
    if (key === this.rejectedKey && message === this.rejection) return;
    this.rejectedKey = key;
    this.rejection = message;
    this.o.report(message, "error");
  }

  private adopt(routes: DesiredRoute[], key: string): void {
    this.running = routes;
    this.slots = this.wantedSlots;
    this.runningKey = key;
    this.synced = null;
    this.rejectedKey = null;
    this.rejection = null;
  }

  /** Writes the config for `routes` if `haproxy -c` accepts it; else reports HAProxy's message once. */
  private async writeChecked(routes: DesiredRoute[], key: string): Promise<boolean> {
    const text = renderConfig(routes, this.o.membership.meshMembers(), this.wantedSlots, {
      adminSocket: this.paths.adminSocket,
    });
    writeFileSync(this.paths.candidate, text);
    const problem = await checkConfig(this.bin as string, this.paths.candidate);
    if (problem) {
      this.reject(key, `HAProxy rejected the new config, the old one keeps running: ${problem}`);
      return false;
    }
    renameSync(this.paths.candidate, this.paths.config);
    return true;
  }

  private async syncServers(members: ReturnType<MeshMembership["meshMembers"]>): Promise<void> {
    const key = `${this.runningKey}|${JSON.stringify(members)}`;
    if (key === this.synced && !this.verifyDue) return;
    this.verifyDue = false;
    const current = await this.serverStates();
    if (!current) return;
    let clean = true;
    for (const route of this.running) {
      const wanted = members.filter((m) => m.registration === route.registration);
      const have = current.filter((s) => s.backend === backendName(route.registration));
      for (const cmd of serverCommands(route.registration, wanted, have)) {
        // A server with connections left cannot be deleted yet: the next pass tries again.
        await haproxyDo(this.paths.adminSocket, cmd).catch((e: unknown) => {
          clean = false;
          if (!cmd.startsWith("del server")) this.o.report(`proxy: ${(e as Error).message}`, "warn");
        });
      }
    }
    this.synced = clean ? key : null;
  }

  /** Every server as HAProxy has it now; null when HAProxy does not answer. */
  async serverStates(): Promise<ServerState[] | null> {
    if (!this.serving) return null;
    try {
      return parseServersState(await haproxyCommand(this.paths.adminSocket, "show servers state"));
    } catch {
      return null;
    }
  }

  /** HAProxy's statistics rows (frontends, backends, servers); null when HAProxy does not answer. */
  async stats(): Promise<StatRow[] | null> {
    if (!this.serving) return null;
    try {
      return parseStat(await haproxyCommand(this.paths.adminSocket, "show stat"));
    } catch {
      return null;
    }
  }
}
