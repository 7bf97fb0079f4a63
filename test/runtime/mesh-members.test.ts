/**
 * The local runtime's side of the mesh, on a real state database (SQLite in a temporary directory): routes
 * recorded by reconcile passes (unchanged when equal, kept across a restart), and each live task a member of
 * every namespace its app registers in, with the state the proxy gives it.
 */
import { describe, expect, it } from "vitest";
import { LocalMesh, memberState } from "../../src/backends/local/mesh.js";
import { Store, type TaskRecord } from "../../src/backends/local/store.js";
import { resolveNamespace } from "../../src/config/resolve/mesh.js";
import type { DesiredApp } from "../../src/model/app.js";
import type { DesiredRoute } from "../../src/model/mesh.js";
import { tempDir } from "../helpers/cli.js";

const task = (id: string, extra: Partial<TaskRecord>): TaskRecord => ({
  id,
  service: "hello",
  instance: "canary",
  config_hash: "config1",
  git_sha: "a".repeat(40),
  image_version: null,
  state: "healthy",
  pid: 1,
  container_id: null,
  proc_start: null,
  host: "127.0.0.1",
  port: 31000,
  created_at: 0,
  started_at: 0,
  healthy_since: 0,
  stopped_at: null,
  draining_since: null,
  failures: 0,
  last_exit_code: null,
  reason: null,
  log_dir: "/nonexistent",
  restarts: 0,
  replaces: null,
  ...extra,
});

// A DesiredApp carrying only what the mesh reads (service, instance, registrations, weight); the store keeps it as JSON.
const app = {
  service: "hello",
  instance: "canary",
  config_hash: "config1",
  replicas: 2,
  config: { registrations: ["hello.main", "hello.canary"], weight: 3 },
} as unknown as DesiredApp;

const route = (port: number): DesiredRoute => ({
  registration: "hello.main",
  service: "hello",
  settings: resolveNamespace("main", { proxy_port: port }),
  members: [{ service: "hello", instance: "canary", namespace: "paastasvc-hello", container_port: 8888 }],
});

describe("mesh membership from task states", () => {
  it("up when the last check passed, down while starting or failing, draining once chosen to go", () => {
    expect(memberState(task("a", {}))).toEqual({ state: "up", healthy: true });
    expect(memberState(task("a", { failures: 1, reason: "HTTP 500" }))).toEqual({ state: "down", healthy: false });
    expect(memberState(task("a", { state: "starting", healthy_since: null }))).toEqual({
      state: "down",
      healthy: false,
    });
    expect(memberState(task("a", { state: "draining" }))).toEqual({ state: "draining", healthy: true });
    expect(memberState(task("a", { state: "unhealthy", failures: 3 }))).toEqual({ state: "down", healthy: false });
  });

  it("each live task is a member of every registration of its app, with the app's weight", () => {
    const store = new Store(tempDir("paasta-mesh-"));
    try {
      store.putApp(app);
      store.insertTask(task("c-1", { port: 31001 }));
      store.insertTask(task("c-2", { port: 31002, state: "draining" }));
      store.insertTask(task("c-3", { port: 31003, state: "stopped" }));
      const members = new LocalMesh(store).meshMembers();
      expect(members.map((m) => `${m.registration} ${m.task} ${m.port} ${m.state} w${m.weight}`).sort()).toEqual([
        "hello.canary c-1 31001 up w3",
        "hello.canary c-2 31002 draining w3",
        "hello.main c-1 31001 up w3",
        "hello.main c-2 31002 draining w3",
      ]);
      expect(new LocalMesh(store).registrationsOf({ service: "hello", instance: "canary" })).toEqual([
        "hello.main",
        "hello.canary",
      ]);
    } finally {
      store.close();
    }
  });
});

describe("routes recorded by reconcile passes", () => {
  it("are created, unchanged when equal, updated, removed, and kept in the state database", async () => {
    const dir = tempDir("paasta-mesh-");
    const store = new Store(dir);
    const mesh = new LocalMesh(store);
    let changes = 0;
    mesh.onMeshChange(() => changes++);
    expect(await mesh.applyRoute(route(20001))).toBe("created");
    expect(await mesh.applyRoute(route(20001))).toBe("unchanged");
    expect(await mesh.applyRoute(route(20009))).toBe("updated");
    expect(changes).toBe(2);
    store.close();
    const again = new Store(dir);
    try {
      const reopened = new LocalMesh(again);
      expect(reopened.meshRoutes().map((r) => r.settings.proxy_port)).toEqual([20009]);
      expect(await reopened.observeRoutes()).toMatchObject([{ registration: "hello.main", service: "hello" }]);
      await reopened.removeRoute({ registration: "hello.main", service: "hello" });
      expect(reopened.meshRoutes()).toEqual([]);
    } finally {
      again.close();
    }
  });
});
