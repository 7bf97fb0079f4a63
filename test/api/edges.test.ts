/**
 * The API's HTTP edge on a real listening server (`listen`, loopback, ephemeral port) with real requests:
 * node:http for ordinary ones, raw sockets for heads too large for Node's parser (they never reach the app).
 * The pure pieces (which methods a path allows, the refusal a parser error gets) are tested by value.
 */
import { request } from "node:http";
import { connect } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allowedMethods, MAX_HEADER_BYTES, MAX_URL_BYTES } from "../../src/api/edges.js";
import { listen, type RunningServer, refusal } from "../../src/api/server.js";
import type { LocalBackend } from "../../src/backends/local/index.js";
import { apiFixture } from "./fixture.js";

let backend: LocalBackend;
let server: RunningServer;
let port: number;

beforeAll(async () => {
  const f = await apiFixture();
  backend = f.backend;
  server = await listen(f.app, "127.0.0.1", 0);
  port = Number(new URL(server.url).port);
});

afterAll(async () => {
  await server?.close();
  await backend?.close();
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function http(method: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method, path, headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => {
        body += d;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

/**
 * Sends `head` over a raw socket in pieces of `piece` bytes, and reads the answer only after everything was
 * sent (as Python's http.client does): a server that closes with unread bytes resets the connection, and
 * then the answer is lost and `error` says so.
 */
function sendRaw(head: string, piece: number): Promise<{ error?: string; status: number; body: string }> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.pause();
    let data = "";
    const done = (error?: string) => {
      const [statusLine = "", body = ""] = [data.split("\r\n", 1)[0], data.split("\r\n\r\n")[1]];
      resolve({ error, status: Number(statusLine.split(" ")[1] ?? 0), body });
    };
    socket.on("data", (d) => {
      data += d;
    });
    socket.on("error", (e: NodeJS.ErrnoException) => done(e.code));
    socket.on("end", () => done());
    socket.once("connect", async () => {
      for (let i = 0; i < head.length && !socket.destroyed; i += piece) {
        socket.write(head.slice(i, i + piece));
        await sleep(2);
      }
      await sleep(100);
      socket.resume();
    });
  });
}

describe("the API's HTTP edge, over a real socket", () => {
  it("an unknown method on a known path is 405 with Allow; on an unknown path it stays 404", async () => {
    const trace = await http("TRACE", "/v1/version");
    expect(trace.status).toBe(405);
    expect(trace.headers.allow).toBe("GET, HEAD");
    expect(JSON.parse(trace.body)).toMatchObject({
      code: "PAASTA_API_METHOD_NOT_ALLOWED",
      message: "TRACE is not allowed on /v1/version (allowed: GET, HEAD)",
    });
    const del = await http("DELETE", "/v1/services/hello/main/status");
    expect([del.status, del.headers.allow]).toEqual([405, "GET, HEAD"]);
    const get = await http("GET", "/v1/services/hello/main/replicas/x/restart");
    expect([get.status, get.headers.allow]).toEqual([405, "POST"]);
    expect((await http("TRACE", "/v1/nothing-here")).status).toBe(404);
    expect((await http("HEAD", "/v1/version")).status).toBe(200);
  });

  it("an over-long URL is 414 with a catalogue body, whether the app or the parser sees it", async () => {
    const viaApp = await http("GET", `/v1/version?q=${"a".repeat(MAX_URL_BYTES)}`);
    expect(viaApp.status).toBe(414);
    expect(JSON.parse(viaApp.body)).toEqual({
      code: "PAASTA_API_URI_TOO_LONG",
      message: `the request URL is longer than ${MAX_URL_BYTES} bytes`,
      fix: expect.stringContaining("shorter URL"),
    });
    const viaParser = await sendRaw(`GET /v1/version?q=${"a".repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n`, 200_000);
    expect(viaParser).toMatchObject({ error: undefined, status: 414 });
    expect(JSON.parse(viaParser.body).code).toBe("PAASTA_API_URI_TOO_LONG");
  });

  it("over-long headers are 431 with a catalogue body, and the connection is answered, not reset", async () => {
    const small = await http("GET", "/v1/version", { "x-big": "b".repeat(MAX_HEADER_BYTES) });
    expect(small.status).toBe(431);
    expect(JSON.parse(small.body).code).toBe("PAASTA_API_HEADERS_TOO_LARGE");
    // 100 KB of header in 4 KB pieces: the server refuses after 16 KB while the client is still sending.
    const big = await sendRaw(`GET /v1/version HTTP/1.1\r\nHost: x\r\nX-Big: ${"b".repeat(100_000)}\r\n\r\n`, 4096);
    expect(big).toMatchObject({ error: undefined, status: 431 });
    expect(JSON.parse(big.body)).toMatchObject({
      code: "PAASTA_API_HEADERS_TOO_LARGE",
      message: `the request's headers are larger than ${MAX_HEADER_BYTES} bytes`,
    });
    expect((await http("GET", "/v1/version")).status).toBe(200); // the server still serves
  });

  it("serves /openapi.json as OpenAPI 3.0: no 3.1-only keywords, tuples as bounded arrays", async () => {
    const doc = JSON.parse((await http("GET", "/openapi.json")).body);
    expect(doc.openapi).toMatch(/^3\.0\.\d+$/);
    const found = only31(doc);
    expect(found).toEqual([]);
    const versions = doc.components.schemas.BounceStatus.properties.active_versions;
    expect(versions.items).toMatchObject({ type: "array", minItems: 3, maxItems: 3 });
    expect(versions.items.items.anyOf).toEqual([{ type: "string" }, { type: "string", nullable: true }]);
  });
});

/** Where a document uses what OpenAPI 3.0's schema objects do not have (JSON Schema 2020-12 features). */
function only31(node: unknown, at = "$"): string[] {
  if (Array.isArray(node)) return node.flatMap((v, i) => only31(v, `${at}[${i}]`));
  if (node === null || typeof node !== "object") return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(node)) {
    const bad31 = ["prefixItems", "const", "$defs", "unevaluatedProperties", "dependentRequired"].includes(k);
    if (bad31 || (k === "type" && Array.isArray(v)) || (k.startsWith("exclusiveM") && typeof v === "number")) {
      out.push(`${at}.${k}`);
    }
    out.push(...only31(v, `${at}.${k}`));
  }
  return out;
}

describe("edge logic, by value", () => {
  const routes = [
    { method: "ALL", path: "*" },
    { method: "GET", path: "/v1/services/:service/:instance/status" },
    { method: "POST", path: "/v1/services/:service/:instance/replicas/:replica/restart" },
    { method: "GET", path: "/openapi.json" },
  ];

  it("allowedMethods matches hono patterns, ignores middleware, adds HEAD to GET", () => {
    expect(allowedMethods(routes, "/v1/services/a/b/status")).toEqual(["GET", "HEAD"]);
    expect(allowedMethods(routes, "/v1/services/a/b/replicas/c/restart")).toEqual(["POST"]);
    expect(allowedMethods(routes, "/openapi.json")).toEqual(["GET", "HEAD"]);
    expect(allowedMethods(routes, "/openapiXjson")).toEqual([]);
    expect(allowedMethods(routes, "/v1/services/a/b/c/status")).toEqual([]);
  });

  it("refusal: 414 when the request line overflowed, 431 otherwise, 400 for malformed input", () => {
    const longLine = Buffer.from(`GET /?${"a".repeat(MAX_URL_BYTES + 10)}`);
    expect(refusal("HPE_HEADER_OVERFLOW", longLine)).toMatch(/^HTTP\/1\.1 414 URI Too Long\r\n/);
    const longHeader = Buffer.from(`GET / HTTP/1.1\r\nX: ${"b".repeat(MAX_HEADER_BYTES)}`);
    expect(refusal("HPE_HEADER_OVERFLOW", longHeader)).toMatch(/^HTTP\/1\.1 431 /);
    expect(refusal("HPE_HEADER_OVERFLOW", Buffer.from("b".repeat(MAX_HEADER_BYTES)))).toMatch(/^HTTP\/1\.1 431 /);
    const bad = refusal("HPE_INVALID_METHOD", Buffer.from("!!! / HTTP/1.1\r\n"));
    expect(bad).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    const body = bad.split("\r\n\r\n")[1] ?? "";
    expect(bad).toContain(`Content-Length: ${Buffer.byteLength(body)}\r\n`);
    expect(JSON.parse(body)).toMatchObject({
      code: "PAASTA_USAGE",
      message: "malformed HTTP request (HPE_INVALID_METHOD)",
    });
  });
});
