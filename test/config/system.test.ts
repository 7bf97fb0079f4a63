import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSystemConfig } from "../../src/config/system.js";
import { PaastaError } from "../../src/errors.js";
import { tempDir } from "../helpers/cli.js";

function configDir(files: Record<string, unknown>): string {
  const dir = tempDir("paasta-etc-");
  for (const [name, value] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), typeof value === "string" ? value : JSON.stringify(value));
  }
  return dir;
}

function thrown(fn: () => unknown): PaastaError {
  try {
    fn();
  } catch (e) {
    if (e instanceof PaastaError) return e;
    throw e;
  }
  throw new Error("expected a PaastaError");
}

describe("system config", () => {
  it("merges every *.json recursively; nested mappings from several files merge", () => {
    const dir = configDir({
      "clusters.json": { cluster: "dev", clusters: ["dev", "prod"] },
      "sub/api.json": { api_endpoints: { dev: "http://127.0.0.1:5054" } },
      "sub/deeper/api2.json": { api_endpoints: { prod: "http://10.0.0.1:5054" } },
      "notes.txt": "not json, ignored",
    });
    const cfg = loadSystemConfig(dir);
    expect(cfg.cluster()).toBe("dev");
    expect(cfg.clusters()).toEqual(["dev", "prod"]);
    expect(cfg.apiEndpoint("prod")).toBe("http://10.0.0.1:5054");
  });

  it("two files setting the same leaf key is an error naming both files and the key", () => {
    const dir = configDir({
      "a.json": { api_endpoints: { dev: "http://a:1" } },
      "b/c.json": { api_endpoints: { dev: "http://b:1" } },
    });
    const e = thrown(() => loadSystemConfig(dir));
    expect(e.code).toBe("PAASTA_SYSTEM_CONFIG_DUPLICATE_KEY");
    expect(e.message).toMatch(/^system config key api_endpoints\.dev is set by both \S*a\.json and \S*b\/c\.json$/);
  });

  it("a missing required key names the key and the directory", () => {
    const dir = configDir({ "a.json": { clusters: [] } });
    const e = thrown(() => loadSystemConfig(dir).dockerRegistry());
    expect(e.message).toBe(`system config key docker_registry is not set in any *.json file under ${dir}`);
  });

  it("a missing directory is an error unless optional", () => {
    expect(thrown(() => loadSystemConfig("/nonexistent/etc")).code).toBe("PAASTA_SYSTEM_CONFIG_MISSING");
    expect(loadSystemConfig("/nonexistent/etc", { optional: true }).clusters()).toEqual([]);
  });

  it("invalid JSON and invalid values name the file", () => {
    expect(thrown(() => loadSystemConfig(configDir({ "bad.json": "{ nope" }))).message).toMatch(
      /bad\.json: invalid JSON/,
    );
    const e = thrown(() => loadSystemConfig(configDir({ "c.json": { clusters: "dev" } })).clusters());
    expect(e.code).toBe("PAASTA_SYSTEM_CONFIG_INVALID");
    expect(e.message).toMatch(/^system config key clusters \(from \S*c\.json\): clusters: /);
  });

  it("cluster_backends: local and kubernetes, paths expanded relative to the config dir", () => {
    const dir = configDir({
      "backends.json": {
        cluster_backends: {
          dev: { type: "local", executor: "process", state_dir: "state/dev" },
          prod: { type: "kubernetes", kubeconfig: "kube/config", context: "prod" },
        },
      },
    });
    const cfg = loadSystemConfig(dir);
    expect(cfg.clusterBackend("dev")).toEqual({
      type: "local",
      executor: "process",
      state_dir: join(dir, "state/dev"),
      history_days: 7, // the local runtime's retention defaults (DEFAULTS.local_*)
      keep_versions: 3,
    });
    expect(cfg.clusterBackend("prod")).toEqual({
      type: "kubernetes",
      kubeconfig: join(dir, "kube/config"),
      context: "prod",
    });
    expect(thrown(() => cfg.clusterBackend("qa")).message).toBe(
      `system config key cluster_backends.qa is not set in any *.json file under ${dir}`,
    );
  });
});
