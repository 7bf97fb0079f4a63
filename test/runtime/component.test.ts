/**
 * The Host's start/stop order (pure logic). The components here are recorders: they model only the order of
 * calls and a start that fails, not any real subsystem.
 */
import { describe, expect, it } from "vitest";
import { type Component, Host } from "../../src/runtime/component.js";
import { EventBus } from "../../src/runtime/events.js";

function recorder(name: string, calls: string[], failStart = false): Component {
  return {
    name,
    async start() {
      if (failStart) throw new Error(`${name} cannot start`);
      calls.push(`start ${name}`);
    },
    async stop() {
      calls.push(`stop ${name}`);
    },
    health: () => ({ ok: true, detail: name }),
  };
}

describe("Host", () => {
  it("starts in order and stops in reverse", async () => {
    const calls: string[] = [];
    const host = new Host().add(recorder("a", calls)).add(recorder("b", calls));
    await host.start();
    await host.stop();
    expect(calls).toEqual(["start a", "start b", "stop b", "stop a"]);
    expect(host.health()).toEqual({ a: { ok: true, detail: "a" }, b: { ok: true, detail: "b" } });
  });

  it("a component that fails to start stops the ones already started, and the error surfaces", async () => {
    const calls: string[] = [];
    const host = new Host()
      .add(recorder("a", calls))
      .add(recorder("b", calls, true))
      .add(recorder("c", calls));
    await expect(host.start()).rejects.toThrow("b cannot start");
    expect(calls).toEqual(["start a", "stop a"]);
  });
});

describe("EventBus", () => {
  it("delivers to every subscriber, even when one throws; unsubscribing stops delivery", () => {
    const bus = new EventBus();
    const seen: string[] = [];
    bus.on("task.exited", () => {
      throw new Error("bad subscriber");
    });
    const off = bus.on("task.exited", (e) => seen.push(e.task));
    const event = { at: "t", service: "s", instance: "i", cluster: "c", task: "t1", exitCode: 1, reason: "exited" };
    bus.emit("task.exited", event);
    off();
    bus.emit("task.exited", { ...event, task: "t2" });
    expect(seen).toEqual(["t1"]);
  });
});
