/**
 * The mesh's Kubernetes objects, pure: a Service per namespace with a proxy_port (golden file for the example
 * hello.main, with its canary registered into it), the pod registration labels it selects on, and names.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { podLabels } from "../../src/backends/kubernetes/render/labels.js";
import {
  registrationLabelKey,
  renderService,
  serviceNamespaces,
  serviceObjectName,
} from "../../src/backends/kubernetes/render/service.js";
import { desiredState } from "../../src/reconcile/desired.js";
import { desiredRoutes } from "../../src/reconcile/mesh-plan.js";
import { EXAMPLES, REPO, tempDir } from "../helpers/paths.js";

const GOLDEN = join(REPO, "test/fixtures/k8s-golden");
const SHA = "c".repeat(40);

/** The examples on cluster dev, every deploy group deployed at SHA. */
function dev() {
  const soa = join(tempDir("paasta-render-"), "soa");
  cpSync(EXAMPLES, soa, { recursive: true });
  const groups: Record<string, string[]> = { hello: ["dev.everything", "canary"], echo: ["dev.echo"] };
  for (const [svc, dgs] of Object.entries(groups)) {
    const deployments = Object.fromEntries(
      dgs.map((dg) => [dg, { docker_image: `services-${svc}:paasta-${SHA}`, git_sha: SHA, image_version: null }]),
    );
    writeFileSync(join(soa, svc, "deployments.json"), JSON.stringify({ v1: {}, v2: { deployments, controls: {} } }));
  }
  return desiredState(soa, undefined, "dev");
}

describe("the mesh on Kubernetes, rendered", () => {
  const state = dev();
  const routes = desiredRoutes(state);
  const hello = routes.find((r) => r.registration === "hello.main");

  it("hello.main's Service matches its golden file", () => {
    expect(hello?.members.map((m) => m.instance)).toEqual(["canary", "main"]);
    const rendered = (hello ? serviceNamespaces(hello) : []).map((ns) =>
      renderService(hello as NonNullable<typeof hello>, ns),
    );
    const text = `${JSON.stringify(rendered, null, 2)}\n`;
    const file = join(GOLDEN, "hello-main-service.json");
    if (process.env.UPDATE_GOLDEN === "1") {
      mkdirSync(GOLDEN, { recursive: true });
      writeFileSync(file, text);
    }
    expect(existsSync(file), `${file} is missing: run with UPDATE_GOLDEN=1`).toBe(true);
    expect(text).toBe(readFileSync(file, "utf8"));
    expect(rendered).toHaveLength(1);
    expect(rendered[0]?.spec).toMatchObject({
      type: "ClusterIP",
      selector: { "registrations.paasta.yelp.com/hello.main": "true" },
      ports: [{ port: 20001, targetPort: 8888, protocol: "TCP" }],
    });
  });

  it("labels the pods of every instance registered in a mesh namespace, and no other", () => {
    const apps = new Map(state.apps.map((a) => [`${a.service}.${a.instance}`, a]));
    const canary = apps.get("hello.canary");
    const echo = apps.get("echo.main");
    expect(canary && podLabels(canary)[registrationLabelKey("hello.main")]).toBe("true");
    expect(echo && podLabels(echo)[registrationLabelKey("echo.main")]).toBe("true");
    expect(echo && Object.keys(podLabels(echo)).filter((k) => k.startsWith("registrations."))).toEqual([
      "registrations.paasta.yelp.com/echo.main",
    ]);
  });

  it("names Services as DNS labels", () => {
    expect(serviceObjectName("hello.main")).toBe("hello-main");
    expect(serviceObjectName("my_svc.canary_2")).toBe("my--svc-canary--2");
    expect(serviceObjectName("9lives.main")).toBe("svc-9lives-main");
    const long = serviceObjectName(`${"a".repeat(50)}.${"b".repeat(30)}`);
    expect(long.length).toBeLessThanOrEqual(63);
    expect(registrationLabelKey(`${"a".repeat(50)}.${"b".repeat(30)}`).split("/")[1]?.length).toBe(63);
  });
});
