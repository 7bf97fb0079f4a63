/**
 * The Kubernetes API as the backend uses it: list by label, server-side apply (fieldManager `paasta`), delete.
 * Every write goes through here and is counted, so that tests and benchmarks can prove a no-op pass writes
 * nothing. @kubernetes/client-node (~1.4, the last line that runs on Node 20) is loaded lazily.
 */
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { KubernetesObject, KubernetesObjectApi } from "@kubernetes/client-node";
import type { ClusterBackend } from "../../config/system.js";
import { PaastaError } from "../../errors.js";
import { FIELD_MANAGER, type KubeObject } from "./render/types.js";

type Lib = typeof import("@kubernetes/client-node");

export interface Kube {
  readonly server: string;
  list<T = KubeObject>(apiVersion: string, kind: string, labelSelector?: string, namespace?: string): Promise<T[]>;
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
  /** A GET answered with text (pod logs). */
  getText(path: string): Promise<string>;
  /** Writes (applies and deletes) made so far. */
  readonly writes: number;
  /** Watches objects (for deployd's wake-ups, and caches); `obj` is the object as JSON; returns a stop function. */
  watch(
    path: string,
    labelSelector: string,
    onEvent: (type: string, obj?: unknown) => void,
    onEnd: (err: unknown) => void,
  ): Promise<() => void>;
}

function describe(e: unknown): string {
  const err = e as { code?: number; body?: unknown; message?: string };
  let body = err.body;
  if (typeof body === "string") {
    try {
      body = JSON.parse(body);
    } catch {
      // keep the text
    }
  }
  const msg = (body as { message?: string } | undefined)?.message;
  return msg ? `${err.code ?? ""} ${msg}`.trim() : (err.message ?? String(e));
}

export async function connect(spec: Extract<ClusterBackend, { type: "kubernetes" }>, cluster: string): Promise<Kube> {
  const lib: Lib = await import("@kubernetes/client-node");
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
  const api: KubernetesObjectApi = lib.KubernetesObjectApi.makeApiClient(kc);
  let writes = 0;
  const tls: import("node:https").RequestOptions = {};
  await kc.applyToHTTPSOptions(tls);
  const agent = new (await import("node:https")).Agent({
    keepAlive: true,
    maxSockets: 16,
    ca: tls.ca,
    cert: tls.cert,
    key: tls.key,
    rejectUnauthorized: tls.rejectUnauthorized,
  });
  const getJson = async <T>(path: string): Promise<T> => JSON.parse(await get(path, "application/json")) as T;
  const get = (path: string, accept: string): Promise<string> =>
    new Promise((resolve, reject) => {
      const url = new URL(path, server);
      const req = (url.protocol === "https:" ? httpsRequest : httpRequest)(
        url,
        {
          method: "GET",
          headers: { ...(tls.headers as Record<string, string>), accept },
          agent: url.protocol === "https:" ? agent : undefined,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            if ((res.statusCode ?? 0) >= 400)
              reject(Object.assign(new Error(text), { code: res.statusCode, body: text }));
            else resolve(text);
          });
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end();
    });
  const wrap = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      const code = (e as { code?: number }).code;
      // Unavailable or throttled (retry later) vs rejected (the request itself is wrong).
      if (code === undefined || code >= 500 || code === 429)
        throw new PaastaError("PAASTA_KUBERNETES_UNREACHABLE", { cluster, detail: `${what}: ${describe(e)}` });
      throw new PaastaError("PAASTA_KUBERNETES_REJECTED", { cluster, detail: `${what}: ${describe(e)}` });
    }
  };
  return {
    server,
    get writes() {
      return writes;
    },
    async list<T>(apiVersion: string, kind: string, labelSelector?: string, namespace?: string): Promise<T[]> {
      // Raw GETs, parsed once: client-node's typed deserialisation costs more than the request for big lists.
      const base = `${apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`}${namespace ? `/namespaces/${namespace}` : ""}/${plural(kind)}`;
      const out: T[] = [];
      let cont: string | undefined;
      do {
        const q = new URLSearchParams({ limit: "500" });
        if (labelSelector) q.set("labelSelector", labelSelector);
        if (cont) q.set("continue", cont);
        const page = await wrap(`list ${kind}`, () =>
          getJson<{ items: T[]; metadata?: { continue?: string } }>(`${base}?${q}`),
        );
        out.push(...page.items);
        cont = page.metadata?.continue || undefined;
      } while (cont);
      return out;
    },
    getText(path: string) {
      return wrap(`GET ${path}`, () => get(path, "*/*"));
    },
    async apply<T>(obj: KubeObject): Promise<T> {
      writes++;
      return wrap(`apply ${obj.kind} ${obj.metadata.namespace ?? ""}/${obj.metadata.name}`, () =>
        api.patch(
          obj as unknown as KubernetesObject,
          undefined,
          undefined,
          FIELD_MANAGER,
          true,
          lib.PatchStrategy.ServerSideApply,
        ),
      ) as Promise<T>;
    },
    async create<T>(obj: KubeObject): Promise<T | undefined> {
      writes++;
      return wrap(`create ${obj.kind} ${obj.metadata.namespace ?? ""}/${obj.metadata.name}`, async () => {
        try {
          return (await api.create(obj as unknown as KubernetesObject, undefined, undefined, FIELD_MANAGER)) as T;
        } catch (e) {
          if ((e as { code?: number }).code === 409) return undefined;
          throw e;
        }
      });
    },
    async delete(apiVersion, kind, namespace, name, propagation = "Background") {
      writes++;
      try {
        await api.delete(
          { apiVersion, kind, metadata: { name, namespace } },
          undefined,
          undefined,
          undefined,
          undefined,
          propagation,
        );
        return true;
      } catch (e) {
        if ((e as { code?: number }).code === 404) return false;
        throw new PaastaError("PAASTA_KUBERNETES_REJECTED", {
          cluster,
          detail: `delete ${kind} ${namespace ?? ""}/${name}: ${describe(e)}`,
        });
      }
    },
    async watch(path, labelSelector, onEvent, onEnd) {
      const w = new lib.Watch(kc);
      const req = await w.watch(path, { labelSelector }, (type: string, obj: unknown) => onEvent(type, obj), onEnd);
      return () => req.abort();
    },
  };
}

/** The resource (plural) of a kind, for the kinds paasta lists. */
function plural(kind: string): string {
  const known: Record<string, string> = {
    Deployment: "deployments",
    StatefulSet: "statefulsets",
    ReplicaSet: "replicasets",
    Pod: "pods",
    Namespace: "namespaces",
    HorizontalPodAutoscaler: "horizontalpodautoscalers",
    PodDisruptionBudget: "poddisruptionbudgets",
    Node: "nodes",
  };
  return known[kind] ?? `${kind.toLowerCase()}s`;
}
