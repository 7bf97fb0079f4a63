import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { desiredState } from "../../src/reconcile/desired.js";
import { EXAMPLES, tempDir } from "../helpers/paths.js";

const SHA = "a".repeat(40);

function tree(): string {
  const soa = join(tempDir("paasta-desired-"), "soa");
  cpSync(EXAMPLES, soa, { recursive: true });
  writeDeployments(soa, null);
  return soa;
}

function writeDeployments(soa: string, stop: string | null, forceBounce: string | null = null): void {
  const image = `services-hello:paasta-${SHA}`;
  const control = (i: string) => ({
    desired_state: stop === i ? "stop" : "start",
    force_bounce: stop === i || forceBounce ? (forceBounce ?? "20240101T000000") : null,
  });
  writeFileSync(
    join(soa, "hello/deployments.json"),
    JSON.stringify({
      v1: {},
      v2: {
        deployments: { "dev.everything": { docker_image: image, git_sha: SHA, image_version: null } },
        controls: { "hello:dev.main": control("main"), "hello:dev.canary": control("canary") },
      },
    }),
  );
}

function edit(soa: string, file: string, from: RegExp | string, to: string): void {
  const path = join(soa, file);
  writeFileSync(path, readFileSync(path, "utf8").replace(from, to));
}

const hashOf = (soa: string, instance = "main") =>
  desiredState(soa, undefined, "dev").apps.find((a) => a.instance === instance)?.config_hash;

describe("desired state and the config hash", () => {
  it("one app per deployed long-running instance; undeployed ones are skipped and reported", () => {
    const d = desiredState(tree(), undefined, "dev");
    expect(d.apps.map((a) => `${a.service}.${a.instance}`)).toEqual(["hello.main"]);
    expect(d.apps[0]).toMatchObject({
      git_sha: SHA,
      docker_image: `services-hello:paasta-${SHA}`,
      replicas: 3,
      desired_state: "start",
    });
    expect(d.undeployed).toEqual([
      { service: "echo", instance: "main", deploy_group: "dev.echo" },
      { service: "hello", instance: "canary", deploy_group: "canary" },
    ]);
    expect(d.frozen.size).toBe(0);
  });

  it("instances, monitoring and deploy.yaml do not change the hash; cpus, env and restarts do", () => {
    const soa = tree();
    const base = hashOf(soa);
    expect(base).toMatch(/^config[0-9a-f]{8}$/);
    edit(soa, "hello/kubernetes-dev.yaml", "instances: 3", "instances: 5");
    expect(hashOf(soa)).toBe(base);
    expect(desiredState(soa, undefined, "dev").apps[0]?.replicas).toBe(5);
    edit(soa, "hello/monitoring.yaml", "team: platform", "team: other");
    edit(soa, "hello/deploy.yaml", "  - step: itest\n", "");
    expect(hashOf(soa)).toBe(base);
    edit(soa, "hello/kubernetes-dev.yaml", "GREETING: hello from dev", "GREETING: hi");
    const envChanged = hashOf(soa);
    expect(envChanged).not.toBe(base);
    writeDeployments(soa, null, "20240202T000000");
    expect(hashOf(soa)).not.toBe(envChanged);
  });

  it("a stop sets replicas to 0", () => {
    const soa = tree();
    writeDeployments(soa, "main");
    expect(desiredState(soa, undefined, "dev").apps[0]).toMatchObject({ desired_state: "stop", replicas: 0 });
  });

  it("a service with a config problem is frozen; the others are unaffected", () => {
    const soa = tree();
    writeFileSync(join(soa, "echo/kubernetes-dev.yaml"), "main:\n  cpus: [\n");
    writeFileSync(
      join(soa, "echo/deployments.json"),
      readFileSync(join(soa, "hello/deployments.json"), "utf8")
        .replaceAll("hello", "echo")
        .replace("dev.everything", "dev.echo"),
    );
    const d = desiredState(soa, undefined, "dev");
    expect([...d.frozen.keys()]).toEqual(["echo"]);
    expect(d.frozen.get("echo")?.[0]?.file).toBe("echo/kubernetes-dev.yaml");
    expect(d.apps.map((a) => a.service)).toEqual(["hello"]);
  });
});

describe("a service whose file is an alias bomb", () => {
  it("is frozen with a located problem while the rest of the tree deploys", () => {
    const soa = tree();
    let text = 'l0: &l0 ["x","x","x","x","x","x","x","x","x","x"]\n';
    for (let i = 1; i <= 8; i++)
      text += `l${i}: &l${i} [${Array(10)
        .fill(`*l${i - 1}`)
        .join(",")}]\n`;
    cpSync(join(soa, "hello"), join(soa, "bomb"), { recursive: true });
    writeFileSync(join(soa, "bomb/kubernetes-dev.yaml"), `${text}main:\n  cmd: x\n  constraints: *l8\n`);
    const d = desiredState(soa, undefined, "dev");
    expect(d.frozen.get("bomb")?.map((p) => `${p.file}:${p.line}: ${p.message}`)).toEqual([
      expect.stringMatching(/^bomb\/kubernetes-dev\.yaml:2: YAML aliases expand to more than/),
    ]);
    expect(d.apps.filter((a) => a.service === "hello").length).toBeGreaterThan(0);
  });
});
