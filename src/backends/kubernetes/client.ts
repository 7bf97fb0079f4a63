/**
 * The Kubernetes API as the backend uses it: list by label (paged), watch from a resourceVersion, server-side
 * apply (fieldManager `paasta`), delete. Raw HTTP over one keep-alive agent (http.ts), parsed once.
 *
 * Every write passes the adaptive gate (gate.ts, flow.ts): the number in flight follows the server's health,
 * and a throttled (429/503) or failed (5xx, broken connection) write is retried after the server's Retry-After
 * or a doubling delay, so throttling is absorbed instead of failing the app. Writes are counted, so that tests
 * and benchmarks can prove a no-op pass writes nothing. @kubernetes/client-node (~1.4) only reads the kubeconfig.
 */
import type { ClusterBackend } from "../../config/system.js";
import { PaastaError } from "../../errors.js";
import { type FlowSettings, type FlowState, retryDelayMs, signalOf } from "./flow.js";
import { WriteGate } from "./gate.js";
import { type HttpAnswer, type Transport, transport } from "./http.js";
import { FIELD_MANAGER, type KubeObject } from "./render/types.js";

export interface WatchEvent<T = KubeObject> {
  readonly type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  readonly object: T;
}

export interface WatchOptions {
  readonly labelSelector?: string;
  readonly resourceVersion?: string;
  readonly timeoutSeconds?: number;
}

export interface Kube {
  readonly server: string;
  list<T = KubeObject>(apiVersion: string, kind: string, labelSelector?: string, namespace?: string): Promise<T[]>;
  /** A list and the resourceVersion to watch from. */
  listVersioned<T = KubeObject>(
    apiVersion: string,
    kind: string,
    labelSelector?: string,
  ): Promise<{ items: T[]; resourceVersion: string }>;
  /** One object, or undefined when it does not exist. */
  get<T = KubeObject>(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string,
  ): Promise<T | undefined>;
  apply<T = KubeObject>(obj: KubeObject): Promise<T>;
  /** Creates (POST); undefined when an object of that name exists already (409): never overwrites. */
  create<T = KubeObject>(obj: KubeObject): Promise<T | undefined>;
  delete(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string,
    propagation?: "Foreground" | "Background",
  ): Promise<boolean>;
  /**
   * Sets a workload's replica count through its `scale` subresource (a merge patch, as `kubectl scale` does);
   * false when it does not exist.
   */
  scale(apiVersion: string, kind: string, namespace: string, name: string, replicas: number): Promise<boolean>;
  /** A GET answered with text (pod logs). */
  getText(path: string): Promise<string>;
  /**
   * Watches a kind in every namespace from `resourceVersion` (bookmarks on). `onEnd` is called once, without an
   * error when the server closed the watch (resume from the last version), with one (its `code` is the HTTP
   * status, 410 when the version is too old) otherwise. Returns a function that stops the watch.
   */
  watchEvents<T = KubeObject>(
    apiVersion: string,
    kind: string,
    o: WatchOptions,
    onEvent: (e: WatchEvent<T>) => void,
    onEnd: (err?: unknown) => void,
  ): () => void;
  /** Writes (applies and deletes) made so far; retries of one write count once. */
  readonly writes: number;
  /** List requests (pages) made so far: a watched copy makes none per pass. */
  readonly lists: number;
  /** Attempts that were throttled or failed and tried again. */
  readonly retries: number;
  /** The write flow control's state (limit, pauses, counters). */
  readonly flow: FlowState;
  close(): void;
}

/** The resource (plural) of a kind. */
export function plural(kind: string): string {
  const known: Record<string, string> = { Endpoints: "endpoints", NetworkPolicy: "networkpolicies" };
  return known[kind] ?? `${kind.toLowerCase()}s`;
}

/** The path of a kind's collection (in `namespace`, or in all namespaces / cluster-scoped without one). */
export function collectionPath(apiVersion: string, kind: string, namespace?: string): string {
  const group = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  return `${group}${namespace ? `/namespaces/${namespace}` : ""}/${plural(kind)}`;
}

function describe(status: number | undefined, text: string): string {
  try {
    const msg = (JSON.parse(text) as { message?: string }).message;
    if (msg) return `${status ?? ""} ${msg}`.trim();
  } catch {
    // not JSON
  }
  return `${status ?? ""} ${text.slice(0, 300)}`.trim();
}

/** A throttled write is tried again for this long (the server said "later", not "no"); then the pass retries it. */
const THROTTLED_PATIENCE_MS = 120_000;
const MAX_FAILED_ATTEMPTS = 4;

interface CallInit {
  readonly body?: string;
  readonly contentType?: string;
  readonly accept?: string;
  readonly write?: boolean;
}

export async function connect(
  spec: Extract<ClusterBackend, { type: "kubernetes" }>,
  cluster: string,
  flow?: FlowSettings,
): Promise<Kube> {
  const lib = await import("@kubernetes/client-node");
  const kc = new lib.KubeConfig();
  try {
    if (spec.kubeconfig) kc.loadFromFile(spec.kubeconfig);
    else kc.loadFromDefault();
    if (spec.context) kc.setCurrentContext(spec.context);
  } catch (e) {
    throw new PaastaError("PAASTA_KUBERNETES_UNREACHABLE", {
      cluster,
      detail: `cannot load kubeconfig: ${(e as Error).message}`,
    });
  }
  const server = kc.getCurrentCluster()?.server ?? "(no server)";
  const tls: import("node:https").RequestOptions = {};
  await kc.applyToHTTPSOptions(tls);
  const t: Transport = transport(server, { tls, headers: (tls.headers ?? {}) as Record<string, string> });
  const gate = new WriteGate(flow);
  let writes = 0;
  let lists = 0;
  let retries = 0;
  const unreachable = (what: string, detail: string) =>
    new PaastaError("PAASTA_KUBERNETES_UNREACHABLE", { cluster, detail: `${what}: ${detail}` });

  /** One request, retried while the server throttles or fails; writes go through the gate. */
  const call = async (what: string, method: string, path: string, init: CallInit = {}): Promise<HttpAnswer> => {
    const t0 = Date.now();
    for (let attempt = 1, failures = 0; ; attempt++) {
      if (init.write) await gate.acquire();
      let answer: HttpAnswer | undefined;
      let error: unknown;
      try {
        answer = await t.request(method, path, { ...init, timeoutMs: 60_000 });
      } catch (e) {
        error = e;
      }
      const signal = signalOf(answer?.status, answer?.ms ?? 0, answer?.headers["retry-after"] as string | undefined);
      if (init.write) gate.release(signal);
      if (answer && (signal.kind === "ok" || signal.kind === "rejected")) return answer;
      if (signal.kind !== "throttled") failures++;
      const giveUp =
        signal.kind === "throttled" ? Date.now() - t0 > THROTTLED_PATIENCE_MS : failures >= MAX_FAILED_ATTEMPTS;
      if (giveUp) {
        throw unreachable(what, answer ? describe(answer.status, answer.text) : (error as Error).message);
      }
      retries++;
      const after = signal.kind === "throttled" ? signal.retryAfterSeconds : undefined;
      await new Promise((r) => setTimeout(r, retryDelayMs(Math.min(attempt, 6), after)));
    }
  };
  const ok = (what: string, a: HttpAnswer): HttpAnswer => {
    if (a.status < 400) return a;
    throw new PaastaError("PAASTA_KUBERNETES_REJECTED", { cluster, detail: `${what}: ${describe(a.status, a.text)}` });
  };

  const listVersioned = async <T>(apiVersion: string, kind: string, labelSelector?: string, namespace?: string) => {
    const base = collectionPath(apiVersion, kind, namespace);
    const items: T[] = [];
    let cont: string | undefined;
    let resourceVersion = "";
    do {
      const q = new URLSearchParams({ limit: "500" });
      if (labelSelector) q.set("labelSelector", labelSelector);
      if (cont) q.set("continue", cont);
      lists++;
      const a = ok(`list ${kind}`, await call(`list ${kind}`, "GET", `${base}?${q}`));
      const page = JSON.parse(a.text) as { items: T[]; metadata?: { continue?: string; resourceVersion?: string } };
      for (const item of page.items) items.push(item);
      cont = page.metadata?.continue || undefined;
      resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
    } while (cont);
    return { items, resourceVersion };
  };

  return {
    server,
    get writes() {
      return writes;
    },
    get lists() {
      return lists;
    },
    get retries() {
      return retries;
    },
    get flow() {
      return gate.state;
    },
    async list<T>(apiVersion: string, kind: string, labelSelector?: string, namespace?: string): Promise<T[]> {
      return (await listVersioned<T>(apiVersion, kind, labelSelector, namespace)).items;
    },
    listVersioned: (apiVersion, kind, labelSelector) => listVersioned(apiVersion, kind, labelSelector),
    async getText(path: string) {
      return ok(`GET ${path}`, await call(`GET ${path}`, "GET", path, { accept: "*/*" })).text;
    },
    async get<T>(apiVersion: string, kind: string, namespace: string | undefined, name: string) {
      const what = `get ${kind} ${namespace ?? ""}/${name}`;
      const a = await call(what, "GET", `${collectionPath(apiVersion, kind, namespace)}/${name}`);
      return a.status === 404 ? undefined : (JSON.parse(ok(what, a).text) as T);
    },
    async apply<T>(obj: KubeObject): Promise<T> {
      writes++;
      const what = `apply ${obj.kind} ${obj.metadata.namespace ?? ""}/${obj.metadata.name}`;
      const path = `${collectionPath(obj.apiVersion, obj.kind, obj.metadata.namespace)}/${obj.metadata.name}`;
      const q = new URLSearchParams({ fieldManager: FIELD_MANAGER, force: "true" });
      const a = await call(what, "PATCH", `${path}?${q}`, {
        body: JSON.stringify(obj),
        contentType: "application/apply-patch+yaml",
        write: true,
      });
      return JSON.parse(ok(what, a).text) as T;
    },
    async create<T>(obj: KubeObject): Promise<T | undefined> {
      writes++;
      const what = `create ${obj.kind} ${obj.metadata.namespace ?? ""}/${obj.metadata.name}`;
      const q = new URLSearchParams({ fieldManager: FIELD_MANAGER });
      const path = collectionPath(obj.apiVersion, obj.kind, obj.metadata.namespace);
      const a = await call(what, "POST", `${path}?${q}`, {
        body: JSON.stringify(obj),
        contentType: "application/json",
        write: true,
      });
      if (a.status === 409) return undefined;
      return JSON.parse(ok(what, a).text) as T;
    },
    async delete(apiVersion, kind, namespace, name, propagation = "Background") {
      writes++;
      const what = `delete ${kind} ${namespace ?? ""}/${name}`;
      const a = await call(what, "DELETE", `${collectionPath(apiVersion, kind, namespace)}/${name}`, {
        body: JSON.stringify({ apiVersion: "v1", kind: "DeleteOptions", propagationPolicy: propagation }),
        write: true,
      });
      if (a.status === 404) return false;
      ok(what, a);
      return true;
    },
    async scale(apiVersion, kind, namespace, name, replicas) {
      writes++;
      const what = `scale ${kind} ${namespace}/${name}`;
      const path = `${collectionPath(apiVersion, kind, namespace)}/${name}/scale`;
      const a = await call(
        what,
        "PATCH",
        `${path}?${new URLSearchParams({ fieldManager: `${FIELD_MANAGER}-autoscaler` })}`,
        {
          body: JSON.stringify({ spec: { replicas } }),
          contentType: "application/merge-patch+json",
          write: true,
        },
      );
      if (a.status === 404) return false;
      ok(what, a);
      return true;
    },
    watchEvents(apiVersion, kind, o, onEvent, onEnd) {
      const q = new URLSearchParams({ watch: "1", allowWatchBookmarks: "true" });
      if (o.labelSelector) q.set("labelSelector", o.labelSelector);
      if (o.resourceVersion) q.set("resourceVersion", o.resourceVersion);
      if (o.timeoutSeconds) q.set("timeoutSeconds", String(o.timeoutSeconds));
      return t.stream(
        `${collectionPath(apiVersion, kind)}?${q}`,
        (line) => {
          let e: WatchEvent<never>;
          try {
            e = JSON.parse(line) as WatchEvent<never>;
          } catch {
            return; // a torn line: the next resync repairs what it said
          }
          onEvent(e);
        },
        onEnd,
      );
    },
    close() {
      t.close();
    },
  };
}
