/**
 * The demo's service-to-service call (`npm start`): the example hello answers GET /echo/… by calling echo
 * through echo's proxy port, as configured in examples/soa-configs — with the real runtime and HAProxy. The
 * example files are used as they are, only their proxy ports moved to free ones.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { paastaBin } from "../helpers/cli.js";
import { freeProxyPort, through } from "../helpers/mesh.js";
import { EXAMPLES } from "../helpers/paths.js";
import { makeWorkspace, startUp, type UpProcess, until, type Workspace } from "../helpers/runtime.js";

const example = (service: string, file: string) => readFileSync(join(EXAMPLES, service, file), "utf8");

describe("the demo: hello calls echo through echo's proxy port", () => {
  let ws: Workspace;
  let up: UpProcess;
  let helloPort: number;

  beforeAll(async () => {
    helloPort = await freeProxyPort();
    const echoPort = await freeProxyPort();
    const moved = (text: string) => text.replaceAll("20001", String(helloPort)).replaceAll("20002", String(echoPort));
    ws = await makeWorkspace({
      hello: {
        "smartstack.yaml": moved(example("hello", "smartstack.yaml")),
        "kubernetes-dev.yaml": moved(example("hello", "kubernetes-dev.yaml")),
      },
      echo: {
        "smartstack.yaml": moved(example("echo", "smartstack.yaml")),
        "kubernetes-dev.yaml": example("echo", "kubernetes-dev.yaml"),
        "deploy.yaml": "pipeline:\n  - step: dev.echo\n",
      },
    });
    up = startUp(ws);
    await up.waitForOutput(/API: +http/);
    for (const [svc, group] of [
      ["hello", "dev.everything"],
      ["echo", "dev.echo"],
    ] as const) {
      const sha = ws.commit(svc, { VERSION: "1\n" });
      const r = paastaBin(["mark-for-deployment", "-s", svc, "-c", sha, "-l", group], { env: ws.env });
      expect(r.code, r.stderr).toBe(0);
    }
  }, 60_000);

  afterAll(async () => {
    await up?.kill("SIGTERM");
  });

  it("GET 127.0.0.1:HELLO_PORT/echo/x reaches an echo task through 127.0.0.1:ECHO_PORT", async () => {
    const r = await until(
      () => through(helloPort, "/echo/x"),
      (x) => x.status === 200,
      60_000,
      250,
    );
    // hello's code answers for echo too (the workspace gives every service hello's repository).
    expect(r.body).toMatch(/^hello [0-9a-f]{8} asked echo through http:\/\/127\.0\.0\.1:\d+:\n/);
    expect(r.body).toMatch(/from [0-9a-f]{8}\n$/);
    await up.waitForOutput(/HAProxy (\S+ serving|reloaded: serving) .*echo\.main/);
  }, 90_000);
});
