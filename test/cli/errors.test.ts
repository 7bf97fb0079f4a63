/**
 * Honest errors and PaaSTA's flags, through the installed binary (bin/paasta.js, what users run): usage errors
 * in the catalogue's format (JSON on stdout with --json), a closed pipe, an unreachable API (exit 3), an
 * unknown cluster, log values PaaSTA accepts and ones it does not, a port already in use, "did you mean",
 * shell completion in a real bash, and the new read commands.
 */
import { spawn, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { BIN, EXAMPLES, paastaBin, REPO, tempDir } from "../helpers/cli.js";
import { freePort } from "../helpers/runtime.js";

let etc: string;
let closedPort: number;

beforeAll(async () => {
  closedPort = await freePort(); // nothing listens there
  etc = tempDir("paasta-etc-");
  writeFileSync(
    join(etc, "paasta.json"),
    JSON.stringify({
      cluster: "dev",
      clusters: ["dev"],
      soa_dir: EXAMPLES,
      api_endpoints: { dev: `http://127.0.0.1:${closedPort}` },
      cluster_backends: { dev: { type: "local", executor: "process", state_dir: join(etc, "state") } },
    }),
  );
});

const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  paastaBin(args, { env: { PAASTA_SYSTEM_CONFIG_DIR: etc, ...env } });

describe("usage errors in the catalogue's format", () => {
  it("an unknown option: code, message and how to fix, exit 2", () => {
    const r = run(["list", "--bogus"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "error unknown option '--bogus' [PAASTA_CLI_USAGE]\n  how to fix: Run `paasta list --help` to see its flags and examples.\n",
    );
  });

  it("with --json the error is JSON on stdout too", () => {
    const r = run(["status", "-s", "hello", "--bogus", "--json"]);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: "PAASTA_CLI_USAGE", message: "unknown option '--bogus'" });
    const failed = run(["status", "-s", "hello", "--json"]);
    expect(failed.code).toBe(3);
    expect(JSON.parse(failed.stdout)[0].error.code).toBe("PAASTA_API_UNREACHABLE");
  });

  it("a typo of a command suggests the command", () => {
    const r = run(["stauts"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'stauts' (Did you mean status?) [PAASTA_CLI_USAGE]");
  });

  it("writing to a closed pipe ends quietly (no EPIPE stack trace)", () => {
    const soa = tempDir();
    mkdirSync(join(soa, "big"));
    const instances = Array.from({ length: 8000 }, (_, i) => `instance_${i}:\n  cmd: x\n`).join("");
    writeFileSync(join(soa, "big/kubernetes-dev.yaml"), instances);
    const r = spawnSync(
      "bash",
      ["--norc", "--noprofile", "-o", "pipefail", "-c", `node ${BIN} list -i -d ${soa} | head -1`],
      {
        encoding: "utf8",
        env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: "1" },
      },
    );
    expect(r.stdout).toBe("big.instance_0\n");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });
});

describe("clusters and APIs", () => {
  it("an unreachable API is exit 3 with the code and how to fix it", () => {
    const r = run(["status", "-s", "hello", "-c", "dev"]);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain(`cannot reach the paasta API of cluster dev at http://127.0.0.1:${closedPort}`);
    expect(r.stdout).toContain("[PAASTA_API_UNREACHABLE]");
    expect(r.stderr).toContain("how to fix: Start it (`paasta up --cluster dev` or `paasta api --cluster dev`)");
  });

  it("status -c prod when prod is not a cluster of the system config says so", () => {
    const r = run(["status", "-s", "hello", "-c", "prod"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "cluster prod is not listed in the system config key `clusters` (dev) [PAASTA_CLUSTER_UNKNOWN]",
    );
  });

  it("status guesses the service from the current directory, and takes SERVICE.INSTANCE", () => {
    const guessed = paastaBin(["status", "-c", "dev"], {
      cwd: join(EXAMPLES, "hello"),
      env: { PAASTA_SYSTEM_CONFIG_DIR: etc },
    });
    expect(guessed.stdout).toContain("hello.main");
    const short = run(["status", "hello.canary", "-c", "dev"]);
    expect(short.stdout).toContain("hello.canary");
    expect(short.stdout).not.toContain("hello.main");
    const nowhere = paastaBin(["status"], { cwd: REPO, env: { PAASTA_SYSTEM_CONFIG_DIR: etc } });
    expect(nowhere.code).toBe(2);
    expect(nowhere.stderr).toContain("is not a service in");
    const owner = run(["status", "-s", "hello", "-o", "nobody"]);
    expect(owner.stderr).toContain("[PAASTA_NO_INSTANCES_MATCH]");
  });

  it("the API's port in use: which process holds it and what to change", async () => {
    const holder: Server = createServer();
    const port = await new Promise<number>((resolve) =>
      holder.listen(0, "127.0.0.1", () => resolve((holder.address() as { port: number }).port)),
    );
    try {
      const busyEtc = tempDir("paasta-etc-");
      writeFileSync(
        join(busyEtc, "paasta.json"),
        JSON.stringify({
          cluster: "dev",
          clusters: ["dev"],
          soa_dir: EXAMPLES,
          api_endpoints: { dev: `http://127.0.0.1:${port}` },
          cluster_backends: { dev: { type: "local", executor: "process", state_dir: join(busyEtc, "state") } },
        }),
      );
      const r = paastaBin(["up"], { env: { PAASTA_SYSTEM_CONFIG_DIR: busyEtc } });
      expect(r.code).toBe(3);
      expect(r.stderr).toContain(
        `cannot serve the API of cluster dev on 127.0.0.1:${port}: the port is in use by pid ${process.pid} (`,
      );
      expect(r.stderr).toContain("[PAASTA_API_PORT_IN_USE]");
      expect(r.stderr).toMatch(new RegExp(`how to fix: .*give api_endpoints.dev in ${busyEtc} a free port`));
    } finally {
      await new Promise((r) => holder.close(r));
    }
  });
});

describe("paasta api, PaaSTA's flags", () => {
  it("PORT overrides api_endpoints' port; -D logs requests; -c, -w and --max-request-seconds are accepted", async () => {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [BIN, "api", "-c", "dev", "-D", "-w", "4", "--max-request-seconds", "30", String(port)],
      {
        env: { PATH: process.env.PATH, NO_COLOR: "1", PAASTA_SYSTEM_CONFIG_DIR: etc },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let err = "";
    let out = "";
    child.stderr?.on("data", (d: Buffer) => {
      err += d.toString();
    });
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
    });
    const exited = new Promise((r) => child.once("exit", r));
    try {
      const end = Date.now() + 20_000;
      while (!out.includes("paasta api:") && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
      expect(out).toContain(`on http://127.0.0.1:${port}`);
      const version = await (await fetch(`http://127.0.0.1:${port}/v1/version`)).json();
      expect(typeof version).toBe("string");
      const queue = await fetch(`http://127.0.0.1:${port}/v1/deploy_queue`);
      expect(queue.status).toBe(501);
      expect((await queue.json()).code).toBe("PAASTA_API_NOT_HERE");
      await new Promise((r) => setTimeout(r, 200));
      expect(err).toMatch(/GET \/v1\/version 200 \d+ms/);
    } finally {
      child.kill("SIGTERM");
      await exited;
    }
  });
});

describe("paasta logs values", () => {
  it("-a 10m, yesterday and --to are accepted (the API is what is missing here)", () => {
    for (const args of [
      ["-a", "10m"],
      ["--after", "yesterday", "-t", "1h"],
      ["--from", "2026-01-01"],
    ]) {
      const r = run(["logs", "-s", "hello", ...args]);
      expect(r.stderr).toContain("[PAASTA_API_UNREACHABLE]");
      expect(r.stderr).not.toContain("PAASTA_INTERNAL");
      expect(r.code).toBe(3);
    }
  });

  it("a bad time or component is a usage error; --json failures are JSON", () => {
    const time = run(["logs", "-s", "hello", "-a", "a while"]);
    expect(time.code).toBe(2);
    expect(time.stderr).toContain('-a/--from: cannot read the time "a while" [PAASTA_CLI_BAD_VALUE]');
    expect(time.stderr).not.toContain("RangeError");
    const comp = run(["logs", "-s", "hello", "-C", "stdrr", "--json"]);
    expect(comp.code).toBe(2);
    expect(JSON.parse(comp.stdout).error.fix).toContain("stdout, stderr, app_output, deploy");
    const both = run(["logs", "-s", "hello", "-a", "10m", "-n", "5"]);
    expect(both.stderr).toContain("exclude each other");
  });
});

describe("validate, completion and the new read commands", () => {
  it("validate's unknown key suggests the closest allowed key", () => {
    const soa = tempDir();
    cpSync(join(EXAMPLES, "hello"), join(soa, "hello"), { recursive: true });
    writeFileSync(join(soa, "hello/kubernetes-dev.yaml"), "main:\n  instanecs: 2\n  deploy_group: dev.everything\n");
    const r = run(["validate", "-s", "hello", "-y", soa]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('main.instanecs: unknown key "instanecs" (did you mean "instances"?');
  });

  it("bash completion from `paasta completion bash` completes commands, options and subcommands", () => {
    const complete = (words: string) =>
      spawnSync(
        "bash",
        [
          "-c",
          `source <(node ${BIN} completion bash); COMP_WORDS=(${words}); COMP_CWORD=$((\${#COMP_WORDS[@]}-1)); _paasta; echo "\${COMPREPLY[*]}"`,
        ],
        { encoding: "utf8", env: { PATH: process.env.PATH } },
      ).stdout.trim();
    expect(complete("paasta wait-for")).toBe("wait-for-deployment");
    expect(complete("paasta logs --af")).toBe("--after");
    expect(complete("paasta logs -s hello --strip")).toBe("--strip-headers");
    expect(complete("paasta pipeline co").split(" ")).toEqual(["continue"]);
    expect(run(["completion", "fish"]).code).toBe(2);
  });

  it("list-namespaces prints PaaSTA's list; get-image-version follows deploy.yaml and deployments.json", () => {
    expect(run(["list-namespaces", "-s", "hello", "-d", EXAMPLES]).stdout).toBe("['paastasvc-hello']\n");
    expect(JSON.parse(run(["list-namespaces", "-s", "reports", "-y", EXAMPLES, "--json"]).stdout)).toEqual({
      namespaces: ["tron"],
    });
    const soa = tempDir();
    cpSync(join(EXAMPLES, "hello"), join(soa, "hello"), { recursive: true });
    const none = run(["get-image-version", "-s", "hello", "-c", "abc", "-y", soa]);
    expect(none.stdout).toBe("");
    expect(none.stderr).toContain("Automated redeploys not enabled for hello");
    writeFileSync(
      join(soa, "hello/deploy.yaml"),
      "pipeline:\n  - step: dev.everything\n    enable_automated_redeploys: true\n",
    );
    const recent = new Date(Date.now() - 3600_000);
    const p = (n: number) => String(n).padStart(2, "0");
    const version = `${recent.getFullYear()}${p(recent.getMonth() + 1)}${p(recent.getDate())}T${p(recent.getHours())}${p(recent.getMinutes())}${p(recent.getSeconds())}`;
    writeFileSync(
      join(soa, "hello/deployments.json"),
      JSON.stringify({
        v2: {
          deployments: { "dev.everything": { docker_image: "x", git_sha: "abc123", image_version: version } },
          controls: {},
        },
      }),
    );
    expect(run(["get-image-version", "-s", "hello", "-c", "abc123", "-y", soa]).stdout).toBe(`${version}\n`);
    const fresh = run(["get-image-version", "-s", "hello", "-c", "abc123", "-y", soa, "--max-age", "60"]).stdout.trim();
    expect(fresh).toMatch(/^\d{8}T\d{6}$/);
    expect(fresh > version).toBe(true);
    expect(run(["get-image-version", "-s", "hello", "-c", "abc123", "-y", soa, "-f"]).stdout.trim()).not.toBe(version);
  });

  it("PaaSTA's aliases reach the same option: get-latest-deployment -i, wait-for-deployment -k", () => {
    const soa = tempDir();
    cpSync(join(EXAMPLES, "hello"), join(soa, "hello"), { recursive: true });
    writeFileSync(
      join(soa, "hello/deployments.json"),
      JSON.stringify({
        v2: {
          deployments: { canary: { docker_image: "services-hello:paasta-abc", git_sha: "abc", image_version: null } },
          controls: {},
        },
      }),
    );
    expect(run(["get-latest-deployment", "-s", "hello", "-i", "canary", "-d", soa]).stdout).toBe("abc\n");
    expect(run(["get-docker-image", "-s", "hello", "-i", "canary", "-d", soa]).stderr).toContain("docker_registry");
    const badTimeout = run([
      "wait-for-deployment",
      "-s",
      "hello",
      "-k",
      "abc",
      "-l",
      "canary",
      "-t",
      "soon",
      "-d",
      soa,
    ]);
    expect(badTimeout.code).toBe(2);
    expect(badTimeout.stderr).toContain("[PAASTA_CLI_BAD_VALUE]");
    const replica = run(["restart", "-s", "hello", "--replica", "main-x", "-d", soa]);
    expect(replica.code).toBe(2);
    expect(replica.stderr).toContain("--replica: names one replica");
  });
});
