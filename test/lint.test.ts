import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { expect, it } from "vitest";
import { REPO } from "./helpers/cli.js";

it("biome: lint and format are clean (fix with `npm run format`)", () => {
  const r = spawnSync(join(REPO, "node_modules/.bin/biome"), ["ci", "--colors=off", "."], {
    cwd: REPO,
    encoding: "utf8",
  });
  expect(r.stdout + r.stderr).toContain("Checked");
  expect(r.status, r.stdout + r.stderr).toBe(0);
});

it("typescript: the whole project (src, test, bench, scripts) type-checks", () => {
  const r = spawnSync(join(REPO, "node_modules/.bin/tsc"), ["-p", "tsconfig.json"], { cwd: REPO, encoding: "utf8" });
  expect(r.status, r.stdout + r.stderr).toBe(0);
});
