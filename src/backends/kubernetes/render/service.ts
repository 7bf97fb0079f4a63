/**
 * The mesh on Kubernetes, pure (docs/mesh.md): a ClusterIP Service per smartstack.yaml namespace with a
 * proxy_port (port = proxy_port, targetPort = the registered instances' container port), in each Kubernetes
 * namespace where instances registered in it run, selecting their pods by PaaSTA's registration labels
 * (`registrations.paasta.yelp.com/SERVICE.NAMESPACE: "true"`, reference §7.2). Readiness gates membership: the
 * control plane's EndpointSlices list Ready pods as ready endpoints.
 */
import type { DesiredApp } from "../../../model/app.js";
import type { DesiredRoute } from "../../../model/mesh.js";
import { limitSizeWithHash, sanitiseForKubernetes } from "./names.js";
import { type KubeObject, MANAGED } from "./types.js";

export const REGISTRATION_LABEL_PREFIX = "registrations.paasta.yelp.com/";
/** The full registration of a Service (its label value is cut to 63 characters). */
export const REGISTRATION_ANNOTATION = "paasta.yelp.com/registration";
export const REGISTRATION_LABEL = "paasta.yelp.com/registration";

/** `registrations.paasta.yelp.com/<SERVICE.NAMESPACE, hashed to 63>` (PaaSTA's label). */
export function registrationLabelKey(registration: string): string {
  return `${REGISTRATION_LABEL_PREFIX}${limitSizeWithHash(registration, 63)}`;
}

/** The pod labels that put an instance's pods in its namespaces' Services (mesh instances only, as the sidecar). */
export function registrationLabels(app: DesiredApp): Record<string, string> {
  if (!app.config.in_mesh) return {};
  return Object.fromEntries(app.config.registrations.map((r) => [registrationLabelKey(r), "true"]));
}

/** `hello.main` → `hello-main` (a DNS-1035 label: lowercase, starts with a letter, at most 63 characters). */
export function serviceObjectName(registration: string): string {
  const raw = registration
    .split(".")
    .map((p) => sanitiseForKubernetes(p).replace(/[^a-z0-9-]/g, "-"))
    .join("-");
  return limitSizeWithHash(/^[a-z]/.test(raw) ? raw : `svc-${raw}`, 63).replace(/-+$/, "");
}

/** The Kubernetes namespaces where instances registered in the route run (a Service in each). */
export function serviceNamespaces(route: DesiredRoute): string[] {
  return [...new Set(route.members.map((m) => m.namespace))].sort();
}

export function renderService(route: DesiredRoute, namespace: string): KubeObject {
  const members = route.members.filter((m) => m.namespace === namespace);
  const targetPort = members[0]?.container_port ?? route.members[0]?.container_port ?? 8888;
  const ns = route.registration.slice(route.service.length + 1);
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: {
      name: serviceObjectName(route.registration),
      namespace,
      labels: {
        [MANAGED]: "true",
        "paasta.yelp.com/service": route.service,
        "paasta.yelp.com/mesh_namespace": limitSizeWithHash(ns, 63),
        [REGISTRATION_LABEL]: limitSizeWithHash(route.registration, 63),
      },
      annotations: { [REGISTRATION_ANNOTATION]: route.registration },
    },
    spec: {
      type: "ClusterIP",
      selector: { [registrationLabelKey(route.registration)]: "true" },
      ports: [
        {
          name: route.settings.mode === "tcp" ? "tcp" : "http",
          protocol: "TCP",
          port: route.settings.proxy_port,
          targetPort,
        },
      ],
    },
  };
}
