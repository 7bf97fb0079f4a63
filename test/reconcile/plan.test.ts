import { describe, expect, it } from "vitest";
import type { ObservedApp } from "../../src/backends/backend.js";
import type { DesiredApp } from "../../src/model/app.js";
import type { DesiredState } from "../../src/reconcile/desired.js";
import { planPass } from "../../src/reconcile/plan.js";

// Hand-built values: planPass is pure; these carry only the fields it reads.
function app(
  service: string,
  instance: string,
  sha = "a".repeat(40),
  hash = "config00000001",
  replicas = 1,
): DesiredApp {
  return { service, instance, git_sha: sha, config_hash: hash, replicas, config: { autoscaled: false } } as DesiredApp;
}
function observed(
  service: string,
  instance: string,
  sha = "a".repeat(40),
  hash = "config00000001",
  replicas = 1,
): ObservedApp {
  return {
    service,
    instance,
    desired_config_hash: hash,
    desired_replicas: replicas,
    versions: [{ git_sha: sha, image_version: null, config_hash: hash, replicas, ready_replicas: replicas }],
  };
}
function desired(apps: DesiredApp[], extra: Partial<DesiredState> = {}): DesiredState {
  return { cluster: "c", apps, undeployed: [], frozen: new Map(), services: [], namespaces: [], held: [], ...extra };
}
const summary = (p: ReturnType<typeof planPass>) =>
  p.items.map((i) =>
    i.action === "apply" ? `${i.change} ${i.app.service}.${i.app.instance}` : `${i.action} ${i.service}.${i.instance}`,
  );

describe("reconcile plan", () => {
  it("orders code deploys first, then config changes, then scaling; unchanged last", () => {
    const p = planPass(
      desired([
        app("a", "m", "a".repeat(40), "config2"),
        app("b", "m", "b".repeat(40), "config9"),
        app("c", "m", "a".repeat(40), "config1", 5),
        app("d", "m"),
        app("e", "m"),
      ]),
      [
        observed("a", "m", "a".repeat(40), "config1"),
        observed("b", "m"),
        observed("c", "m", "a".repeat(40), "config1", 2),
        observed("e", "m"),
      ],
    );
    expect(summary(p)).toEqual(["code-deploy b.m", "create d.m", "config-change a.m", "scale c.m", "unchanged e.m"]);
  });

  it("within a change, takes every service's first instance before any service's second (round-robin)", () => {
    const newSha = "f".repeat(40);
    const apps = ["x", "y", "z"].flatMap((s) => ["i0", "i1", "i2"].map((i) => app(s, i, newSha, "config7")));
    const obs = apps.filter((a) => a.service !== "z").map((a) => observed(a.service, a.instance));
    const p = planPass(desired([...apps, app("w", "only", newSha, "config7"), app("v", "cfg", "a".repeat(40), "c2")]), [
      ...obs,
      observed("w", "only"),
      observed("v", "cfg"),
    ]);
    expect(summary(p)).toEqual([
      "code-deploy w.only",
      "code-deploy x.i0",
      "code-deploy y.i0",
      "create z.i0",
      "code-deploy x.i1",
      "code-deploy y.i1",
      "create z.i1",
      "code-deploy x.i2",
      "code-deploy y.i2",
      "create z.i2",
      "config-change v.cfg",
    ]);
  });

  it("deletes apps no longer configured, but keeps frozen services and undeployed instances", () => {
    const p = planPass(
      desired([app("a", "m"), app("b", "m"), app("c", "m")], {
        frozen: new Map([["broken", [{ file: "broken/service.yaml", message: "bad" }]]]),
        undeployed: [{ service: "u", instance: "m", deploy_group: "g" }],
      }),
      [
        observed("a", "m"),
        observed("b", "m"),
        observed("c", "m"),
        observed("gone", "m"),
        observed("broken", "m"),
        observed("u", "m"),
      ],
    );
    expect(summary(p)).toContain("delete gone.m");
    expect(summary(p)).toContain("keep broken.m");
    expect(summary(p)).toContain("keep u.m");
    expect(p.refused).toBeNull();
  });

  it("refuses to delete more than half of the managed apps without force", () => {
    const obs = [observed("a", "m"), observed("b", "m"), observed("c", "m")];
    const refused = planPass(desired([app("a", "m")]), obs);
    expect(refused.refused).toBe("refusing to delete 2 of 3 apps (more than 50%) without --force");
    expect(summary(refused)).toEqual(["unchanged a.m", "keep b.m", "keep c.m"]);
    expect(summary(planPass(desired([app("a", "m")]), obs, { force: true }))).toEqual([
      "unchanged a.m",
      "delete b.m",
      "delete c.m",
    ]);
  });

  it("deletes nothing when the tree yields zero apps, or cannot be read", () => {
    const obs = [observed("a", "m")];
    expect(planPass(desired([]), obs, { force: true }).refused).toBe(
      "the soa-configs tree yields no app while 1 run: nothing is deleted",
    );
    const unreadable = planPass(undefined, obs, { force: true });
    expect(summary(unreadable)).toEqual(["keep a.m"]);
  });
});
