/**
 * The local scheduler's promise, against the real runtime: a job every 2 s with a DAG (a → b, a → c), each
 * action appending a line to a file, for 20 scheduled times while `paasta up` is killed with SIGKILL and
 * restarted 5 times at random moments. The recorded runs and the file must show each scheduled time exactly
 * once — run (a, b and c once each, b and c after a) or recorded as skipped while the runtime was down — and
 * nothing else. Then `paasta tronctl disable` stops the scheduling.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BIN, paastaBin } from "../helpers/cli.js";
import { getJson, makeWorkspace, sleep, startUp, type UpProcess, until, type Workspace } from "../helpers/runtime.js";

type Run = {
  run: number;
  scheduled_at: string;
  manual: boolean;
  state: string;
  why: string | null;
  actions: Array<{ name: string; state: string; attempts: number }>;
};

describe("a 2-second job through SIGKILLs of paasta up", () => {
  let ws: Workspace;
  let up: UpProcess | undefined;

  afterAll(async () => {
    await up?.kill("SIGTERM");
  }, 60_000);

  it("runs each scheduled time exactly once, or records it as skipped; disable stops it", async () => {
    ws = await makeWorkspace({ svc: {} }, { system: { tron_start_grace_seconds: 1 } });
    const out = join(ws.root, "side-effects.txt");
    const append = (a: string) => `{command: "echo ${a} {runid} >> ${out}"${a === "a" ? "" : ", requires: [a]"}}`;
    ws.writeSoa(
      "svc",
      "tron-dev.yaml",
      `dag:\n  schedule: interval 2s\n  deploy_group: dev.everything\n  actions:\n${["a", "b", "c"].map((a) => `    ${a}: ${append(a)}\n`).join("")}`,
    );
    const sha = execFileSync("git", ["rev-parse", "HEAD"], {
      cwd: join(ws.root, "repos/svc"),
      encoding: "utf8",
    }).trim();
    execFileSync(process.execPath, [BIN, "mark-for-deployment", "-s", "svc", "-c", sha, "-l", "dev.everything"], {
      env: ws.env,
    });
    const runs = async () => (await getJson<{ runs: Run[] }>(`${ws.api}/v1/jobs/svc/dag`)).runs;
    up = startUp(ws);
    await up.waitForOutput(/API: +http/);
    for (let kill = 0; kill < 5; kill++) {
      await sleep(2500 + Math.random() * 4000);
      await up.kill("SIGKILL");
      await sleep(500 + Math.random() * 2500);
      up = startUp(ws);
      await up.waitForOutput(/API: +http/, 60_000);
    }
    await until(runs, (rs) => rs.filter((r) => !r.manual).length >= 20, 90_000, 500);
    const disable = paastaBin(["tronctl", "disable", "svc.dag"], { env: ws.env });
    expect(disable.code, disable.stderr).toBe(0);
    const all = await until(
      runs,
      (rs) => rs.every((r) => ["succeeded", "failed", "skipped"].includes(r.state)),
      30_000,
      500,
    );
    await sleep(4500);
    const after = await runs();
    expect(after.length, "disable stops new runs").toBe(all.length);

    const scheduled = all
      .filter((r) => !r.manual)
      .sort((x, y) => Date.parse(x.scheduled_at) - Date.parse(y.scheduled_at));
    const times = scheduled.map((r) => Date.parse(r.scheduled_at));
    expect(new Set(times).size, "a scheduled time is recorded once").toBe(times.length);
    for (let i = 1; i < times.length; i++)
      expect((times[i] as number) - (times[i - 1] as number), "no time is lost").toBe(2000);
    const skipped = scheduled.filter((r) => r.state === "skipped");
    const ran = scheduled.filter((r) => r.state !== "skipped");
    expect(skipped.length, "outages longer than the 1 s grace skip times").toBeGreaterThan(0);
    for (const r of skipped) expect(r.why).toMatch(/^missed: the scheduler was not running/);
    for (const r of ran) {
      expect(r.state).toBe("succeeded");
      expect(r.actions.map((a) => [a.name, a.state, a.attempts])).toEqual([
        ["a", "succeeded", 1],
        ["b", "succeeded", 1],
        ["c", "succeeded", 1],
      ]);
    }
    expect(existsSync(out)).toBe(true);
    const lines = readFileSync(out, "utf8").trim().split("\n");
    const expected = ran.flatMap((r) => ["a", "b", "c"].map((a) => `${a} svc.dag.${r.run}`)).sort();
    expect([...lines].sort(), "each action of each run that ran, once; nothing of a skipped run").toEqual(expected);
    for (const r of ran) {
      const at = (a: string) => lines.indexOf(`${a} svc.dag.${r.run}`);
      expect(at("a")).toBeLessThan(at("b"));
      expect(at("a")).toBeLessThan(at("c"));
    }
  }, 300_000);
});
