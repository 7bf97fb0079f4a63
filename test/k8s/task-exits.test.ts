/** Pure: which container restarts a pod's change shows, and how they are worded. */
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../src/backends/kubernetes/render/types.js";
import { exitReason, podExits } from "../../src/backends/kubernetes/task-exits.js";

const pod = (containers: Array<{ name: string; restartCount?: number; terminated?: object }>): KubeObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "web-main-abc", namespace: "paastasvc-web" },
  status: {
    containerStatuses: containers.map((c) => ({
      name: c.name,
      restartCount: c.restartCount,
      ...(c.terminated ? { lastState: { terminated: c.terminated } } : {}),
    })),
  },
});
const AT = "2026-12-01T00:00:00.000Z";

describe("podExits", () => {
  it("one exit per container whose restart count went up, with the kubelet's reason", () => {
    const before = pod([
      { name: "main", restartCount: 0 },
      { name: "hacheck", restartCount: 2 },
    ]);
    const after = pod([
      { name: "main", restartCount: 1, terminated: { exitCode: 137, reason: "OOMKilled" } },
      { name: "hacheck", restartCount: 2, terminated: { exitCode: 1, reason: "Error" } },
    ]);
    expect(podExits(before, after, AT)).toEqual([
      {
        task: "web-main-abc",
        exitCode: 137,
        reason: "OOMKilled: exited with code 137 (it used more memory than its mem)",
        at: AT,
      },
    ]);
  });

  it("nothing for a pod first seen, an unchanged count, or a restart without a terminated state", () => {
    const crashed = pod([{ name: "main", restartCount: 3, terminated: { exitCode: 1, reason: "Error" } }]);
    expect(podExits(undefined, crashed, AT)).toEqual([]);
    expect(podExits(crashed, crashed, AT)).toEqual([]);
    expect(podExits(pod([{ name: "main", restartCount: 0 }]), pod([{ name: "main", restartCount: 1 }]), AT)).toEqual(
      [],
    );
  });

  it("words other ends as the local runtime does", () => {
    expect(exitReason({ exitCode: 3, reason: "Error" })).toBe("exited with code 3 (Error)");
    expect(exitReason({})).toBe("exited with code unknown");
  });
});
