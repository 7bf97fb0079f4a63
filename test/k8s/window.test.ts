/** The rollout window's decisions (pure) and its pacing of writes. */
import { describe, expect, it } from "vitest";
import type { CacheChange, KubeStateReader } from "../../src/backends/kubernetes/cache/index.js";
import type { KubeObject } from "../../src/backends/kubernetes/render/types.js";
import { RolloutWindow, rolloutStarted, type WindowSlot } from "../../src/backends/kubernetes/window.js";

const deployment = (name: string, generation: number, status: Record<string, number> = {}, replicas = 1) =>
  ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: "ns", generation },
    spec: { replicas },
    status,
  }) as KubeObject;

/**
 * A watched copy held in a map (pure logic only): it does not model watch delays, relists or the objects'
 * other kinds; `set` plays the controllers' status update arriving through the watch.
 */
class Copy implements KubeStateReader {
  readonly ready = true;
  private readonly byName = new Map<string, KubeObject>();
  private readonly listeners = new Set<(c: CacheChange) => void>();
  set(o: KubeObject): void {
    this.byName.set(o.metadata.name, o);
    for (const fn of this.listeners) fn({ type: "modified", kind: o.kind, object: o, old: undefined, ref: undefined });
  }
  get(_kind: string, _ns: string | undefined, name: string): KubeObject | undefined {
    return this.byName.get(name);
  }
  workloads(): KubeObject[] {
    return [...this.byName.values()];
  }
  pods(): KubeObject[] {
    return [];
  }
  objects(): KubeObject[] {
    return [];
  }
  onChange(fn: (c: CacheChange) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}

const settle = () => new Promise((r) => setImmediate(r));

describe("rolloutStarted", () => {
  it("waits for the controller to observe the written generation", () => {
    expect(rolloutStarted(deployment("a", 3, { observedGeneration: 2, updatedReplicas: 1 }), 3)).toBe(false);
  });
  it("waits for the new version's first replica, not for it to be Ready", () => {
    expect(rolloutStarted(deployment("a", 3, { observedGeneration: 3, updatedReplicas: 0 }), 3)).toBe(false);
    expect(rolloutStarted(deployment("a", 3, { observedGeneration: 3, updatedReplicas: 1, readyReplicas: 0 }), 3)).toBe(
      true,
    );
  });
  it("counts a stopped app (0 replicas) as started once observed, and a deleted one as started", () => {
    expect(rolloutStarted(deployment("a", 2, { observedGeneration: 2 }, 0), 2)).toBe(true);
    expect(rolloutStarted(undefined, 5)).toBe(true);
  });
});

describe("RolloutWindow", () => {
  it("lets `size` rollouts wait on the controllers and admits the next when one starts", async () => {
    const copy = new Copy();
    const w = new RolloutWindow(copy, { size: 2, maxAgeMs: 30_000 });
    const slots: WindowSlot[] = [await w.enter(), await w.enter()];
    let third: WindowSlot | undefined;
    void w.enter().then((s) => {
      third = s;
    });
    await settle();
    expect(third).toBeUndefined();
    // Both writes answered (generation 2); the controllers have not acted yet.
    for (const [i, s] of slots.entries()) {
      const answer = deployment(`d${i}`, 2, { observedGeneration: 1, updatedReplicas: 1 });
      copy.set(answer);
      s.started(answer);
    }
    await settle();
    expect(third).toBeUndefined();
    expect(w.inFlight).toBe(2);
    // The controller observes d0 and creates its first new replica.
    copy.set(deployment("d0", 2, { observedGeneration: 2, updatedReplicas: 1 }));
    await settle();
    expect(third).toBeDefined();
    expect(w.inFlight).toBe(2);
    w.close();
  });

  it("frees the place of a failed write at once", async () => {
    const w = new RolloutWindow(new Copy(), { size: 1, maxAgeMs: 30_000 });
    const first = await w.enter();
    let second: WindowSlot | undefined;
    void w.enter().then((s) => {
      second = s;
    });
    await settle();
    expect(second).toBeUndefined();
    first.cancel();
    first.cancel(); // twice is once
    await settle();
    expect(second).toBeDefined();
    expect(w.inFlight).toBe(1);
    w.close();
  });

  it("never stops a pass: an entry the controllers never act on stops counting after maxAgeMs", async () => {
    const copy = new Copy();
    const w = new RolloutWindow(copy, { size: 1, maxAgeMs: 40 });
    const stuck = deployment("stuck", 7, { observedGeneration: 6 });
    copy.set(stuck);
    (await w.enter()).started(stuck);
    const t = performance.now();
    await w.enter();
    expect(performance.now() - t).toBeGreaterThanOrEqual(30);
    w.close();
  });

  it("lets waiting writes go on when closed, so a stop never hangs on the window", async () => {
    const w = new RolloutWindow(new Copy(), { size: 1, maxAgeMs: 30_000 });
    await w.enter();
    let admitted = false;
    void w.enter().then(() => {
      admitted = true;
    });
    await settle();
    expect(admitted).toBe(false);
    w.close();
    await settle();
    expect(admitted).toBe(true);
  });
});
