/**
 * The local proxy's Prometheus metrics, read from HAProxy's statistics at scrape time (one `show stat` and one
 * `show servers state` per scrape, shared by every metric). HAProxy's counters start again at zero after a
 * reload or a restart; the counters here only grow (each scrape adds what HAProxy counted since the last one).
 */
import type * as Prom from "prom-client";
import { promClient } from "../../api/metrics.js";
import type { ProxyComponent } from "./proxy-component.js";
import { backendsOf } from "./proxy-status.js";
import type { ServerState, StatRow } from "./servers.js";

interface Snapshot {
  readonly stats: StatRow[] | null;
  readonly servers: ServerState[] | null;
}

/** `fe_hello.main` / `be_hello.main` → `hello.main`. */
const namespaceOf = (pxname: string) => pxname.replace(/^(fe|be)_/, "");

export function registerProxyMetrics(registry: Prom.Registry, proxy: ProxyComponent): void {
  const prom = promClient();
  let cached: { at: number; p: Promise<Snapshot> } | undefined;
  const snapshot = (): Promise<Snapshot> => {
    if (!cached || Date.now() - cached.at > 500) {
      cached = {
        at: Date.now(),
        p: Promise.all([proxy.stats(), proxy.serverStates()]).then(([stats, servers]) => ({ stats, servers })),
      };
    }
    return cached.p;
  };
  const last = new Map<string, number>();
  /** Adds to `counter` what HAProxy counted since the last scrape (a smaller value means HAProxy restarted). */
  const grow = (counter: Prom.Counter<string>, labels: Record<string, string>, raw: number) => {
    const key = `${counter === requests ? "requests" : "errors"}|${JSON.stringify(labels)}`;
    const before = last.get(key) ?? 0;
    const delta = raw >= before ? raw - before : raw;
    last.set(key, raw);
    counter.inc(labels, delta);
  };
  const rows = async (type: "FRONTEND" | "BACKEND") =>
    ((await snapshot()).stats ?? []).filter((r) => r.svname === type && /^(fe|be)_/.test(r.pxname ?? ""));

  const requests: Prom.Counter<string> = new prom.Counter({
    name: "paasta_proxy_requests_total",
    help: "Requests (HTTP) or connections (TCP) received by the local proxy, per mesh namespace",
    labelNames: ["namespace"],
    registers: [registry],
    async collect() {
      for (const r of await rows("FRONTEND")) {
        const raw = Number(r.mode === "http" ? r.req_tot : r.stot) || 0;
        grow(requests, { namespace: namespaceOf(r.pxname ?? "") }, raw);
      }
    },
  });
  const errors: Prom.Counter<string> = new prom.Counter({
    name: "paasta_proxy_errors_total",
    help: "Failed requests through the local proxy: 5xx answers (the task's or the proxy's), connection errors",
    labelNames: ["namespace", "kind"],
    registers: [registry],
    async collect() {
      for (const r of await rows("FRONTEND"))
        grow(errors, { namespace: namespaceOf(r.pxname ?? ""), kind: "5xx" }, Number(r.hrsp_5xx) || 0);
      for (const r of await rows("BACKEND")) {
        const namespace = namespaceOf(r.pxname ?? "");
        grow(errors, { namespace, kind: "connection" }, Number(r.econ) || 0);
        grow(errors, { namespace, kind: "response" }, Number(r.eresp) || 0);
      }
    },
  });
  const latency = new prom.Gauge({
    name: "paasta_proxy_response_time_seconds",
    help: "Average response time of the namespace's tasks through the local proxy (HAProxy: last 1024 requests)",
    labelNames: ["namespace"],
    registers: [registry],
    async collect() {
      latency.reset();
      for (const r of await rows("BACKEND"))
        latency.set({ namespace: namespaceOf(r.pxname ?? "") }, (Number(r.rtime) || 0) / 1000);
    },
  });
  const backends = new prom.Gauge({
    name: "paasta_proxy_backends",
    help: "Tasks of each mesh namespace in the local proxy, by state (up, draining, down)",
    labelNames: ["namespace", "state"],
    registers: [registry],
    async collect() {
      backends.reset();
      const { stats, servers } = await snapshot();
      for (const registration of proxy.servedRegistrations()) {
        const counts: Record<string, number> = { up: 0, draining: 0, down: 0 };
        for (const b of backendsOf(proxy, registration, servers, stats)) counts[b.state] = (counts[b.state] ?? 0) + 1;
        for (const [state, n] of Object.entries(counts)) backends.set({ namespace: registration, state }, n);
      }
    },
  });
  const up = new prom.Gauge({
    name: "paasta_proxy_up",
    help: "1 when the local proxy (HAProxy) runs, 0 when it is not installed, not needed yet, or restarting",
    registers: [registry],
    collect() {
      up.set(proxy.serving ? 1 : 0);
    },
  });
  let seen = { restarts: 0, reloads: 0 };
  const restarts = new prom.Counter({
    name: "paasta_proxy_restarts_total",
    help: "Times HAProxy died and was started again",
    registers: [registry],
    collect() {
      restarts.inc(proxy.restarts - seen.restarts);
      seen = { ...seen, restarts: proxy.restarts };
    },
  });
  const reloads = new prom.Counter({
    name: "paasta_proxy_reloads_total",
    help: "Seamless reloads of HAProxy (the mesh namespaces or their settings changed)",
    registers: [registry],
    collect() {
      reloads.inc(proxy.reloads - seen.reloads);
      seen = { ...seen, reloads: proxy.reloads };
    },
  });
}
