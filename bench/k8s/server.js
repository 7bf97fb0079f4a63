// What the control plane itself did over a phase of bench/k8s: the CPU each of its processes used, the API
// server's requests by verb and resource (apiserver_request_total), the watch events it sent by kind
// (apiserver_watch_events_total) and the deployment controller's syncs (its workqueue). Read from the
// processes' own /metrics with the env's admin certificate. Bench scripts only.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CLK_TCK, cpuTicks, REPO } from "../common.js";

const PROCESSES = ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "etcd", "kwok"];

/** The env's state.env as an object. */
export function envState(dir) {
  return Object.fromEntries(
    readFileSync(join(dir, "state.env"), "utf8")
      .split("\n")
      .filter((l) => l.includes("="))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
}

/** The PID of one of the env's processes, as scripts/testenv recorded it. */
export function envPid(dir, name) {
  return readFileSync(join(dir, "pid", name), "utf8").trim();
}

/** Sums a Prometheus text exposition's samples of `metric` by the labels `keys` picks. */
export function sumBy(text, metric, keys) {
  const out = {};
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${metric}{`)) continue;
    const close = line.lastIndexOf("}");
    const labels = Object.fromEntries(
      [...line.slice(metric.length + 1, close).matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    const key = keys(labels);
    if (key !== undefined) out[key] = (out[key] ?? 0) + Number(line.slice(close + 1).trim());
  }
  return out;
}

/** A probe of the control plane behind `kubeconfig` (a scripts/testenv env): `snapshot()`, `delta(a, b)`, `close()`. */
export async function serverProbe(kubeconfig) {
  const { transport } = await import(join(REPO, "dist/backends/kubernetes/http.js"));
  const dir = join(kubeconfig, "..");
  const state = envState(dir);
  const pki = (f) => readFileSync(join(dir, "pki", f));
  const tls = { ca: pki("ca.crt"), cert: pki("admin.crt"), key: pki("admin.key") };
  const api = transport(state.APISERVER_URL, { tls, headers: {} });
  const kcm = transport(`https://127.0.0.1:${state.KCM_PORT}`, {
    tls: { cert: tls.cert, key: tls.key, rejectUnauthorized: false },
    headers: {},
  });
  const pids = Object.fromEntries(PROCESSES.map((n) => [n, envPid(dir, n)]));
  const text = async (t) => {
    const a = await t.request("GET", "/metrics");
    if (a.status !== 200) throw new Error(`/metrics: HTTP ${a.status}`);
    return a.text;
  };
  return {
    close() {
      api.close();
      kcm.close();
    },
    async snapshot() {
      const [apiText, kcmText] = await Promise.all([text(api), text(kcm).catch(() => "")]);
      return {
        ticks: Object.fromEntries(PROCESSES.map((n) => [n, cpuTicks(pids[n])])),
        requests: sumBy(apiText, "apiserver_request_total", (l) =>
          l.verb === "WATCH" || l.verb === "WATCHLIST"
            ? undefined
            : `${l.verb} ${l.resource}${l.subresource ? `/${l.subresource}` : ""}`,
        ),
        watchEvents: sumBy(apiText, "apiserver_watch_events_total", (l) => l.kind ?? l.resource),
        syncs: sumBy(kcmText, "workqueue_adds_total", (l) => l.name),
      };
    },
    /** What happened between two snapshots: CPU seconds by process, counts (those ≥ `min`) by key. */
    delta(a, b, min = 50) {
      const diff = (x, y) =>
        Object.fromEntries(
          Object.entries(y)
            .map(([k, v]) => [k, v - (x[k] ?? 0)])
            .filter(([, v]) => v >= min)
            .sort((p, q) => q[1] - p[1]),
        );
      return {
        cpu_seconds: Object.fromEntries(
          PROCESSES.map((n) => [n, Math.round(((b.ticks[n] - a.ticks[n]) / CLK_TCK) * 10) / 10]),
        ),
        requests: diff(a.requests, b.requests),
        watch_events: diff(a.watchEvents, b.watchEvents),
        workqueue_adds: diff(a.syncs, b.syncs),
      };
    },
  };
}
