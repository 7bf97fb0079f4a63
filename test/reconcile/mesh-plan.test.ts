/**
 * The mesh's part of a reconcile pass, pure: which routes a cluster should publish (with the instances
 * registered in each), and the rails on removing published ones (frozen services, an empty or unreadable
 * tree, more than half at once).
 */
import { describe, expect, it } from "vitest";
import { resolveNamespace } from "../../src/config/resolve/mesh.js";
import type { DesiredApp } from "../../src/model/app.js";
import type { ObservedRoute } from "../../src/model/mesh.js";
import { desiredRoutes, type MeshDesired, planRoutes } from "../../src/reconcile/mesh-plan.js";

// Hand-built apps: the plan reads only service, instance and these config fields.
const app = (service: string, instance: string, registrations: string[], namespace = `paastasvc-${service}`) =>
  ({ service, instance, config: { registrations, namespace, container_port: 8888 } }) as unknown as DesiredApp;
const ns = (service: string, name: string, proxy_port: number | null = 20001) => ({
  service,
  settings: resolveNamespace(name, { proxy_port }),
});
const desired = (extra: Partial<MeshDesired> = {}): MeshDesired => ({
  namespaces: [ns("hello", "main"), ns("hello", "internal", null), ns("echo", "main", 20002)],
  apps: [
    app("hello", "main", ["hello.main"]),
    app("hello", "canary", ["hello.main"]),
    app("echo", "main", ["echo.main"]),
  ],
  frozen: new Map(),
  ...extra,
});
const observed = (registration: string): ObservedRoute => ({
  registration,
  service: registration.split(".")[0] as string,
});
const summary = (p: ReturnType<typeof planRoutes>) => p.items.map((i) => `${i.action} ${i.route.registration}`);

describe("desired routes", () => {
  it("are the namespaces with a proxy_port, each with the deployed instances registered in it", () => {
    const routes = desiredRoutes(desired());
    expect(routes.map((r) => r.registration)).toEqual(["echo.main", "hello.main"]);
    expect(routes[1]?.members.map((m) => `${m.service}.${m.instance}`)).toEqual(["hello.canary", "hello.main"]);
    expect(routes[1]?.settings.proxy_port).toBe(20001);
  });
});

describe("the route plan's rails", () => {
  it("applies desired routes and removes published ones no longer configured", () => {
    const p = planRoutes(desired(), [observed("hello.main"), observed("echo.main"), observed("hello.old")]);
    expect(summary(p)).toEqual(["apply echo.main", "apply hello.main", "delete hello.old"]);
    expect(p.refused).toBeNull();
  });

  it("keeps a frozen service's routes as they are published", () => {
    const p = planRoutes(desired({ frozen: new Map([["old", []]]) }), [observed("hello.main"), observed("old.main")]);
    expect(summary(p)).toContain("keep old.main");
  });

  it("removes nothing when the tree could not be read or yields no route", () => {
    expect(summary(planRoutes(undefined, [observed("hello.main")]))).toEqual(["keep hello.main"]);
    const empty = planRoutes(desired({ namespaces: [] }), [observed("hello.main")]);
    expect(summary(empty)).toEqual(["keep hello.main"]);
    expect(empty.refused).toMatch(/yields no mesh namespace/);
  });

  it("refuses to remove more than half of the published routes without force", () => {
    const live = ["a.main", "b.main", "c.main", "hello.main"].map(observed);
    const only = desired({ namespaces: [ns("hello", "main")] });
    const p = planRoutes(only, live);
    expect(p.refused).toMatch(/refusing to remove 3 of 4/);
    expect(summary(p).filter((s) => s.startsWith("delete"))).toEqual([]);
    expect(summary(planRoutes(only, live, { force: true })).filter((s) => s.startsWith("delete"))).toHaveLength(3);
  });
});
