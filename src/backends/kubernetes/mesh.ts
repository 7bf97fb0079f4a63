/**
 * The mesh on Kubernetes (docs/mesh.md): the MeshRouter power (a Service per route in each Kubernetes
 * namespace where its instances run; written only when the live Service differs from the rendered one; only
 * Services with our managed label are ever touched) and the MeshStatusReader power (a route's backends from
 * the EndpointSlices the control plane keeps for its Services: ready pods are up, terminating ones draining).
 */
import type { AppRef } from "../../model/app.js";
import type { DesiredRoute, MeshBackend, MeshNamespaceStatus, MeshStatus, ObservedRoute } from "../../model/mesh.js";
import type { ApplyResult } from "../backend.js";
import type { KubeCache } from "./cache/index.js";
import type { Kube } from "./client.js";
import { firstDifference } from "./drift.js";
import {
  REGISTRATION_ANNOTATION,
  REGISTRATION_LABEL,
  registrationLabelKey,
  renderService,
  serviceNamespaces,
  serviceObjectName,
} from "./render/service.js";
import { type KubeObject, MANAGED } from "./render/types.js";

const SELECTOR = `${MANAGED}=true,${REGISTRATION_LABEL}`;

type Slice = {
  endpoints?: Array<{
    addresses?: string[];
    conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean };
    targetRef?: { kind?: string; name?: string };
  }>;
  ports?: Array<{ port?: number }>;
};
type Pod = KubeObject & { status?: { podIP?: string } };

const registrationOf = (o: KubeObject) =>
  o.metadata.annotations?.[REGISTRATION_ANNOTATION] ?? o.metadata.labels?.[REGISTRATION_LABEL] ?? "";

export class KubernetesMesh {
  /** Live Services by registration (several when its instances run in several namespaces). */
  private services = new Map<string, KubeObject[]>();

  constructor(
    private readonly kube: Kube,
    private readonly cluster: string,
    /** The watched copy (deployd, paasta api): read instead of listing once it is complete. */
    private readonly cache?: KubeCache,
  ) {}

  private async listServices(registration?: string): Promise<KubeObject[]> {
    const all =
      this.cache?.ready && this.cache.has("Service")
        ? this.cache.objects("Service")
        : await this.kube.list<KubeObject>("v1", "Service", SELECTOR);
    return all
      .filter((s) => !(s.metadata as { deletionTimestamp?: string }).deletionTimestamp) // deleted by this process
      .map((s) => ({ ...s, kind: "Service", apiVersion: "v1" }))
      .filter((s) => registration === undefined || registrationOf(s) === registration);
  }

  async observeRoutes(): Promise<ObservedRoute[]> {
    this.services = new Map();
    for (const s of await this.listServices()) {
      const r = registrationOf(s);
      this.services.set(r, [...(this.services.get(r) ?? []), s]);
    }
    return [...this.services].map(([registration, list]) => ({
      registration,
      service: list[0]?.metadata.labels?.["paasta.yelp.com/service"] ?? registration.split(".")[0] ?? "",
    }));
  }

  async applyRoute(route: DesiredRoute): Promise<ApplyResult> {
    const live = this.services.get(route.registration) ?? [];
    let wrote = false;
    for (const namespace of serviceNamespaces(route)) {
      const rendered = renderService(route, namespace);
      const here = live.find((s) => s.metadata.namespace === namespace && s.metadata.name === rendered.metadata.name);
      const drift = here
        ? (firstDifference(rendered.spec, here.spec, "spec") ??
          firstDifference(rendered.metadata.labels, here.metadata.labels, "metadata.labels") ??
          firstDifference(rendered.metadata.annotations, here.metadata.annotations, "metadata.annotations"))
        : "absent";
      if (!drift) continue;
      this.cache?.noteApplied({ ...(await this.kube.apply<KubeObject>(rendered)), kind: "Service", apiVersion: "v1" });
      wrote = true;
    }
    // Services of the route in namespaces where none of its instances runs any more.
    const wanted = new Set(serviceNamespaces(route).map((ns) => `${ns}/${serviceObjectName(route.registration)}`));
    for (const s of live) {
      if (wanted.has(`${s.metadata.namespace}/${s.metadata.name}`)) continue;
      await this.kube.delete("v1", "Service", s.metadata.namespace, s.metadata.name);
      this.cache?.noteDeleted("Service", s.metadata.namespace, s.metadata.name);
      wrote = true;
    }
    if (!wrote) return "unchanged";
    return live.length > 0 ? "updated" : "created";
  }

  async removeRoute(route: ObservedRoute): Promise<void> {
    const live = this.services.get(route.registration) ?? (await this.listServices(route.registration));
    for (const s of live) {
      await this.kube.delete("v1", "Service", s.metadata.namespace, s.metadata.name);
      this.cache?.noteDeleted("Service", s.metadata.namespace, s.metadata.name);
    }
    this.services.delete(route.registration);
  }

  /** The instance's registrations (from its pods' template), each with its Services' endpoints. */
  async meshStatus(ref: AppRef, workloads: readonly KubeObject[]): Promise<MeshStatus | undefined> {
    const w = workloads[0];
    if (!w) return undefined;
    const template = (w.spec as { template?: { metadata?: { annotations?: Record<string, string> } } } | undefined)
      ?.template;
    const raw = template?.metadata?.annotations?.smartstack_registrations;
    const registrations: string[] = raw ? (JSON.parse(raw) as string[]) : [];
    const namespaces: MeshNamespaceStatus[] = [];
    for (const registration of registrations) namespaces.push(await this.namespaceStatus(registration));
    const served = namespaces.filter((n) => n.served).length;
    return {
      service: ref.service,
      instance: ref.instance,
      cluster: this.cluster,
      proxy: { available: true, detail: `Kubernetes Services (${served} of ${namespaces.length} namespace(s) served)` },
      namespaces,
    };
  }

  private async namespaceStatus(registration: string): Promise<MeshNamespaceStatus> {
    const services = await this.listServices(registration);
    const backends: MeshBackend[] = [];
    for (const s of services) {
      const ns = s.metadata.namespace ?? "";
      const [slices, pods] = await Promise.all([
        this.kube.list<Slice>(
          "discovery.k8s.io/v1",
          "EndpointSlice",
          `kubernetes.io/service-name=${s.metadata.name}`,
          ns,
        ),
        this.kube.list<Pod>("v1", "Pod", `${registrationLabelKey(registration)}=true`, ns),
      ]);
      const podByName = new Map(pods.map((p) => [p.metadata.name, p]));
      for (const slice of slices) {
        const port = slice.ports?.[0]?.port;
        for (const e of slice.endpoints ?? []) {
          const pod = podByName.get(e.targetRef?.name ?? "");
          const labels = pod?.metadata.labels ?? {};
          const c = e.conditions ?? {};
          backends.push({
            task: e.targetRef?.name ?? e.addresses?.[0] ?? "",
            service: labels["paasta.yelp.com/service"] ?? "",
            instance: labels["paasta.yelp.com/instance"] ?? "",
            address: `${e.addresses?.[0] ?? ""}:${port ?? ""}`,
            state: c.terminating ? "draining" : c.ready ? "up" : "down",
            healthy: c.ready === true,
            sessions: null,
            weight: labels["paasta.yelp.com/weight"] ? Number(labels["paasta.yelp.com/weight"]) : null,
          });
        }
      }
    }
    const first = services[0];
    const spec = first?.spec as { ports?: Array<{ port?: number }> } | undefined;
    const port = spec?.ports?.[0]?.port ?? null;
    return {
      name: registration,
      proxy_port: port,
      address: first && port !== null ? `${first.metadata.name}.${first.metadata.namespace}.svc:${port}` : null,
      served: services.length > 0,
      backends: backends.sort((a, b) => a.task.localeCompare(b.task)),
    };
  }
}
