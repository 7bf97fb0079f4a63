#!/usr/bin/env node
// A bounded loopback load generator: a fixed number of GET requests, `concurrency` at a time over keep-alive
// connections, optionally paced to `rate` requests per second. A request fails on a connection error, a
// timeout or a 5xx answer. Used by bench/mesh.js and the mesh tests, and by hand to watch a bounce:
//
//   node bench/loadgen.js http://127.0.0.1:20001/ --requests 20000 --concurrency 8 --rate 500
//
// prints a line per second (sent, failed) and the result as JSON at the end; exit code 1 if any request failed.
import http from "node:http";
import { pathToFileURL } from "node:url";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function once(agent, url, timeoutMs) {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const req = http.get(url, { agent, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode, ms: Number(process.hrtime.bigint() - t0) / 1e6 }));
      res.on("error", (e) => resolve({ error: e.code ?? e.message }));
    });
    req.on("timeout", () => req.destroy(Object.assign(new Error("timeout"), { code: "TIMEOUT" })));
    req.on("error", (e) => resolve({ error: e.code ?? e.message }));
  });
}

/**
 * `url` may be a list: request i goes to url[i % length] (a client-side round robin, to compare with a proxy).
 * @param {{url: string | string[], requests: number, concurrency: number, rate?: number, timeoutMs?: number,
 *   onProgress?: (p: {sent: number, failed: number}) => void}} o
 */
export async function loadgen(o) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.concurrency });
  const latencies = [];
  const errors = {};
  const statuses = {};
  let next = 0;
  let failed = 0;
  const urls = Array.isArray(o.url) ? o.url : [o.url];
  const t0 = performance.now();
  const worker = async () => {
    for (let i = next++; i < o.requests; i = next++) {
      if (o.rate) {
        const due = t0 + (i / o.rate) * 1000;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
      }
      const r = await once(agent, urls[i % urls.length], o.timeoutMs ?? 5000);
      if (r.error) {
        failed++;
        errors[r.error] = (errors[r.error] ?? 0) + 1;
        continue;
      }
      statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      if (r.status >= 500) failed++;
      latencies.push(r.ms);
    }
  };
  const timer = o.onProgress
    ? setInterval(() => o.onProgress({ sent: Math.min(next, o.requests), failed }), 1000)
    : null;
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  if (timer) clearInterval(timer);
  agent.destroy();
  const durationMs = performance.now() - t0;
  latencies.sort((a, b) => a - b);
  const round = (x) => (x === null ? null : Math.round(x * 1000) / 1000);
  return {
    requests: o.requests,
    concurrency: o.concurrency,
    ok: o.requests - failed,
    failed,
    errors,
    statuses,
    duration_s: Math.round(durationMs) / 1000,
    rps: Math.round((o.requests / durationMs) * 1000),
    latency_ms: {
      p50: round(percentile(latencies, 50)),
      p90: round(percentile(latencies, 90)),
      p99: round(percentile(latencies, 99)),
      max: round(latencies.at(-1) ?? null),
    },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const args = process.argv.slice(2);
  const flag = (name, dflt) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? Number(args[i + 1]) : dflt;
  };
  const url = args.find((a) => a.startsWith("http"));
  if (!url) {
    console.error("usage: node bench/loadgen.js URL [--requests N] [--concurrency C] [--rate PER_SECOND]");
    process.exit(2);
  }
  const result = await loadgen({
    url,
    requests: flag("requests", 10000),
    concurrency: flag("concurrency", 8),
    rate: flag("rate", 0) || undefined,
    onProgress: (p) => console.error(`sent ${p.sent}, failed ${p.failed}`),
  });
  console.log(JSON.stringify(result, null, 2));
  process.exit(result.failed === 0 ? 0 : 1);
}
