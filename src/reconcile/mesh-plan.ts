/**
 * The mesh's part of a reconcile pass, pure: which routes (smartstack.yaml namespaces with a proxy_port) a
 * cluster should publish, and what to do with each published one, under the same rails as apps:
 *
 * - a namespace of a service whose config has problems is left exactly as it is published;
 * - nothing is removed when the tree could not be read, or when it yields no route while routes are published;
 * - removing more than `killThreshold` (default 50%) of the published routes in one pass is refused without force.
 */
import type { ResolvedNamespace } from "../config/types.js";
import type { DesiredApp } from "../model/app.js";
import type { DesiredRoute, ObservedRoute, RouteMember } from "../model/mesh.js";

export interface ServiceNamespace {
  readonly service: string;
  readonly settings: ResolvedNamespace;
}

export type RouteItem =
  | { readonly action: "apply"; readonly route: DesiredRoute; readonly reason: string }
  | { readonly action: "delete"; readonly route: ObservedRoute; readonly reason: string }
  | { readonly action: "keep"; readonly route: ObservedRoute; readonly reason: string };

export interface RoutePlan {
  readonly items: readonly RouteItem[];
  readonly refused: string | null;
}

/** The desired input of the mesh plan (a DesiredState's parts). */
export interface MeshDesired {
  readonly namespaces: readonly ServiceNamespace[];
  readonly apps: readonly DesiredApp[];
  readonly frozen: ReadonlyMap<string, unknown>;
}

/** One route per namespace with a proxy_port, with the deployed instances registered in it. */
export function desiredRoutes(d: MeshDesired): DesiredRoute[] {
  const members = new Map<string, RouteMember[]>();
  for (const app of d.apps) {
    for (const registration of new Set(app.config.registrations)) {
      const m: RouteMember = {
        service: app.service,
        instance: app.instance,
        namespace: app.config.namespace,
        container_port: app.config.container_port,
      };
      members.set(registration, [...(members.get(registration) ?? []), m]);
    }
  }
  return d.namespaces
    .filter((n) => n.settings.proxy_port !== null)
    .map((n) => {
      const registration = `${n.service}.${n.settings.name}`;
      const m = [...(members.get(registration) ?? [])].sort((a, b) =>
        `${a.service}.${a.instance}`.localeCompare(`${b.service}.${b.instance}`),
      );
      return { registration, service: n.service, settings: n.settings, members: m };
    })
    .sort((a, b) => a.registration.localeCompare(b.registration));
}

export function planRoutes(
  desired: MeshDesired | undefined,
  observed: readonly ObservedRoute[],
  opts: { force?: boolean; killThreshold?: number } = {},
): RoutePlan {
  if (!desired) {
    const reason = "soa-configs could not be read";
    return {
      items: observed.map((route) => ({ action: "keep", route, reason })),
      refused: `${reason}: nothing is removed`,
    };
  }
  const routes = desiredRoutes(desired);
  const items: RouteItem[] = routes.map((route) => ({
    action: "apply",
    route,
    reason: `${route.members.length} instance(s) registered, port ${route.settings.proxy_port}`,
  }));
  const wanted = new Set(routes.map((r) => r.registration));
  const candidates: RouteItem[] = [];
  for (const route of observed) {
    if (wanted.has(route.registration)) continue;
    if (desired.frozen.has(route.service)) {
      items.push({ action: "keep", route, reason: "its service's config has problems: left as it is published" });
    } else candidates.push({ action: "delete", route, reason: "no longer in smartstack.yaml with a proxy_port" });
  }
  const threshold = opts.killThreshold ?? 0.5;
  let refused: string | null = null;
  if (candidates.length > 0) {
    if (routes.length === 0 && desired.frozen.size === 0) {
      refused = `the soa-configs tree yields no mesh namespace while ${observed.length} are published: nothing is removed`;
    } else if (!opts.force && candidates.length / observed.length > threshold) {
      refused = `refusing to remove ${candidates.length} of ${observed.length} mesh namespaces (more than ${Math.round(threshold * 100)}%) without --force`;
    }
  }
  if (refused) for (const c of candidates) items.push({ action: "keep", route: c.route, reason: refused });
  else items.push(...candidates);
  return { items, refused };
}
