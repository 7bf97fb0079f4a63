/**
 * cook-image → push-to-registry → verify-image-exists against the real engine and registry; a second push is
 * skipped; itest; mark-for-deployment --verify-image-exists; clear errors when no engine or registry answers.
 */

import { spawn } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import { BIN, paastaBin } from "../helpers/cli.js";
import { dockerCli, type FakeService, fakeService } from "../helpers/docker.js";
import { git } from "../helpers/git.js";
import { freePort } from "../helpers/runtime.js";

const KUBERNETES = "main:\n  cpus: 0.1\n  mem: 100\n  deploy_group: test-cluster.main\n";
const noStack = (s: string) => expect(s).not.toMatch(/\n\s+at /);

describe("images: cook, push, verify (real engine and registry)", () => {
  let svc: FakeService;
  let image: string;
  const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    paastaBin(args, { cwd: svc.repo, env: { ...svc.env, ...env } });

  beforeAll(() => {
    svc = fakeService({ service: "imgsvc", soa: { "kubernetes-test-cluster.yaml": KUBERNETES } });
  });

  it("cook-image builds REGISTRY/services-S:paasta-SHA with make cook-image (HEAD by default)", () => {
    const r = run(["cook-image", "-s", "imgsvc", "--json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.git_sha).toBe(svc.sha);
    expect(out.method).toBe("make");
    expect(out.image).toMatch(new RegExp(`^127\\.0\\.0\\.1:\\d+/services-imgsvc:paasta-${svc.sha}$`));
    expect(r.stderr).toContain("Successfully tagged");
    image = out.image;
    expect(dockerCli(["image", "inspect", "-f", "{{.Id}}", image])).toMatch(/^sha256:/);
  });

  it("verify-image-exists says it is missing before the push (exit 1, how to fix)", () => {
    const r = run(["verify-image-exists", "-s", "imgsvc", "-c", svc.sha]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`image ${image} is not in the registry [PAASTA_IMAGE_NOT_FOUND]`);
    expect(r.stderr).toContain("paasta push-to-registry -s imgsvc");
    const j = run(["verify-image-exists", "-s", "imgsvc", "-c", svc.sha, "--json"]);
    expect(j.code).toBe(1);
    expect(JSON.parse(j.stdout)).toMatchObject({ image, exists: false });
  });

  it("mark-for-deployment --verify-image-exists refuses a missing image and pushes no tag", () => {
    const r = run([
      "mark-for-deployment",
      "-s",
      "imgsvc",
      "-c",
      svc.sha,
      "-l",
      "test-cluster.main",
      "--verify-image-exists",
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("[PAASTA_IMAGE_NOT_FOUND]");
    noStack(r.stderr);
    expect(git(["tag", "--list"], svc.repo)).toBe("");
  });

  it("push-to-registry pushes it; verify-image-exists then finds it; a second push is skipped", () => {
    const p = run(["push-to-registry", "-s", "imgsvc", "-c", svc.sha, "--json"]);
    expect(p.stderr).not.toContain("error");
    expect(p.code).toBe(0);
    const pushed = JSON.parse(p.stdout);
    expect(pushed).toMatchObject({ image, pushed: true });
    expect(pushed.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const v = run(["verify-image-exists", "-s", "imgsvc", "-c", svc.sha]);
    expect(v.code).toBe(0);
    expect(v.stdout).toContain(`✓ ${image} exists (sha256:`);
    const again = run(["push-to-registry", "-s", "imgsvc", "-c", svc.sha]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("is already in the registry");
    expect(again.stdout).toContain("not pushing");
    const forced = run(["push-to-registry", "-s", "imgsvc", "-c", svc.sha, "-f", "--json"]);
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.stdout)).toMatchObject({ pushed: true, digest: pushed.digest });
  });

  it("mark-for-deployment --verify-image-exists marks once the image is there", () => {
    const r = run([
      "mark-for-deployment",
      "-s",
      "imgsvc",
      "-c",
      svc.sha.slice(0, 10),
      "-l",
      "test-cluster.main",
      "--verify-image-exists",
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`✓ ${image} is in the registry`);
    expect(git(["tag", "--list"], svc.repo)).toMatch(/^paasta-test-cluster\.main-\d{8}T\d{6}-deploy$/);
  });

  it("verify-image-exists --wait polls until the image appears", async () => {
    const sha = svc.commit({ VERSION: "2\n" });
    const url = image.replace(svc.sha, sha);
    const waiting = new Promise<{ code: number; out: string }>((resolve) => {
      const args = [
        "verify-image-exists",
        "-s",
        "imgsvc",
        "-c",
        sha,
        "--wait",
        "--poll-period",
        "0.3",
        "--timeout",
        "60",
      ];
      const child = spawn(process.execPath, [BIN, ...args], {
        cwd: svc.repo,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: "1", ...svc.env },
      });
      let out = "";
      child.stdout.on("data", (d) => (out += d));
      child.on("close", (code) => resolve({ code: code ?? -1, out }));
    });
    expect(run(["cook-image", "-s", "imgsvc"]).code).toBe(0);
    expect(run(["push-to-registry", "-s", "imgsvc", "-c", sha]).code).toBe(0);
    const r = await waiting;
    expect(r.out).toContain(`Waiting for ${url}`);
    expect(r.out).toContain(`✓ ${url} exists`);
    expect(r.code).toBe(0);
  });

  it("itest runs make itest with DOCKER_TAG", () => {
    const r = run(["itest", "-s", "imgsvc", "-c", svc.sha]);
    expect(r.stdout).toContain(`docker run --rm ${image} node --check server.js`);
    expect(r.stdout).toContain("✓ make itest passed");
    expect(r.code).toBe(0);
  });

  it("without a Makefile target the Dockerfile is built through the API, with progress", () => {
    const other = fakeService({ service: "apisvc", repo: { Makefile: null } });
    const r = paastaBin(["cook-image", "-s", "apisvc"], { cwd: other.repo, env: other.env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Step 1\/\d+ : FROM paasta-base\/node:20/);
    expect(r.stdout).toContain("(Dockerfile)");
    // no engine: a catalogue error that says how to start one
    const down = paastaBin(["cook-image", "-s", "apisvc"], {
      cwd: other.repo,
      env: { ...other.env, DOCKER_HOST: "unix:///nonexistent/docker.sock" },
    });
    expect(down.code).toBe(3);
    expect(down.stderr).toContain(
      "cannot reach a container engine at unix:///nonexistent/docker.sock: no such socket [PAASTA_ENGINE_UNREACHABLE]",
    );
    expect(down.stderr).toContain("how to fix: Start one");
    noStack(down.stderr);
  });

  it("no registry answering: a catalogue error, not a stack trace", async () => {
    const port = await freePort();
    const other = fakeService({ service: "noreg", registry: `127.0.0.1:${port}` });
    for (const args of [
      ["verify-image-exists", "-s", "noreg", "-c", other.sha],
      ["push-to-registry", "-s", "noreg", "-c", other.sha],
    ]) {
      const r = paastaBin(args, { cwd: other.repo, env: other.env });
      expect(r.code).toBe(3);
      expect(r.stderr).toContain(`cannot reach the image registry 127.0.0.1:${port}: connection refused`);
      expect(r.stderr).toContain("[PAASTA_REGISTRY_UNREACHABLE]");
      noStack(r.stderr);
    }
    const none = fakeService({ service: "unset", system: { docker_registry: undefined } });
    const r = paastaBin(["cook-image", "-s", "unset"], { cwd: none.repo, env: none.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("[PAASTA_NO_DOCKER_REGISTRY]");
  });
});
