#!/usr/bin/env node
// bench/k8s-writes: the API server's CPU per Deployment write, by kind of write, on a control plane of its own:
// server-side apply (ours), GET + PUT (the original's replace) and a strategic merge patch. The object is the
// golden rendering of examples' hello.main, with 0 replicas (no pods: the deployment controller's status
// write after each change is included, as on a real cluster). N writes per phase, 4 at a time; the figure is
// the kube-apiserver process's CPU time (/proc) over the phase and 3 s after it, per write. Phases alternate
// twice. Options: --writes N (default 300). Prints one JSON object.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { CLK_TCK, cpuTicks, REPO, sleep } from "./common.js";
import { envPid, envState } from "./k8s/server.js";
import { controlPlane, round } from "./k8s/tree.js";

const { values: args } = parseArgs({ options: { writes: { type: "string", default: "300" } } });
const N = Number(args.writes);
const { transport } = await import(join(REPO, "dist/backends/kubernetes/http.js"));
const golden = JSON.parse(readFileSync(join(REPO, "test/fixtures/k8s-golden/hello-main.json"), "utf8")).workload;
const container = golden.spec.template.spec.containers[0];

const cp = controlPlane(process.env.PAASTA_TESTENV_DIR);
const dir = join(cp.kubeconfig, "..");
const state = envState(dir);
const pki = (f) => readFileSync(join(dir, "pki", f));
const t = transport(state.APISERVER_URL, {
  tls: { ca: pki("ca.crt"), cert: pki("admin.crt"), key: pki("admin.key") },
  headers: {},
});
const apiPid = envPid(dir, "kube-apiserver");
const ticks = () => cpuTicks(apiPid);

const path = (i) => `/apis/apps/v1/namespaces/writes/deployments/d${i}`;
const object = (i, v) => {
  const o = structuredClone(golden);
  o.metadata = { ...o.metadata, name: `d${i}`, namespace: "writes" };
  o.spec.replicas = 0;
  o.spec.template.spec.containers[0].env[0].value = `v${v}`;
  return o;
};
const ok = (a, what) => {
  if (a.status >= 300) throw new Error(`${what}: HTTP ${a.status} ${a.text.slice(0, 200)}`);
  return a;
};
const WRITES = {
  apply: async (i, v) =>
    ok(
      await t.request("PATCH", `${path(i)}?fieldManager=paasta&force=true`, {
        body: JSON.stringify(object(i, v)),
        contentType: "application/apply-patch+yaml",
      }),
      "apply",
    ),
  "get+put": async (i, v) => {
    for (;;) {
      const live = JSON.parse(ok(await t.request("GET", path(i)), "get").text);
      const o = object(i, v);
      o.metadata.resourceVersion = live.metadata.resourceVersion;
      const a = await t.request("PUT", path(i), { body: JSON.stringify(o), contentType: "application/json" });
      if (a.status !== 409) return ok(a, "put"); // 409: the controller wrote its status in between; read again
    }
  },
  "strategic merge patch": async (i, v) => {
    const env = [{ name: container.env[0].name, value: `v${v}` }];
    const body = { spec: { template: { spec: { containers: [{ name: container.name, env }] } } } };
    return ok(
      await t.request("PATCH", path(i), {
        body: JSON.stringify(body),
        contentType: "application/strategic-merge-patch+json",
      }),
      "patch",
    );
  },
};

async function phase(write, v) {
  await sleep(3000);
  const k0 = ticks();
  let next = 0;
  const worker = async () => {
    while (next < N) await write(next++, v);
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  await sleep(3000); // the deployment controller's status write after each change
  return ((ticks() - k0) * 1000) / CLK_TCK / N;
}

const result = { bench: "k8s-writes", writes_per_phase: N, apiserver_cpu_ms_per_write: {} };
try {
  ok(
    await t.request("POST", "/api/v1/namespaces", {
      body: JSON.stringify({ metadata: { name: "writes" } }),
      contentType: "application/json",
    }),
    "namespace",
  );
  await phase(WRITES.apply, 0); // creates
  let v = 1;
  for (let r = 0; r < 2; r++)
    for (const [name, write] of Object.entries(WRITES)) {
      const ms = round(await phase(write, v++));
      const per = result.apiserver_cpu_ms_per_write;
      per[name] = [...(per[name] ?? []), ms];
      process.stderr.write(`bench/k8s-writes ${name}: ${ms} ms of apiserver CPU per write\n`);
    }
} finally {
  t.close();
  cp.down();
}
console.log(JSON.stringify(result));
