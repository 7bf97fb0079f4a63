/**
 * The local proxy's pure parts, by value: the generated HAProxy config (and the real `haproxy -c` accepting
 * it), when a reload is needed, HAProxy's answers parsed, and the runtime API commands that move servers in
 * and out of rotation.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resolveNamespace } from "../../src/config/resolve/mesh.js";
import type { DesiredRoute, MeshMember } from "../../src/model/mesh.js";
import {
  balanceLines,
  endpointTimeoutLines,
  frontendsKey,
  renderConfig,
  slotsFor,
} from "../../src/runtime/proxy/haproxy-config.js";
import { checkConfig, findHaproxy } from "../../src/runtime/proxy/haproxy-process.js";
import { parseServersState, parseStat, serverCommands } from "../../src/runtime/proxy/servers.js";
import { tempDir } from "../helpers/cli.js";

const route = (name: string, entry: Record<string, unknown>): DesiredRoute => ({
  registration: `hello.${name}`,
  service: "hello",
  settings: resolveNamespace(name, entry),
  members: [],
});

const member = (
  task: string,
  port: number,
  state: MeshMember["state"],
  extra: Partial<MeshMember> = {},
): MeshMember => ({
  registration: "hello.main",
  task,
  service: "hello",
  instance: "main",
  host: "127.0.0.1",
  port,
  weight: 10,
  state,
  healthy: state === "up",
  ...extra,
});

const PATHS = { adminSocket: "/run/paasta/admin.sock" };

describe("the generated HAProxy config", () => {
  const main = route("main", { proxy_port: 20001, timeout_server_ms: 2000, extra_headers: { "X-Mesh": "yes" } });
  const text = renderConfig(
    [main],
    [member("main-a", 31001, "up"), member("main-b", 31002, "draining")],
    new Map(),
    PATHS,
  );

  it("has a frontend on 127.0.0.1:proxy_port and a backend with server slots, the tasks in the first, in their state", () => {
    expect(text).toContain("frontend fe_hello.main\n    bind 127.0.0.1:20001\n    mode http");
    expect(text).toContain("    default_backend be_hello.main");
    expect(text).toContain("    timeout server 2000ms");
    expect(text).toContain("    timeout connect 200ms");
    expect(text).toContain("    retries 1");
    expect(text).toContain('    http-request set-header X-Mesh "yes"');
    expect(text).toContain("    server s1 127.0.0.1:31001 weight 10\n");
    expect(text).toContain("    server s2 127.0.0.1:31002 weight 10 disabled\n");
    expect(text).toContain("    server s3 127.0.0.1:1 disabled\n");
    expect(text).toContain("    server s8 127.0.0.1:1 disabled\n");
    expect(text).not.toContain("server s9 ");
    expect(text).toContain('stats socket "/run/paasta/admin.sock" mode 600 level admin expose-fd listeners');
    expect(text).toContain("    option idle-close-on-response\n");
    expect(text).toContain("    noreuseport\n");
  });

  it("gives a namespace without proxy_port (discovery only) no frontend", () => {
    const cfg = renderConfig([main, route("internal", { proxy_port: null })], [], new Map(), PATHS);
    expect(cfg).not.toContain("hello.internal");
  });

  it("maps lb_policy, balance and mode", () => {
    expect(balanceLines("ROUND_ROBIN", "http")).toEqual(["balance roundrobin"]);
    expect(balanceLines("LEAST_REQUEST", "http")).toEqual(["balance leastconn"]);
    expect(balanceLines("RANDOM", "http")).toEqual(["balance random"]);
    expect(balanceLines("RING_HASH", "http")).toEqual(["balance uri", "hash-type consistent"]);
    expect(balanceLines("MAGLEV", "tcp")).toEqual(["balance source", "hash-type consistent"]);
    expect(route("x", { proxy_port: 1, balance: "leastconn" }).settings.lb_policy).toBe("LEAST_REQUEST");
    const tcp = renderConfig([route("db", { proxy_port: 20005, mode: "tcp" })], [], new Map(), PATHS);
    expect(tcp).toContain("frontend fe_hello.db\n    bind 127.0.0.1:20005\n    mode tcp");
    expect(tcp).not.toContain("http-request");
  });

  it("orders endpoint_timeouts so the most specific prefix wins (HAProxy keeps the last match)", () => {
    expect(endpointTimeoutLines({ "/a/b": 300, "/a": 100, "^/re.*x": 50 })).toEqual([
      'http-request set-timeout server 100ms if { path_beg "/a" }',
      'http-request set-timeout server 300ms if { path_beg "/a/b" }',
      'http-request set-timeout server 50ms if { path_reg "^/re.*x" }',
    ]);
  });

  it("needs a reload only when the routes, their settings or their slot counts change, not when members do", () => {
    const moved = route("main", { proxy_port: 20009, timeout_server_ms: 2000, extra_headers: { "X-Mesh": "yes" } });
    const none = new Map<string, number>();
    expect(frontendsKey([main], none)).toBe(frontendsKey([{ ...main, members: [] }], none));
    expect(frontendsKey([main], none)).not.toBe(frontendsKey([moved], none));
    expect(frontendsKey([main], none)).not.toBe(frontendsKey([main, route("b", { proxy_port: 20010 })], none));
    expect(frontendsKey([main], none)).not.toBe(frontendsKey([main], new Map([["hello.main", 16]])));
  });

  it("sizes slots at twice the members (at least 8, a power of two), and never shrinks them", () => {
    const five = Array.from({ length: 5 }, (_, i) => member(`t${i}`, 31000 + i, "up"));
    expect(slotsFor([main], [], new Map()).get("hello.main")).toBe(8);
    expect(slotsFor([main], five, new Map()).get("hello.main")).toBe(16);
    expect(slotsFor([main], [], new Map([["hello.main", 16]])).get("hello.main")).toBe(16);
  });

  it("is accepted by the real haproxy -c, with every kind of setting", async () => {
    const bin = findHaproxy(undefined, process.env);
    expect(bin, "HAProxy is not installed: run scripts/testenv-haproxy haproxy setup").not.toBeNull();
    const all = renderConfig(
      [
        main,
        route("slow", {
          proxy_port: 20002,
          endpoint_timeouts: { "/slow": 5000, "^/re(g|x)": 10 },
          lb_policy: "RING_HASH",
        }),
        route("db", { proxy_port: 20003, mode: "tcp", lb_policy: "LEAST_REQUEST", timeout_client_ms: 5000 }),
        route("tls", { proxy_port: 20004, mode: "https" }),
        route("h2", { proxy_port: 20006, mode: "http2", lb_policy: "RANDOM" }),
      ],
      [member("main-a", 31001, "up"), member("t-1", 31003, "down", { registration: "hello.tls" })],
      new Map([["hello.main", 16]]),
      { adminSocket: join(tempDir("paasta-haproxy-"), "admin.sock") },
    );
    const file = join(tempDir("paasta-haproxy-"), "haproxy.cfg");
    writeFileSync(file, all);
    expect(await checkConfig(bin as string, file)).toBeNull();
    writeFileSync(
      file,
      renderConfig([route("bad", { proxy_port: 20007, endpoint_timeouts: { "^/(": 10 } })], [], new Map(), PATHS),
    );
    expect(await checkConfig(bin as string, file)).toMatch(/regex|missing|parenthes/i);
  });
});

describe("HAProxy's answers", () => {
  it("parses show servers state (admin bits → up / draining / down)", () => {
    const text = `1
# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port
3 be_hello.main 1 a 127.0.0.1 2 0 10 10 1 1 0 0 8 0 0 0 - 31001 - 0 0 - - 0
3 be_hello.main 2 b 127.0.0.1 2 12 10 10 1 1 0 0 8 0 0 0 - 31002 - 0 0 - - 0
3 be_hello.main 3 c 127.0.0.1 0 5 7 7 1 1 0 0 8 0 0 0 - 31003 - 0 0 - - 0
`;
    expect(parseServersState(text)).toEqual([
      { backend: "be_hello.main", server: "a", address: "127.0.0.1", port: 31001, state: "up", weight: 10 },
      { backend: "be_hello.main", server: "b", address: "127.0.0.1", port: 31002, state: "draining", weight: 10 },
      { backend: "be_hello.main", server: "c", address: "127.0.0.1", port: 31003, state: "down", weight: 7 },
    ]);
  });

  it("parses show stat by column name", () => {
    const rows = parseStat("# pxname,svname,qcur,qmax,scur\nbe_hello.main,a,0,0,3\nbe_hello.main,BACKEND,0,0,3\n");
    expect(rows[0]).toEqual({ pxname: "be_hello.main", svname: "a", qcur: "0", qmax: "0", scur: "3" });
    expect(rows).toHaveLength(2);
  });
});

describe("runtime API commands for membership (server slots)", () => {
  const slot = (n: number, port: number, state: "up" | "draining" | "down", weight = 10) => ({
    backend: "be_hello.main",
    server: `s${n}`,
    address: "127.0.0.1",
    port,
    state,
    weight,
  });
  const free = (n: number) => slot(n, 1, "down");

  it("gives a new healthy task a free slot (address, weight, ready); a starting one's slot stays out", () => {
    expect(
      serverCommands("hello.main", [member("n", 31005, "up"), member("s", 31006, "down")], [free(1), free(2)]),
    ).toEqual([
      "set server be_hello.main/s1 addr 127.0.0.1 port 31005",
      "set server be_hello.main/s1 weight 10",
      "set server be_hello.main/s1 state ready",
      "set server be_hello.main/s2 addr 127.0.0.1 port 31006",
      "set server be_hello.main/s2 weight 10",
    ]);
  });

  it("puts slots entering rotation before slots leaving it (a crossover never has none)", () => {
    const cmds = serverCommands(
      "hello.main",
      [member("old", 31001, "draining"), member("new", 31002, "up")],
      [slot(1, 31001, "up"), slot(2, 31002, "down")],
    );
    expect(cmds).toEqual(["set server be_hello.main/s2 state ready", "set server be_hello.main/s1 state drain"]);
  });

  it("takes a failing task out, changes weights, frees the slot of a stopped task, and does nothing when in step", () => {
    expect(serverCommands("hello.main", [member("a", 31001, "down")], [slot(1, 31001, "up")])).toEqual([
      "set server be_hello.main/s1 state maint",
    ]);
    expect(serverCommands("hello.main", [member("a", 31001, "up", { weight: 3 })], [slot(1, 31001, "up")])).toEqual([
      "set server be_hello.main/s1 weight 3",
    ]);
    expect(serverCommands("hello.main", [], [slot(1, 31001, "draining")])).toEqual([
      "set server be_hello.main/s1 state maint",
    ]);
    expect(serverCommands("hello.main", [member("a", 31001, "up")], [slot(1, 31001, "up"), free(2)])).toEqual([]);
  });

  it("reuses a freed slot for a new task, the slot already in maintenance first; waits when none is free", () => {
    const cmds = serverCommands("hello.main", [member("b", 31009, "up")], [slot(1, 31001, "draining"), free(2)]);
    expect(cmds).toEqual([
      "set server be_hello.main/s2 addr 127.0.0.1 port 31009",
      "set server be_hello.main/s2 weight 10",
      "set server be_hello.main/s2 state ready",
      "set server be_hello.main/s1 state maint",
    ]);
    expect(
      serverCommands("hello.main", [member("a", 31001, "up"), member("b", 31009, "up")], [slot(1, 31001, "up")]),
    ).toEqual([]);
  });
});
