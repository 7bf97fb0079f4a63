/**
 * The local runtime's side of the mesh (docs/mesh.md): the routes a reconcile pass publishes are recorded in
 * the state database (so a restarted `paasta up` serves them before its first pass), and each live task of an
 * app is a member of every namespace the app registers in, with the state the proxy should give it:
 * up when healthy (its last check passed), down while starting or failing a check, draining once chosen to go.
 */

import type { AppRef } from "../../model/app.js";
import type { DesiredRoute, MeshMember, ObservedRoute } from "../../model/mesh.js";
import type { ApplyResult } from "../backend.js";
import type { MeshMembership, MeshRouter } from "../mesh-powers.js";
import { isTerminal, type Store, type TaskRecord } from "./store.js";

const ROUTES_KEY = "mesh_routes";

/** What the proxy should do with a task: rotation follows health, not happiness (min_task_uptime). */
export function memberState(t: TaskRecord): Pick<MeshMember, "state" | "healthy"> {
  const passing = t.failures === 0 && t.healthy_since !== null;
  if (t.state === "draining") return { state: "draining", healthy: passing };
  if (t.state === "healthy" && t.failures === 0) return { state: "up", healthy: true };
  return { state: "down", healthy: false };
}

export class LocalMesh implements MeshRouter, MeshMembership {
  private readonly listeners = new Set<() => void>();
  private cache: { raw: string; routes: DesiredRoute[] } | undefined;

  constructor(private readonly store: Store) {}

  meshRoutes(): DesiredRoute[] {
    const raw = this.store.meta(ROUTES_KEY) ?? "[]";
    if (this.cache?.raw !== raw) this.cache = { raw, routes: JSON.parse(raw) as DesiredRoute[] };
    return this.cache.routes;
  }

  private save(routes: DesiredRoute[]): void {
    this.store.setMeta(ROUTES_KEY, JSON.stringify(routes.sort((a, b) => a.registration.localeCompare(b.registration))));
    this.emit();
  }

  async observeRoutes(): Promise<ObservedRoute[]> {
    return this.meshRoutes().map((r) => ({ registration: r.registration, service: r.service, settings: r.settings }));
  }

  async applyRoute(route: DesiredRoute): Promise<ApplyResult> {
    const routes = this.meshRoutes();
    const current = routes.find((r) => r.registration === route.registration);
    if (current && JSON.stringify(current) === JSON.stringify(route)) return "unchanged";
    this.save([...routes.filter((r) => r.registration !== route.registration), route]);
    return current ? "updated" : "created";
  }

  async removeRoute(route: ObservedRoute): Promise<void> {
    this.save(this.meshRoutes().filter((r) => r.registration !== route.registration));
  }

  meshMembers(): MeshMember[] {
    const members: MeshMember[] = [];
    const apps = new Map(this.store.apps().map((a) => [`${a.service}.${a.instance}`, a.app]));
    for (const t of this.store.liveTasks()) {
      const app = apps.get(`${t.service}.${t.instance}`);
      if (!app || t.port === null || isTerminal(t.state)) continue;
      for (const registration of new Set(app.config.registrations)) {
        members.push({
          registration,
          task: t.id,
          service: t.service,
          instance: t.instance,
          host: t.host,
          port: t.port,
          weight: app.config.weight,
          ...memberState(t),
        });
      }
    }
    return members;
  }

  registrationsOf(ref: AppRef): readonly string[] | undefined {
    return this.store.app(ref.service, ref.instance)?.app.config.registrations;
  }

  onMeshChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Tells the subscribers (the proxy) that routes or tasks may have changed. */
  emit(): void {
    for (const fn of this.listeners) {
      try {
        fn();
      } catch {
        // a subscriber's failure is its own
      }
    }
  }
}
