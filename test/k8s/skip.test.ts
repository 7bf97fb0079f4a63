/** Live fingerprints (skip.ts): what wakes a pass and what does not. */
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../src/backends/kubernetes/render/types.js";
import { fingerprint, ownAnnotations } from "../../src/backends/kubernetes/skip.js";

const deployment = (annotations: Record<string, string>, generation = 2, status = {}) =>
  ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "a", namespace: "ns", uid: "u1", generation, labels: { x: "1" }, annotations },
    status,
  }) as KubeObject;

describe("fingerprint", () => {
  it("ignores the controller's revision annotation and status churn during a rollout", () => {
    const ours = { "paasta.yelp.com/bounce_method": "crossover" };
    const before = deployment({ ...ours, "deployment.kubernetes.io/revision": "3" });
    const after = deployment({ ...ours, "deployment.kubernetes.io/revision": "4" }, 2, { updatedReplicas: 1 });
    expect(fingerprint(after)).toBe(fingerprint(before));
  });
  it("changes with a hand edit of paasta's annotations or the spec (generation)", () => {
    const a = deployment({ "paasta.yelp.com/desired_state": "start" });
    expect(fingerprint(deployment({ "paasta.yelp.com/desired_state": "stop" }))).not.toBe(fingerprint(a));
    expect(fingerprint(deployment({ "paasta.yelp.com/desired_state": "start" }, 3))).not.toBe(fingerprint(a));
  });
  it("keeps annotations outside Kubernetes' own domains only", () => {
    expect(
      ownAnnotations({
        "kubectl.kubernetes.io/last-applied-configuration": "{}",
        "kubernetes.io/description": "x",
        "storage.k8s.io/x": "y",
        "paasta.yelp.com/a": "1",
        "example.org/kubernetes.io": "kept",
      }),
    ).toEqual({ "paasta.yelp.com/a": "1", "example.org/kubernetes.io": "kept" });
  });
});
