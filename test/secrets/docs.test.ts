/** docs/secrets.md's walkthrough runs as written: the real `paasta` binary, age-keygen, age and jq. */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BIN, REPO, tempDir } from "../helpers/paths.js";

const root = tempDir("paasta-secrets-doc-");
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The ```sh block that follows `<!-- walkthrough:NAME -->` in a doc. */
function walkthrough(doc: string, name: string): string {
  const text = readFileSync(join(REPO, "docs", doc), "utf8");
  const m = new RegExp(`<!-- walkthrough:${name} -->\\n\`\`\`sh\\n([\\s\\S]*?)\\n\`\`\`\\n`).exec(text);
  if (!m) throw new Error(`docs/${doc} has no walkthrough:${name} block`);
  return m[1] as string;
}

describe("docs/secrets.md", () => {
  it("the walkthrough runs: key, config, add, list, validate, decrypt with paasta and with age, run", () => {
    const bin = join(root, "bin");
    mkdirSync(bin);
    writeFileSync(join(bin, "paasta"), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
    chmodSync(join(bin, "paasta"), 0o755);
    const work = join(root, "work");
    mkdirSync(work);
    const r = spawnSync(
      "bash",
      ["--norc", "--noprofile", "-euo", "pipefail", "-c", walkthrough("secrets.md", "secrets")],
      {
        cwd: work,
        encoding: "utf8",
        env: { PATH: `${bin}:${process.env.PATH}`, HOME: root, NO_COLOR: "1" },
      },
    );
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines.filter((l) => l === "correct horse battery staple")).toHaveLength(2); // paasta decrypt, age -d
    expect(lines.at(-1)).toBe("ok");
    expect(r.stdout).toContain("✓ Added SECRET(db_password) in hello/secrets/db_password.json for dev (signature ");
    expect(r.stdout).toMatch(/^db_password\tdev [0-9a-f]{12}$/m);
    expect(r.stdout).toContain("✓ All SECRET() references have a ciphertext for their cluster's secret environment");
  });
});
