import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { it } from "vitest";
import { BIN } from "../helpers/cli.js";
import { getJson, makeWorkspace, sleep, startUp } from "../helpers/runtime.js";

it("smoke", async () => {
  const ws = await makeWorkspace({
    svc: {
      "tron-dev.yaml": `dag:
  schedule: interval 2s
  deploy_group: dev.everything
  actions:
    a: {command: "echo a {runid} >> $OUT"}
    b: {command: "echo b {runid} >> $OUT", requires: [a]}
    c: {command: "echo c {runid} >> $OUT", requires: [a]}
`.replaceAll("$OUT", "/tmp/sched-smoke-out.txt"),
    },
  });
  const sha = execFileSync("git", ["rev-parse", "HEAD"], { cwd: join(ws.root, "repos/svc"), encoding: "utf8" }).trim();
  execFileSync(process.execPath, [BIN, "mark-for-deployment", "-s", "svc", "-c", sha, "-l", "dev.everything"], {
    env: ws.env,
  });
  const up = startUp(ws);
  try {
    await up.waitForOutput(/API: +http/);
    await sleep(7000);
    console.log(JSON.stringify(await getJson(`${ws.api}/v1/jobs`), null, 1));
    console.log(JSON.stringify(await getJson(`${ws.api}/v1/jobs/svc/dag`), null, 1).slice(0, 3000));
    console.log(readFileSync("/tmp/sched-smoke-out.txt", "utf8"));
    console.log(up.output.join("\n"));
  } finally {
    await up.kill();
  }
}, 60000);
